"""The portal's words in French and English, and which language a request gets.

No gettext: the portal has few strings, and keeping both languages side by
side in one table makes a missing translation a failing unit test. A page
asks `translator(lang)` for a function ``_("key", **values)``. The language
is the reader's choice (the `LANGUAGE_COOKIE`, set by the switch on every
page), else the first of French or English in the browser's
``Accept-Language``, else English.
"""

from datetime import datetime

from . import image_messages, teacher_messages

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "mydocker-lang"

MESSAGES = {
    "en": {
        "my_environments": "My environments",
        "intro": "The environments you can start. Your files are kept between sessions.",
        "empty_title": "No environment yet",
        "empty_text": (
            "To add one, use the link your teacher gave you, "
            "or open the activity of your course in Moodle."
        ),
        "state_stopped": "Stopped",
        "state_starting": "Starting",
        "state_running": "Running",
        "state_stopping": "Stopping",
        "status_DRAFT": "Draft: only teachers see it",
        "status_TEST": "Test: only teachers see it",
        "start": "Start",
        "start_interrupted": "Your last start was interrupted by a restart of the platform. "
        "Start it again: your files are kept.",
        "open": "Open",
        "stop": "Stop",
        "follow_start": "Follow the start",
        "session_now": "Session in progress: {when}",
        "session_next": "Next session: {when}",
        "opens_on": "Opens on {when}. Come back then.",
        "when": "{day} {date}, {start}–{end} ({zone})",
        "language": "Language",
        "switch_to": "Français",
        "token": "Token",
        "admin": "Admin",
        "logout": "Log out",
        "error_title": "Something went wrong",
        "back": "Back to my environments",
        "error_400": "The request could not be understood. Go back and try again.",
        "error_403": "You do not have access to this page.",
        "error_404": "There is no such page.",
        "error_500": "An error occurred on the platform. Try again in a moment.",
        "error_hub": "The platform did not answer. Try again in a moment.",
        "error_not_yours": "There is no environment “{name}” in your list.",
        "stopped_message": "“{title}” is stopping.",
    },
    "fr": {
        "my_environments": "Mes environnements",
        "intro": (
            "Les environnements que vous pouvez démarrer. "
            "Vos fichiers sont conservés d'une séance à l'autre."
        ),
        "empty_title": "Aucun environnement pour l'instant",
        "empty_text": (
            "Pour en ajouter un, utilisez le lien que votre enseignant vous a donné, "
            "ou ouvrez l'activité de votre cours dans Moodle."
        ),
        "state_stopped": "Arrêté",
        "state_starting": "En cours de démarrage",
        "state_running": "En marche",
        "state_stopping": "En cours d'arrêt",
        "status_DRAFT": "Brouillon : visible des seuls enseignants",
        "status_TEST": "Test : visible des seuls enseignants",
        "start": "Démarrer",
        "start_interrupted": "Votre dernier démarrage a été interrompu par un redémarrage de la "
        "plateforme. Relancez-le : vos fichiers sont conservés.",
        "open": "Ouvrir",
        "stop": "Arrêter",
        "follow_start": "Suivre le démarrage",
        "session_now": "Séance en cours : {when}",
        "session_next": "Prochaine séance : {when}",
        "opens_on": "Ouvre le {when}. Revenez à ce moment-là.",
        "when": "{day} {date}, {start}–{end} ({zone})",
        "language": "Langue",
        "switch_to": "English",
        "token": "Jeton",
        "admin": "Administration",
        "logout": "Déconnexion",
        "error_title": "Un problème est survenu",
        "back": "Retour à mes environnements",
        "error_400": "La demande n'a pas pu être comprise. Revenez en arrière et réessayez.",
        "error_403": "Vous n'avez pas accès à cette page.",
        "error_404": "Cette page n'existe pas.",
        "error_500": "Une erreur est survenue sur la plateforme. Réessayez dans un instant.",
        "error_hub": "La plateforme n'a pas répondu. Réessayez dans un instant.",
        "error_not_yours": "Il n'y a pas d'environnement « {name} » dans votre liste.",
        "stopped_message": "« {title} » est en cours d'arrêt.",
    },
}

DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}


def parse_accept_language(header):
    """'fr-FR,fr;q=0.9,en;q=0.8' -> ['fr-fr', 'fr', 'en'], best first (q=0 dropped)."""
    weighted = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def choose_language(cookie=None, accept_language=None):
    """The language of a page: the reader's switch, else their browser's, else English."""
    if cookie in LANGUAGES:
        return cookie
    for tag in parse_accept_language(accept_language):
        primary = tag.split("-", 1)[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def other_language(lang):
    return "en" if lang == "fr" else "fr"


def translator(lang):
    """``_(key, **values)`` in `lang` (English for an unknown language)."""
    messages = MESSAGES.get(lang, MESSAGES[DEFAULT_LANGUAGE])

    def translate(key, **values):
        text = messages[key]
        return text.format(**values) if values else text

    return translate


def format_date(moment: datetime, lang):
    """'3 March 2026' / '3 mars 2026'."""
    return f"{moment.day} {MONTHS[lang][moment.month - 1]} {moment.year}"


def format_slot(start: datetime, end: datetime, zone, lang):
    """A session's slot in its own zone: 'Tuesday 3 March 2026, 14:00–16:00 (Europe/Paris)'.

    `start` and `end` are already in the session's zone. A slot over several
    days shows the end's date too.
    """
    day = DAYS[lang][start.weekday()]
    end_text = f"{end:%H:%M}"
    if end.date() != start.date():
        end_text = f"{format_date(end, lang)} {end_text}"
    return translator(lang)(
        "when",
        day=day,
        date=format_date(start, lang),
        start=f"{start:%H:%M}",
        end=end_text,
        zone=zone,
    )


def _add(messages):
    for lang in LANGUAGES:
        MESSAGES[lang].update(messages[lang])


_add(teacher_messages.MESSAGES)
_add(image_messages.MESSAGES)
