"""Every sentence the spawner says to a student has its French, with the same placeholders."""

import ast
import pathlib
from string import Formatter

import pytest

from mydocker_hub.swarm import disk, estimate, messages, wording

PACKAGE = pathlib.Path(wording.__file__).parent.parent
SOURCES = [PACKAGE / "spawner.py", *sorted((PACKAGE / "swarm").glob("*.py"))]


def said(path):
    """The English templates given to `say` / `self.say` in a source file."""
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = getattr(getattr(func, "value", None), "id", "")
        if name == "say" and owner != "refusals" and isinstance(node.args[0], ast.Constant):
            yield node.args[0].value


SAID = sorted({text for path in SOURCES for text in said(path)})


def fields(template):
    return sorted(name for _, name, _, _ in Formatter().parse(template) if name)


def test_the_spawner_says_many_sentences():
    assert len(SAID) >= 30  # the scan found them: an empty scan would prove nothing


@pytest.mark.parametrize("english", SAID)
def test_each_sentence_has_its_french_with_the_same_placeholders(english):
    assert english in wording.FRENCH, f"no French for: {english}"
    french = wording.FRENCH[english]
    assert fields(french) == fields(english)
    assert french != english


def test_no_french_is_left_for_a_sentence_nobody_says():
    assert sorted(set(wording.FRENCH) - set(SAID)) == []


def test_english_is_said_as_written_and_french_when_asked():
    assert wording.say("Task {state} on {node}", state="running", node="vm") == (
        "Task running on vm"
    )
    assert wording.say("Task {state} on {node}", "fr", state="running", node="vm") == (
        "Tâche : running sur vm"
    )
    assert wording.say("Task {state}", "de", state="x") == "Task x"  # English otherwise


def test_waiting_in_line_in_french():
    assert estimate.queue_message(3, 40, "fr") == (
        "Beaucoup de serveurs démarrent : vous patientez "
        "(2 démarrage(s) avant le vôtre, environ 40 s)"
    )
    assert estimate.queue_message(1, None) == (
        "Many servers are starting: waiting in line (yours is next)"
    )


def test_a_failed_task_and_a_full_disk_in_french():
    assert messages.task_failure("failed", "", 137, "2G", "fr") == (
        "Votre environnement a manqué de mémoire (2G) et a été arrêté. Libérez de la "
        "mémoire (fermez les notebooks inutilisés) et redémarrez-le."
    )
    assert disk.warning(3 * 2**30, "2G", 0.8, "fr").startswith("Vos dossiers occupent 3.2 GB, plus")
