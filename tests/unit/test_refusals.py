"""A refused start speaks the student's language: English or French, from the browser."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from test_spawner import spawner

from mydocker_hub import refusals
from mydocker_hub.environments import Environment, access_refusal
from mydocker_hub.sessions import Session, start_refusal
from mydocker_hub.spawner import SpawnError


def handler(accept_language):
    return SimpleNamespace(request=SimpleNamespace(headers={"Accept-Language": accept_language}))


@pytest.mark.parametrize(
    "kwargs, english, french",
    [
        (
            {"status": "ARCHIVED"},
            "The environment “Python” is archived and can no longer be started.",
            "L'environnement « Python » est archivé et ne peut plus être démarré.",
        ),
        (
            {"status": "DRAFT"},
            "The environment “Python” is not open to students yet.",
            "L'environnement « Python » n'est pas encore ouvert aux étudiants.",
        ),
        (
            {},
            "You are not enrolled in the environment “Python”. "
            "Use the link or the activity your teacher gave you.",
            "Vous n'êtes pas inscrit à l'environnement « Python ». "
            "Utilisez le lien ou l'activité que votre enseignant vous a donnés.",
        ),
    ],
)
def test_access_refusals_in_both_languages(kwargs, english, french):
    environment = Environment(name="py", title="Python", image="img:1", **kwargs)
    assert access_refusal(environment, "eleve") == english
    assert access_refusal(environment, "eleve", lang="fr") == french


def test_a_session_not_open_yet_tells_the_time_in_its_zone_in_french():
    session = Session(start="2099-01-05T14:00", end="2099-01-05T16:00", block_before_start=True)
    now = datetime(2099, 1, 1, tzinfo=UTC)
    assert start_refusal([session], now) == (
        "This environment opens on Monday 05 January 2099 at 14:00 (Europe/Paris). Come back then."
    )
    assert start_refusal([session], now, lang="fr") == (
        "Cet environnement ouvre le lundi 5 janvier 2099 à 14:00 (Europe/Paris). "
        "Revenez à ce moment-là."
    )


@pytest.mark.parametrize(
    "accept_language, lang",
    [("fr-FR,fr;q=0.9,en;q=0.8", "fr"), ("en-GB", "en"), ("de-DE", "en"), (None, "en")],
)
def test_the_language_comes_from_the_request_behind_the_start(accept_language, lang):
    assert refusals.language_of(handler(accept_language) if accept_language else None) == lang


async def test_the_spawner_refuses_in_the_browsers_language(database):
    s = spawner("private")
    s.handler = handler("fr-FR,fr;q=0.9")
    with pytest.raises(SpawnError) as error:
        await s.resolve_environment()
    assert error.value.status_code == 403
    assert str(error.value.jupyterhub_message).startswith(
        "Vous n'êtes pas inscrit à l'environnement « private »."
    )
    s = spawner("absent")
    s.handler = handler("fr")
    with pytest.raises(SpawnError) as error:
        await s.resolve_environment()
    assert error.value.jupyterhub_message == "Il n'y a pas d'environnement appelé « absent »."
