"""Which language a page is in, and that both languages say everything."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mydocker_hub.portal import i18n


def test_both_languages_have_every_message():
    assert set(i18n.MESSAGES["fr"]) == set(i18n.MESSAGES["en"])
    for lang in i18n.LANGUAGES:
        assert all(text.strip() for text in i18n.MESSAGES[lang].values())


@pytest.mark.parametrize(
    "cookie, header, lang",
    [
        pytest.param(None, None, "en", id="nothing"),
        pytest.param(None, "fr", "fr", id="fr"),
        pytest.param(None, "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr", id="chrome-fr"),
        pytest.param(None, "de-DE,de;q=0.9,fr;q=0.5,en;q=0.4", "fr", id="german-then-fr"),
        pytest.param(None, "en;q=0.5,fr;q=0.8", "fr", id="quality-order"),
        pytest.param(None, "fr;q=0,en", "en", id="q-zero-refuses"),
        pytest.param(None, "de, es", "en", id="unknown-languages"),
        pytest.param(None, "fr;q=abc", "en", id="broken-quality"),
        pytest.param("en", "fr", "en", id="switch-wins"),
        pytest.param("fr", None, "fr", id="switch-alone"),
        pytest.param("xx", "fr", "fr", id="bad-cookie-ignored"),
    ],
)
def test_choose_language(cookie, header, lang):
    assert i18n.choose_language(cookie, header) == lang


def test_translator_formats_values():
    assert i18n.translator("fr")("error_not_yours", name="x") == (
        "Il n'y a pas d'environnement « x » dans votre liste."
    )
    assert i18n.translator("de")("start") == "Start"


def test_a_slot_is_told_in_its_zone_and_language():
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2026, 3, 3, 14, 0, tzinfo=paris)
    end = datetime(2026, 3, 3, 16, 30, tzinfo=paris)
    assert i18n.format_slot(start, end, "Europe/Paris", "fr") == (
        "mardi 3 mars 2026, 14:00–16:30 (Europe/Paris)"
    )
    assert i18n.format_slot(start, end, "Europe/Paris", "en") == (
        "Tuesday 3 March 2026, 14:00–16:30 (Europe/Paris)"
    )
    overnight = datetime(2026, 3, 4, 2, 0, tzinfo=paris)
    assert i18n.format_slot(start, overnight, "Europe/Paris", "en") == (
        "Tuesday 3 March 2026, 14:00–4 March 2026 02:00 (Europe/Paris)"
    )
