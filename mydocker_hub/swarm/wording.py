"""What the progress page says to a student during a start, in English or in French.

The English sentence is the key (as with gettext): the code reads in English,
and `FRENCH` gives each sentence's French, with the same ``{placeholders}``.
A unit test checks that every sentence the spawner says has its French.
The language is the browser's of the request that asked for the start
(`mydocker_hub.refusals.language_of`).
"""

FRENCH = {
    # progress
    "Fetching the image: {percent}%": "Récupération de l'image : {percent} %",
    "Fetching the image {image}": "Récupération de l'image {image}",
    "Creating your “{title}” environment": "Création de votre environnement « {title} »",
    "Your environment is running; waiting for it to answer": (
        "Votre environnement tourne ; attente de sa réponse"
    ),
    "Task {state}": "Tâche : {state}",
    "Task {state} on {node}": "Tâche : {state} sur {node}",
    "Many servers are starting: waiting in line ({ahead})": (
        "Beaucoup de serveurs démarrent : vous patientez ({ahead})"
    ),
    "Many servers are starting: waiting in line ({ahead}, {expected})": (
        "Beaucoup de serveurs démarrent : vous patientez ({ahead}, {expected})"
    ),
    "{count} start(s) before yours": "{count} démarrage(s) avant le vôtre",
    "yours is next": "vous êtes le prochain",
    "about {seconds} s": "environ {seconds} s",
    "about {minutes} min": "environ {minutes} min",
    # failures
    "Your environment did not start within {seconds} seconds. "
    "Try again; if it persists, tell your teacher.": (
        "Votre environnement n'a pas démarré en {seconds} secondes. "
        "Réessayez ; si cela persiste, prévenez votre enseignant."
    ),
    "So many servers are starting that yours could not start within {seconds} seconds. "
    "Try again in a few minutes.": (
        "Tant de serveurs démarrent que le vôtre n'a pas pu démarrer en {seconds} secondes. "
        "Réessayez dans quelques minutes."
    ),
    "The software image of this environment is not on this platform. "
    "Tell your teacher: it must be built again.": (
        "L'image logicielle de cet environnement n'est pas sur cette plateforme. "
        "Prévenez votre enseignant : elle doit être reconstruite."
    ),
    "The software image of this environment took more than {seconds} seconds to fetch. "
    "Try again in a few minutes; if it persists, tell your teacher.": (
        "La récupération de l'image logicielle de cet environnement a pris plus de "
        "{seconds} secondes. Réessayez dans quelques minutes ; si cela persiste, "
        "prévenez votre enseignant."
    ),
    "The software image of this environment runs as the administrator (root), which the "
    "platform does not allow. Tell your teacher: its Dockerfile must end with a USER line "
    "naming an ordinary user.": (
        "L'image logicielle de cet environnement s'exécute en administrateur (root), ce que "
        "la plateforme n'autorise pas. Prévenez votre enseignant : son Dockerfile doit "
        "finir par une ligne USER nommant un utilisateur ordinaire."
    ),
    "The software image of this environment could not be checked. "
    "Try again in a few minutes; if it persists, tell your teacher.": (
        "L'image logicielle de cet environnement n'a pas pu être vérifiée. "
        "Réessayez dans quelques minutes ; si cela persiste, prévenez votre enseignant."
    ),
    "The software image of this environment could not be fetched. "
    "Try again in a few minutes; if it persists, tell your teacher.": (
        "L'image logicielle de cet environnement n'a pas pu être récupérée. "
        "Réessayez dans quelques minutes ; si cela persiste, prévenez votre enseignant."
    ),
    "Your environment started but did not answer within {seconds} seconds. "
    "Try again; if it persists, tell your teacher.": (
        "Votre environnement a démarré mais n'a pas répondu en {seconds} secondes. "
        "Réessayez ; si cela persiste, prévenez votre enseignant."
    ),
    "Your environment stopped while starting ({state}).": (
        "Votre environnement s'est arrêté pendant son démarrage ({state})."
    ),
    "Your environment runs but is not on the network {network}. "
    "Tell the platform's administrators.": (
        "Votre environnement tourne mais n'est pas sur le réseau {network}. "
        "Prévenez les administrateurs de la plateforme."
    ),
    # a task that will not run (`messages.task_failure`)
    "No machine has enough free CPU, memory or GPUs for this environment right now. "
    "Try again in a few minutes; if it persists, tell your teacher.": (
        "Aucune machine n'a assez de CPU, de mémoire ou de GPU libres pour cet environnement "
        "en ce moment. Réessayez dans quelques minutes ; si cela persiste, prévenez votre "
        "enseignant."
    ),
    "No machine of the kind this environment needs is available right now ({error}). "
    "Tell your teacher.": (
        "Aucune machine du type qu'il faut à cet environnement n'est disponible en ce moment "
        "({error}). Prévenez votre enseignant."
    ),
    "The software image of this environment is not available on the machine chosen for it. "
    "Tell your teacher: the image must be built or published again.": (
        "L'image logicielle de cet environnement n'est pas disponible sur la machine choisie. "
        "Prévenez votre enseignant : l'image doit être reconstruite ou republiée."
    ),
    "Your environment ran out of memory{limit} and was stopped. "
    "Free some memory (close notebooks you do not use) and start it again.": (
        "Votre environnement a manqué de mémoire{limit} et a été arrêté. Libérez de la "
        "mémoire (fermez les notebooks inutilisés) et redémarrez-le."
    ),
    "The machine refused to start your environment: {error}. Tell your teacher.": (
        "La machine a refusé de démarrer votre environnement : {error}. Prévenez votre enseignant."
    ),
    "Your environment stopped while starting{detail}{reason}. Tell your teacher.": (
        "Votre environnement s'est arrêté pendant son démarrage{detail}{reason}. "
        "Prévenez votre enseignant."
    ),
    " (exit code {code})": " (code de sortie {code})",
    # disk (`disk.warning`)
    "Your folders use {used}, more than the {quota} this environment allows: "
    "delete or download files now, before you lose work.": (
        "Vos dossiers occupent {used}, plus que les {quota} permis par cet environnement : "
        "supprimez ou téléchargez des fichiers maintenant, avant de perdre du travail."
    ),
    "Warning: your folders use {used} of the {quota} this environment allows. "
    "Free some space soon.": (
        "Attention : vos dossiers occupent {used} des {quota} permis par cet environnement. "
        "Libérez de la place bientôt."
    ),
}


def say(english, lang="en", **values):
    """`english` (a template of `FRENCH`'s keys) in `lang`, filled with `values`."""
    template = FRENCH.get(english, english) if lang == "fr" else english
    return template.format(**values)
