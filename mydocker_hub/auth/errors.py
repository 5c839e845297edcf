"""Refusals of a login or launch, with messages a student or a Moodle admin understands."""

from tornado.web import HTTPError


class LoginRefused(HTTPError):
    """A login or launch that is refused, with its reason for the person who sees it.

    The message is shown as it is on the error page; `log_message` stays free
    of ``%`` so that Tornado never formats it.
    """

    def __init__(self, status_code, message):
        super().__init__(status_code, message.replace("%", "%%"))
        self.jupyterhub_message = message


def clock_skew_message(seconds):
    """Say, in English and in French, that a clock is off by about N minutes.

    >>> clock_skew_message(600).startswith("The clock of this computer")
    True
    """
    minutes = max(1, round(abs(seconds) / 60))
    unit_en = "minute" if minutes == 1 else "minutes"
    unit_fr = "minute" if minutes == 1 else "minutes"
    return (
        f"The clock of this computer or of the learning platform (LMS) is off by about "
        f"{minutes} {unit_en}: the launch was refused. Ask the platform's administrator to set "
        "the time right (NTP), then try again. / "
        f"L'horloge de cet ordinateur ou de la plateforme pédagogique (LMS) est décalée "
        f"d'environ {minutes} {unit_fr} : la connexion a été refusée. Demandez à "
        "l'administrateur de la plateforme de remettre l'heure à jour (NTP), puis réessayez."
    )
