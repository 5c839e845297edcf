"""The words of the teachers' and admins' pages, in English and French (see `i18n`)."""

MESSAGES = {
    "en": {
        "teaching": "Teaching",
        "week": "Week",
        "week_of": "Week of {date}",
        "previous_week": "← Previous week",
        "next_week": "Next week →",
        "nodes_text": "The platform has {count} ready node(s): {cpus} CPUs, {memory} GiB.",
        "no_session_this_week": "No session this week.",
        "activity": "Activity",
        "new_environment": "New environment",
        "edit_environment": "Edit",
        "no_environment_yet": (
            "You have no environment yet. Create one, or ask a colleague to share theirs."
        ),
        "owner": "Owner",
        "configuration": "platform configuration",
        "your_access": "Your access",
        "access_none": "None",
        "access_view": "View",
        "access_edit": "Edit",
        "access_own": "Owner",
        "status_label_DRAFT": "Draft",
        "status_label_TEST": "Test",
        "status_label_READY": "Ready",
        "status_label_ARCHIVED": "Archived",
        "form_has_errors": "Some fields need a correction: see the messages below them.",
        "edit_applies_next_start": (
            "Changes apply to servers started after you save: running servers keep "
            "their settings until they stop."
        ),
        "saved_next_start": "Saved. Running servers keep their settings until their next start.",
        "managed_by_config": (
            "This environment is defined in the platform's configuration: ask an "
            "administrator to change it. Its join link and servers are managed here."
        ),
        "field_name_label": "Short name",
        "field_name_help": (
            "1 to 30 characters: lowercase letters, digits and '-'. It cannot change later."
        ),
        "field_title_label": "Title",
        "field_description_label": "Description",
        "field_image_label": "Image",
        "field_status_label": "Status",
        "field_public_label": "Open to every user of the platform (no enrolment needed)",
        "open_to_all": "Open to all",
        "platform": "Platform",
        "nodes": "Ready nodes",
        "memory_gib": "Memory (GiB)",
        "no_node": "No ready node: the portal could not read the Swarm.",
        "compute_type_help": (
            "A compute type is a node label that environments may ask for; give one to a node with"
        ),
        "standard_images": "Standard images (every teacher may use them)",
        "limits": "Limits of an environment",
        "limits_text": (
            "At most {cpus} CPUs and {gpus} GPUs per student; {students} students per session."
        ),
        "resources": "Resources per student",
        "resources_text": "{cpus} CPU, {memory} memory, {gpus} GPU",
        "field_cpu_limit_label": "CPUs (limit)",
        "field_cpu_reservation_label": "CPUs reserved",
        "field_gpus_label": "GPUs",
        "field_mem_limit_label": "Memory (limit)",
        "field_mem_reservation_label": "Memory reserved",
        "field_disk_quota_label": "Disk quota",
        "field_compute_type_label": "Compute type",
        "compute_any": "Any node",
        "field_idle_minutes_label": "Stop after inactivity (minutes)",
        "persistence": "Files kept",
        "field_home_volume_label": "Personal folder",
        "field_work_volume_label": "Shared work folder",
        "field_interfaces_label": "Interfaces",
        "interface_jupyterlab": "JupyterLab",
        "interface_vscode": "VS Code",
        "interface_desktop": "Desktop",
        "interface_ssh": "SSH",
        "create": "Create",
        "save": "Save",
        "cancel": "Cancel",
        "edit": "Edit",
        "yes": "Yes",
        "no": "No",
        "sessions": "Sessions",
        "no_session": "No session planned: students may start it at any time.",
        "expected_students": "{count} students expected",
        "field_start_label": "Start",
        "field_end_label": "End",
        "field_timezone_label": "Time zone",
        "field_expected_students_label": "Students expected",
        "field_block_before_start_label": "Closed before start",
        "field_stop_at_end_label": "Stop at end",
        "add_session": "Plan this session",
        "capacity_text": (
            "Needs {cpus} CPUs and {memory} GiB; the nodes have {available_cpus} CPUs "
            "and {available_memory} GiB."
        ),
        "capacity_others": "({count} other session(s) at the same time counted.)",
        "capacity_unknown": (
            "Needs {cpus} CPUs and {memory} GiB; the nodes' capacity could not be read."
        ),
        "overbooked": "Overbooked: some students may wait or fail to start.",
        "remove": "Remove",
        "give_access": "Give students access",
        "join_link": "Join link (whoever opens it is enrolled, then the environment starts)",
        "copy": "Copy",
        "join_expires": "Works until {when}.",
        "join_never_expires": "Never expires.",
        "no_join_link": "No join link yet.",
        "field_expires_in_days_label": "Expires after (days, empty: never)",
        "make_join_link": "Make a join link",
        "regenerate_join_link": "New link (the old one stops working)",
        "lti11": "Moodle (LTI 1.1):",
        "lti11_text": "launch URL {url}, custom parameter",
        "lti13": "LTI 1.3:",
        "lti13_text": (
            "add an external tool activity and choose “{title}” in the list the platform shows."
        ),
        "lms_links": "Opened from these LMS activities:",
        "last_launch": "last launch {when}",
        "collaborators": "Colleagues",
        "no_collaborator": "No colleague shares this environment.",
        "field_username_label": "User name",
        "permission": "Permission",
        "permission_view": "may view",
        "permission_edit": "may edit",
        "add": "Add",
        "running_servers": "Running servers",
        "no_server": "No server of this environment is running.",
        "student": "Student",
        "started": "Started",
        "node": "Node",
        "stop_all": "Stop all ({count})",
        "enrolled_students": "Enrolled students ({count})",
        "no_student": "No student enrolled yet.",
        "duplicate_as": "Copy as (short name)",
        "duplicate": "Duplicate",
        "archive": "Archive",
        "delete": "Delete",
        "confirm_delete": (
            "Delete this environment? Enrolments are removed; students' files are kept."
        ),
        "filter": "Filter",
        "filter_user": "User",
        "filter_environment": "Environment",
        "filter_event": "Event",
        "filter_since": "From",
        "filter_until": "Before",
        "export_csv": "Download CSV",
        "time_utc": "Time (UTC)",
        "detail": "Detail",
        "no_activity": "Nothing matches.",
        "event_requested": "start asked",
        "event_ready": "ready",
        "event_failed": "failed",
        "event_stopped": "stopped",
        "event_culled": "stopped when idle",
        "event_session_end": "stopped at session end",
        "event_interrupted": "start interrupted by a restart",
        "error_teachers_only": "This page is for teachers.",
        "error_admins_only": "This page is for administrators.",
        "error_not_allowed": "You may not do this with this environment: ask its owner.",
        "error_no_environment": "There is no environment “{name}” that you may see.",
        "error_managed_by_config": (
            "“{name}” is defined in the platform's configuration: ask an administrator."
        ),
        "error_servers_running": "Stop the running servers first: {users}.",
        "error_no_session": "There is no such session.",
        "error_no_collaborator": "{name} is not a colleague on this environment.",
        "error_no_server": "{name} has no server of this environment.",
        "error_version_conflict": (
            "Someone saved this environment while you were editing it. Your values are "
            "kept below: check them against the saved ones, then save again."
        ),
        "error_invalid": "Some values are not valid.",
        "error_json": "The request body must be a JSON object.",
        "error_405": "This address does not accept this method.",
        "error_login_required": "Log in first (or send an API token).",
        "error_bad_date": "“{value}” is not a date (YYYY-MM-DD).",
        "error_join_unknown": "This join link does not work: ask your teacher for a new one.",
        "error_join_expired": "This join link has expired: ask your teacher for a new one.",
        "error_archived": "The environment “{name}” is archived.",
        "field_name": (
            "Use 1 to 30 characters: lowercase letters, digits and '-', starting with a letter or "
            "digit."
        ),
        "field_name_taken": "This name is already used: choose another.",
        "field_too_long": "This text is too long.",
        "field_image": "Choose one of the images offered.",
        "field_status": "Choose a status among Draft, Test, Ready and Archived.",
        "field_cpu": "Give a number of CPUs between 0.1 and 64.",
        "field_cpu_reservation": "Give a number of CPUs between 0 and 64.",
        "field_reservation_above_limit": "The reservation cannot be above the limit.",
        "field_size": "Give a size such as 512M or 2G.",
        "field_gpus": "Give a number of GPUs between 0 and 8.",
        "field_compute_type": "Choose a compute type that the platform's nodes offer.",
        "field_idle": "Give a number of minutes (0: never stop when idle).",
        "field_interfaces": "Choose among the interfaces offered.",
        "field_timezone": "Give a time zone such as Europe/Paris.",
        "field_datetime": "Give a date and time.",
        "field_end_before_start": "The session must end after it starts.",
        "field_students": "Give a number of students between 0 and 2000.",
        "field_username": "Give the colleague's user name, as the platform shows it.",
        "field_permission": "Choose view or edit.",
        "field_unknown_user": (
            "Nobody has this user name on the platform: they must have logged in once."
        ),
        "field_owner_is_collaborator": "This is the owner of the environment.",
        "field_days": "Give a number of days between 1 and 366.",
        "field_version": "Give the version you started from (a number).",
    },
    "fr": {
        "teaching": "Enseignement",
        "week": "Semaine",
        "week_of": "Semaine du {date}",
        "previous_week": "← Semaine précédente",
        "next_week": "Semaine suivante →",
        "nodes_text": "La plateforme a {count} nœud(s) prêt(s) : {cpus} CPU, {memory} Gio.",
        "no_session_this_week": "Aucune séance cette semaine.",
        "activity": "Activité",
        "new_environment": "Nouvel environnement",
        "edit_environment": "Modifier",
        "no_environment_yet": (
            "Vous n'avez pas encore d'environnement. Créez-en un, ou demandez à un collègue de "
            "partager le sien."
        ),
        "owner": "Propriétaire",
        "configuration": "configuration de la plateforme",
        "your_access": "Votre accès",
        "access_none": "Aucun",
        "access_view": "Lecture",
        "access_edit": "Modification",
        "access_own": "Propriétaire",
        "status_label_DRAFT": "Brouillon",
        "status_label_TEST": "Test",
        "status_label_READY": "Prêt",
        "status_label_ARCHIVED": "Archivé",
        "form_has_errors": (
            "Certains champs sont à corriger : voyez les messages sous chacun d'eux."
        ),
        "edit_applies_next_start": (
            "Les modifications s'appliquent aux serveurs démarrés après l'enregistrement : "
            "les serveurs en marche gardent leurs réglages jusqu'à leur arrêt."
        ),
        "saved_next_start": (
            "Enregistré. Les serveurs en marche gardent leurs réglages jusqu'à leur prochain "
            "démarrage."
        ),
        "managed_by_config": (
            "Cet environnement est défini dans la configuration de la plateforme : "
            "demandez à un administrateur de le modifier. Son lien d'inscription et ses "
            "serveurs se gèrent ici."
        ),
        "field_name_label": "Nom court",
        "field_name_help": (
            "1 à 30 caractères : minuscules, chiffres et « - ». Il ne pourra plus changer."
        ),
        "field_title_label": "Titre",
        "field_description_label": "Description",
        "field_image_label": "Image",
        "field_status_label": "Statut",
        "field_public_label": "Ouvert à tous les utilisateurs de la plateforme (sans inscription)",
        "open_to_all": "Ouvert à tous",
        "platform": "Plateforme",
        "nodes": "Nœuds prêts",
        "memory_gib": "Mémoire (Gio)",
        "no_node": "Aucun nœud prêt : le portail n'a pas pu lire le Swarm.",
        "compute_type_help": (
            "Un type de calcul est une étiquette de nœud que les environnements "
            "peuvent demander ; donnez-en une à un nœud avec"
        ),
        "standard_images": "Images standard (tout enseignant peut les utiliser)",
        "limits": "Limites d'un environnement",
        "limits_text": (
            "Au plus {cpus} CPU et {gpus} GPU par étudiant ; {students} étudiants par séance."
        ),
        "resources": "Ressources par étudiant",
        "resources_text": "{cpus} CPU, {memory} de mémoire, {gpus} GPU",
        "field_cpu_limit_label": "CPU (limite)",
        "field_cpu_reservation_label": "CPU réservés",
        "field_gpus_label": "GPU",
        "field_mem_limit_label": "Mémoire (limite)",
        "field_mem_reservation_label": "Mémoire réservée",
        "field_disk_quota_label": "Quota disque",
        "field_compute_type_label": "Type de calcul",
        "compute_any": "N'importe quel nœud",
        "field_idle_minutes_label": "Arrêt après inactivité (minutes)",
        "persistence": "Fichiers conservés",
        "field_home_volume_label": "Dossier personnel",
        "field_work_volume_label": "Dossier de travail partagé",
        "field_interfaces_label": "Interfaces",
        "interface_jupyterlab": "JupyterLab",
        "interface_vscode": "VS Code",
        "interface_desktop": "Bureau",
        "interface_ssh": "SSH",
        "create": "Créer",
        "save": "Enregistrer",
        "cancel": "Annuler",
        "edit": "Modifier",
        "yes": "Oui",
        "no": "Non",
        "sessions": "Séances",
        "no_session": "Aucune séance prévue : les étudiants peuvent le démarrer à tout moment.",
        "expected_students": "{count} étudiants attendus",
        "field_start_label": "Début",
        "field_end_label": "Fin",
        "field_timezone_label": "Fuseau horaire",
        "field_expected_students_label": "Étudiants attendus",
        "field_block_before_start_label": "Fermé avant le début",
        "field_stop_at_end_label": "Arrêt à la fin",
        "add_session": "Prévoir cette séance",
        "capacity_text": (
            "Besoin : {cpus} CPU et {memory} Gio ; les nœuds ont {available_cpus} CPU "
            "et {available_memory} Gio."
        ),
        "capacity_others": "({count} autre(s) séance(s) au même moment comptée(s).)",
        "capacity_unknown": (
            "Besoin : {cpus} CPU et {memory} Gio ; la capacité des nœuds n'a pas pu être lue."
        ),
        "overbooked": "Surréservation : des étudiants risquent d'attendre ou de ne pas démarrer.",
        "remove": "Retirer",
        "give_access": "Donner accès aux étudiants",
        "join_link": "Lien d'inscription (qui l'ouvre est inscrit, puis l'environnement démarre)",
        "copy": "Copier",
        "join_expires": "Valable jusqu'au {when}.",
        "join_never_expires": "N'expire jamais.",
        "no_join_link": "Pas encore de lien d'inscription.",
        "field_expires_in_days_label": "Expire après (jours, vide : jamais)",
        "make_join_link": "Créer un lien d'inscription",
        "regenerate_join_link": "Nouveau lien (l'ancien ne marchera plus)",
        "lti11": "Moodle (LTI 1.1) :",
        "lti11_text": "URL de lancement {url}, paramètre personnalisé",
        "lti13": "LTI 1.3 :",
        "lti13_text": (
            "ajoutez une activité outil externe et choisissez « {title} » dans la liste proposée."
        ),
        "lms_links": "Ouvert depuis ces activités de LMS :",
        "last_launch": "dernier lancement le {when}",
        "collaborators": "Collègues",
        "no_collaborator": "Aucun collègue ne partage cet environnement.",
        "field_username_label": "Nom d'utilisateur",
        "permission": "Droit",
        "permission_view": "peut voir",
        "permission_edit": "peut modifier",
        "add": "Ajouter",
        "running_servers": "Serveurs en marche",
        "no_server": "Aucun serveur de cet environnement n'est en marche.",
        "student": "Étudiant",
        "started": "Démarré",
        "node": "Nœud",
        "stop_all": "Tout arrêter ({count})",
        "enrolled_students": "Étudiants inscrits ({count})",
        "no_student": "Aucun étudiant inscrit pour l'instant.",
        "duplicate_as": "Copier sous le nom court",
        "duplicate": "Dupliquer",
        "archive": "Archiver",
        "delete": "Supprimer",
        "confirm_delete": (
            "Supprimer cet environnement ? Les inscriptions sont retirées ; les fichiers des "
            "étudiants sont conservés."
        ),
        "filter": "Filtrer",
        "filter_user": "Utilisateur",
        "filter_environment": "Environnement",
        "filter_event": "Événement",
        "filter_since": "Depuis",
        "filter_until": "Avant",
        "export_csv": "Télécharger en CSV",
        "time_utc": "Heure (UTC)",
        "detail": "Détail",
        "no_activity": "Rien ne correspond.",
        "event_requested": "démarrage demandé",
        "event_ready": "prêt",
        "event_failed": "échec",
        "event_stopped": "arrêté",
        "event_culled": "arrêté pour inactivité",
        "event_session_end": "arrêté en fin de séance",
        "event_interrupted": "démarrage interrompu par un redémarrage",
        "error_teachers_only": "Cette page est réservée aux enseignants.",
        "error_admins_only": "Cette page est réservée aux administrateurs.",
        "error_not_allowed": (
            "Vous ne pouvez pas faire cela sur cet environnement : demandez à son propriétaire."
        ),
        "error_no_environment": "Il n'y a pas d'environnement « {name} » que vous puissiez voir.",
        "error_managed_by_config": (
            "« {name} » est défini dans la configuration de la plateforme : "
            "demandez à un administrateur."
        ),
        "error_servers_running": "Arrêtez d'abord les serveurs en marche : {users}.",
        "error_no_session": "Cette séance n'existe pas.",
        "error_no_collaborator": "{name} n'est pas un collègue de cet environnement.",
        "error_no_server": "{name} n'a pas de serveur de cet environnement.",
        "error_version_conflict": (
            "Quelqu'un a enregistré cet environnement pendant que vous le modifiiez. Vos "
            "valeurs sont conservées ci-dessous : comparez-les, puis enregistrez à nouveau."
        ),
        "error_invalid": "Certaines valeurs ne sont pas valides.",
        "error_json": "Le corps de la requête doit être un objet JSON.",
        "error_405": "Cette adresse n'accepte pas cette méthode.",
        "error_login_required": "Connectez-vous d'abord (ou envoyez un jeton d'API).",
        "error_bad_date": "« {value} » n'est pas une date (AAAA-MM-JJ).",
        "error_join_unknown": (
            "Ce lien d'inscription ne fonctionne pas : demandez-en un nouveau à votre enseignant."
        ),
        "error_join_expired": (
            "Ce lien d'inscription a expiré : demandez-en un nouveau à votre enseignant."
        ),
        "error_archived": "L'environnement « {name} » est archivé.",
        "field_name": (
            "1 à 30 caractères : minuscules, chiffres et « - », commençant par une lettre ou un "
            "chiffre."
        ),
        "field_name_taken": "Ce nom est déjà pris : choisissez-en un autre.",
        "field_too_long": "Ce texte est trop long.",
        "field_image": "Choisissez une des images proposées.",
        "field_status": "Choisissez un statut parmi Brouillon, Test, Prêt et Archivé.",
        "field_cpu": "Donnez un nombre de CPU entre 0,1 et 64.",
        "field_cpu_reservation": "Donnez un nombre de CPU entre 0 et 64.",
        "field_reservation_above_limit": "La réservation ne peut pas dépasser la limite.",
        "field_size": "Donnez une taille comme 512M ou 2G.",
        "field_gpus": "Donnez un nombre de GPU entre 0 et 8.",
        "field_compute_type": (
            "Choisissez un type de calcul proposé par les nœuds de la plateforme."
        ),
        "field_idle": "Donnez un nombre de minutes (0 : jamais d'arrêt pour inactivité).",
        "field_interfaces": "Choisissez parmi les interfaces proposées.",
        "field_timezone": "Donnez un fuseau horaire comme Europe/Paris.",
        "field_datetime": "Donnez une date et une heure.",
        "field_end_before_start": "La séance doit finir après son début.",
        "field_students": "Donnez un nombre d'étudiants entre 0 et 2000.",
        "field_username": (
            "Donnez le nom d'utilisateur du collègue, tel que la plateforme l'affiche."
        ),
        "field_permission": "Choisissez « voir » ou « modifier ».",
        "field_unknown_user": (
            "Personne n'a ce nom d'utilisateur sur la plateforme : "
            "il doit s'être connecté une fois."
        ),
        "field_owner_is_collaborator": "C'est le propriétaire de l'environnement.",
        "field_days": "Donnez un nombre de jours entre 1 et 366.",
        "field_version": "Donnez la version dont vous êtes parti (un nombre).",
    },
}
