"""The words of the image and build pages, in English and French (see `i18n`)."""

MESSAGES = {
    "en": {
        "images": "Images",
        "new_image": "New image",
        "images_intro": (
            "The software of your courses: a Dockerfile that starts from one of the "
            "platform's images, the files it copies, and its builds."
        ),
        "no_image_yet": "You have no image yet. Create one, or ask a colleague to share theirs.",
        "image_name_label": "Image name",
        "image_name_help": (
            "1 to 25 characters: lowercase letters, digits and '-'. It cannot change."
        ),
        "last_build": "Last build",
        "public": "public",
        "never_built": "Not built yet.",
        "start_from": "Start from:",
        "create_image": "Create the image",
        "guide_title": "Writing a Dockerfile",
        "guide_from": "Keep the FROM line: your image starts from one the platform offers.",
        "guide_install": (
            "Install software as root: “USER root”, then RUN apt-get install -y … "
            "or RUN pip install …"
        ),
        "guide_files": (
            "Copy course files from your context with COPY: into /home/student they reach "
            "each student's folder at their first start; /opt/course follows every build."
        ),
        "guide_user": "End with “USER student”: the platform refuses an image that runs as root.",
        "guide_test": "Build, read the log, then Test the build before your students use it.",
        "interface_custom": "Another web application",
        "custom_port_label": "Its port (1024 to 65535)",
        "image_public_label": "Every teacher of the platform may use this image",
        "build": "Build",
        "image_repository": "Repository",
        "latest_ok_build": "latest OK build: #{number}",
        "image_saved": "Saved. Build the image to use the new Dockerfile.",
        "builds": "Builds",
        "build_status": "State",
        "build_status_QUEUED": "Waiting",
        "build_status_RUNNING": "Building",
        "build_status_OK": "OK",
        "build_status_ERROR": "Error",
        "build_status_CANCELLED": "Cancelled",
        "started_by": "Started by",
        "build_when": "Asked",
        "runs_as_root": "runs as root",
        "build_log": "Log",
        "test_build": "Test",
        "cancel_build": "Cancel the build",
        "builds_follow": (
            "Environments that use this image run its latest OK build from their next start, "
            "unless they name one build (mydocker/IMAGE:NUMBER)."
        ),
        "image_used_by": "Used by: {environments}",
        "context": "Files of the build (context)",
        "context_help": (
            "A .zip or .tar.gz of the files your Dockerfile copies (at most {limit}). "
            "A new upload replaces the previous files."
        ),
        "context_empty": "No files yet: the Dockerfile can only install software.",
        "upload_context": "Upload a context",
        "uploading": "Uploading…",
        "image_definition": "Definition",
        "image_collaborators_help": (
            "“may view”: use the image in their environments and test it; "
            "“may edit”: also change and build it."
        ),
        "delete_image": "Delete this image",
        "delete_image_confirm": "Delete this image and all its builds?",
        "build_title": "Build #{number}",
        "build_ok_help": (
            "The image is ready. Test it: a server of it starts for you alone. "
            "Environments that use this image run it from their next start."
        ),
        "build_error_help": (
            "The build stopped at the step shown last in the log: read the lines just "
            "before the error, correct the Dockerfile, and build again."
        ),
        "root_warning": (
            "This image runs as root, which the platform refuses to start. End the "
            "Dockerfile with a USER line naming an ordinary user, for example: USER student"
        ),
        "build_waiting": "Waiting for a free builder…",
        "error_no_image": "There is no image “{name}” that you may see.",
        "error_image_not_allowed": "You may not do this with this image: ask its owner.",
        "error_image_in_use": "The image is used by these environments: {environments}.",
        "error_build_under_way": "A build of this image is under way: wait for it or cancel it.",
        "error_no_build": "This image has no build #{number}.",
        "error_build_ended": "This build has already ended.",
        "error_build_not_ok": "Build #{number} did not end OK: there is nothing to test.",
        "error_test_name_taken": (
            "An environment called “{name}” already exists: the test needs this name."
        ),
        "error_dockerfile_refused": "The Dockerfile cannot be built. {reason}",
        "error_image_version_conflict": (
            "Someone saved this image after you opened it. Their version is shown: "
            "make your change again."
        ),
        "field_image_name": "1 to 25 characters: lowercase letters, digits and '-'.",
        "field_image_name_reserved": "This name is the platform's: choose another.",
        "field_image_name_taken": "An image already has this name.",
        "field_dockerfile_empty": "Write the Dockerfile: at least a FROM line.",
        "field_dockerfile_too_long": "The Dockerfile is longer than 64 KiB.",
        "field_custom_port": "Give a port between 1024 and 65535.",
        "archive_too_large": "The file is too large to upload: the limit is {limit}.",
        "archive_length_required": "The upload must say how large it is.",
        "archive_not_an_archive": "The file is not a .zip or .tar.gz archive, or it is damaged.",
        "archive_absolute_path": (
            "The archive contains “{name}”, an absolute path; only relative paths are accepted."
        ),
        "archive_backslash": (
            "The archive contains “{name}”, a name with a backslash; use “/” between folders."
        ),
        "archive_bad_name": "The archive contains a member with an unusable name (“{name}”).",
        "archive_parent_path": (
            "The archive contains “{name}”, which uses “..” to leave its folder."
        ),
        "archive_link_out_of_tree": (
            "The archive contains the link “{name}”, which points outside the archive's folder."
        ),
        "archive_through_link": (
            "The archive contains “{name}”, which would be written through a link."
        ),
        "archive_conflict": (
            "The archive contains “{name}” twice, or inside something that is not a folder."
        ),
        "archive_hardlink": (
            "The archive contains the hard link “{name}”; hard links are not accepted."
        ),
        "archive_device": (
            "The archive contains “{name}”, a device, pipe or special file; only files, "
            "folders and links are accepted."
        ),
        "archive_encrypted": (
            "The archive contains “{name}”, which is encrypted; upload it without a password."
        ),
        "archive_too_many_files": "The archive contains more than {limit} files.",
        "archive_too_big_expanded": "The archive expands to more than {limit}.",
        "archive_compression_ratio": (
            "The archive expands more than {limit} times its size, which looks like a "
            "compression bomb."
        ),
        "archive_size_mismatch": (
            "The archive member “{name}” holds more data than its header says."
        ),
        "archive_destination": "The files could not be unpacked. Try again.",
    },
    "fr": {
        "images": "Images",
        "new_image": "Nouvelle image",
        "images_intro": (
            "Les logiciels de vos cours : un Dockerfile qui part d'une image de la "
            "plateforme, les fichiers qu'il copie, et ses constructions."
        ),
        "no_image_yet": (
            "Vous n'avez pas encore d'image. Créez-en une, ou demandez à un collègue "
            "de partager la sienne."
        ),
        "image_name_label": "Nom de l'image",
        "image_name_help": (
            "1 à 25 caractères : lettres minuscules, chiffres et « - ». Il ne pourra pas changer."
        ),
        "last_build": "Dernière construction",
        "public": "publique",
        "never_built": "Pas encore construite.",
        "start_from": "Partir de :",
        "create_image": "Créer l'image",
        "guide_title": "Écrire un Dockerfile",
        "guide_from": (
            "Gardez la ligne FROM : votre image part d'une image que la plateforme propose."
        ),
        "guide_install": (
            "Installez les logiciels en root : « USER root », puis RUN apt-get install -y … "
            "ou RUN pip install …"
        ),
        "guide_files": (
            "Copiez les fichiers du cours depuis votre contexte avec COPY : dans /home/student, "
            "ils arrivent dans le dossier de chaque étudiant à son premier démarrage ; "
            "/opt/course suit chaque construction."
        ),
        "guide_user": (
            "Terminez par « USER student » : la plateforme refuse une image qui tourne en root."
        ),
        "guide_test": (
            "Construisez, lisez le journal, puis testez la construction avant vos étudiants."
        ),
        "interface_custom": "Une autre application web",
        "custom_port_label": "Son port (1024 à 65535)",
        "image_public_label": "Tous les enseignants de la plateforme peuvent utiliser cette image",
        "build": "Construire",
        "image_repository": "Dépôt",
        "latest_ok_build": "dernière construction réussie : n°{number}",
        "image_saved": "Enregistré. Construisez l'image pour utiliser le nouveau Dockerfile.",
        "builds": "Constructions",
        "build_status": "État",
        "build_status_QUEUED": "En attente",
        "build_status_RUNNING": "En cours",
        "build_status_OK": "Réussie",
        "build_status_ERROR": "Erreur",
        "build_status_CANCELLED": "Annulée",
        "started_by": "Lancée par",
        "build_when": "Demandée",
        "runs_as_root": "tourne en root",
        "build_log": "Journal",
        "test_build": "Tester",
        "cancel_build": "Annuler la construction",
        "builds_follow": (
            "Les environnements qui utilisent cette image prennent sa dernière construction "
            "réussie à leur prochain démarrage, sauf s'ils en nomment une "
            "(mydocker/IMAGE:NUMÉRO)."
        ),
        "image_used_by": "Utilisée par : {environments}",
        "context": "Fichiers de la construction (contexte)",
        "context_help": (
            "Un .zip ou un .tar.gz des fichiers que votre Dockerfile copie (au plus {limit}). "
            "Un nouvel envoi remplace les fichiers précédents."
        ),
        "context_empty": "Pas encore de fichiers : le Dockerfile peut seulement installer.",
        "upload_context": "Envoyer un contexte",
        "uploading": "Envoi…",
        "image_definition": "Définition",
        "image_collaborators_help": (
            "« peut voir » : utiliser l'image dans ses environnements et la tester ; "
            "« peut modifier » : aussi la changer et la construire."
        ),
        "delete_image": "Supprimer cette image",
        "delete_image_confirm": "Supprimer cette image et toutes ses constructions ?",
        "build_title": "Construction n°{number}",
        "build_ok_help": (
            "L'image est prête. Testez-la : un serveur démarre pour vous seul. Les "
            "environnements qui utilisent cette image la prennent à leur prochain démarrage."
        ),
        "build_error_help": (
            "La construction s'est arrêtée à la dernière étape du journal : lisez les lignes "
            "juste avant l'erreur, corrigez le Dockerfile, et reconstruisez."
        ),
        "root_warning": (
            "Cette image tourne en root, ce que la plateforme refuse de démarrer. Terminez le "
            "Dockerfile par une ligne USER qui nomme un utilisateur ordinaire, par exemple : "
            "USER student"
        ),
        "build_waiting": "En attente d'un constructeur libre…",
        "error_no_image": "Il n'y a pas d'image « {name} » que vous puissiez voir.",
        "error_image_not_allowed": (
            "Vous ne pouvez pas faire cela avec cette image : demandez à son propriétaire."
        ),
        "error_image_in_use": "L'image est utilisée par ces environnements : {environments}.",
        "error_build_under_way": (
            "Une construction de cette image est en cours : attendez-la ou annulez-la."
        ),
        "error_no_build": "Cette image n'a pas de construction n°{number}.",
        "error_build_ended": "Cette construction est déjà terminée.",
        "error_build_not_ok": (
            "La construction n°{number} n'a pas réussi : il n'y a rien à tester."
        ),
        "error_test_name_taken": (
            "Un environnement « {name} » existe déjà : le test a besoin de ce nom."
        ),
        "error_dockerfile_refused": "Le Dockerfile ne peut pas être construit. {reason}",
        "error_image_version_conflict": (
            "Quelqu'un a enregistré cette image après que vous l'avez ouverte. Sa version "
            "est affichée : refaites votre modification."
        ),
        "field_image_name": "1 à 25 caractères : lettres minuscules, chiffres et « - ».",
        "field_image_name_reserved": "Ce nom est celui de la plateforme : choisissez-en un autre.",
        "field_image_name_taken": "Une image porte déjà ce nom.",
        "field_dockerfile_empty": "Écrivez le Dockerfile : au moins une ligne FROM.",
        "field_dockerfile_too_long": "Le Dockerfile dépasse 64 Kio.",
        "field_custom_port": "Donnez un port entre 1024 et 65535.",
        "archive_too_large": "Le fichier est trop gros pour être envoyé : la limite est {limit}.",
        "archive_length_required": "L'envoi doit annoncer sa taille.",
        "archive_not_an_archive": (
            "Le fichier n'est pas une archive .zip ou .tar.gz, ou il est abîmé."
        ),
        "archive_absolute_path": (
            "L'archive contient « {name} », un chemin absolu ; seuls les chemins relatifs "
            "sont acceptés."
        ),
        "archive_backslash": (
            "L'archive contient « {name} », un nom avec une barre oblique inverse ; "
            "utilisez « / » entre les dossiers."
        ),
        "archive_bad_name": "L'archive contient un élément au nom inutilisable (« {name} »).",
        "archive_parent_path": (
            "L'archive contient « {name} », qui utilise « .. » pour sortir de son dossier."
        ),
        "archive_link_out_of_tree": (
            "L'archive contient le lien « {name} », qui pointe hors du dossier de l'archive."
        ),
        "archive_through_link": (
            "L'archive contient « {name} », qui serait écrit à travers un lien."
        ),
        "archive_conflict": (
            "L'archive contient « {name} » deux fois, ou dans quelque chose qui n'est pas "
            "un dossier."
        ),
        "archive_hardlink": (
            "L'archive contient le lien physique « {name} » ; les liens physiques ne sont "
            "pas acceptés."
        ),
        "archive_device": (
            "L'archive contient « {name} », un périphérique, un tube ou un fichier spécial ; "
            "seuls les fichiers, dossiers et liens sont acceptés."
        ),
        "archive_encrypted": (
            "L'archive contient « {name} », qui est chiffré ; envoyez-la sans mot de passe."
        ),
        "archive_too_many_files": "L'archive contient plus de {limit} fichiers.",
        "archive_too_big_expanded": "L'archive décompressée dépasse {limit}.",
        "archive_compression_ratio": (
            "L'archive grossit plus de {limit} fois à la décompression, ce qui ressemble "
            "à une bombe de compression."
        ),
        "archive_size_mismatch": (
            "L'élément « {name} » de l'archive contient plus de données que son en-tête "
            "ne l'annonce."
        ),
        "archive_destination": "Les fichiers n'ont pas pu être décompressés. Réessayez.",
    },
}
