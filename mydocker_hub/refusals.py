"""What a student is told when a start is refused, in English or in French.

The spawner refuses a start before anything is created (an unknown or
archived environment, not enrolled, a session not open yet, settings the
student may not choose); the hub shows the message on its page, so it is
written in the language the student's browser asks for (English otherwise).
"""

from .portal import i18n

MESSAGES = {
    "en": {
        "archived": "The environment “{title}” is archived and can no longer be started.",
        "not_open": "The environment “{title}” is not open to students yet.",
        "not_enrolled": (
            "You are not enrolled in the environment “{title}”. "
            "Use the link or the activity your teacher gave you."
        ),
        "opens_on": "This environment opens on {when} ({zone}). Come back then.",
        "unknown": "There is no environment called “{name}”.",
        "options": (
            "These settings cannot be chosen when starting a server: {names}. "
            "They come from the environment."
        ),
        "other_server": "This server belongs to the environment “{name}”, not “{requested}”.",
    },
    "fr": {
        "archived": "L'environnement « {title} » est archivé et ne peut plus être démarré.",
        "not_open": "L'environnement « {title} » n'est pas encore ouvert aux étudiants.",
        "not_enrolled": (
            "Vous n'êtes pas inscrit à l'environnement « {title} ». "
            "Utilisez le lien ou l'activité que votre enseignant vous a donnés."
        ),
        "opens_on": "Cet environnement ouvre le {when} ({zone}). Revenez à ce moment-là.",
        "unknown": "Il n'y a pas d'environnement appelé « {name} ».",
        "options": (
            "Ces réglages ne peuvent pas être choisis au démarrage d'un serveur : {names}. "
            "Ils viennent de l'environnement."
        ),
        "other_server": (
            "Ce serveur appartient à l'environnement « {name} », pas à « {requested} »."
        ),
    },
}


def say(key, lang="en", **values):
    """The message `key` in `lang` (English when the language is not offered)."""
    return MESSAGES.get(lang, MESSAGES["en"])[key].format(**values)


def opening_time(moment, lang="en"):
    """When a session opens, in its zone: 'Monday 05 January 2099 at 14:00'."""
    if lang == "fr":
        day = i18n.DAYS["fr"][moment.weekday()]
        return f"{day} {i18n.format_date(moment, 'fr')} à {moment:%H:%M}"
    return f"{moment:%A %d %B %Y at %H:%M}"


def language_of(handler):
    """The language of the request behind a start (English without one, as for the API)."""
    request = getattr(handler, "request", None)
    if request is None:
        return "en"
    return i18n.choose_language(None, request.headers.get("Accept-Language"))
