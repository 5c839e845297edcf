"""The Dockerfile a new image starts with: accepted, non-root, in the reader's language."""

import pytest

from mydocker_hub.portal.builds import plan
from mydocker_hub.portal.builds.starter import starter_dockerfile

BASE = "mydocker/jupyterlab:0.1.0"


def _comments(text):
    return [line for line in text.splitlines() if line.startswith("#")]


def _active(text):
    return [(keyword, arguments) for _, keyword, arguments in plan.instructions(text)]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_starter_passes_the_dockerfile_check_for_its_base(lang):
    text = starter_dockerfile(BASE, lang)
    assert plan.check_dockerfile(text, [BASE]) == [BASE]
    with pytest.raises(plan.DockerfileRefused):
        plan.check_dockerfile(text, ["mydocker/other:1"])


@pytest.mark.parametrize("base", [BASE, "registry.univ.fr:5000/mydocker/python-l1:7"])
def test_the_base_image_is_the_first_from(base):
    steps = _active(starter_dockerfile(base))
    assert steps[0] == ("FROM", base)
    assert [keyword for keyword, _ in steps].count("FROM") == 1


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_image_ends_as_the_student_not_root(lang):
    steps = _active(starter_dockerfile(BASE, lang))
    users = [arguments for keyword, arguments in steps if keyword == "USER"]
    assert users == ["root", "student"]
    assert steps[-1] == ("USER", "student")


def test_only_from_and_user_are_active_the_examples_are_commented():
    text = starter_dockerfile(BASE)
    assert {keyword for keyword, _ in _active(text)} == {"FROM", "USER"}
    comments = "\n".join(_comments(text))
    for example in (
        "apt-get install",
        "rm -rf /var/lib/apt/lists/*",
        "pip install --no-cache-dir",
        "COPY --chown=student:student course/ /home/student/",
        "COPY course/ /opt/course/",
    ):
        assert example in comments
    assert len(text.splitlines()) <= 25


def test_french_comments_differ_from_english_and_are_french():
    english, french = starter_dockerfile(BASE, "en"), starter_dockerfile(BASE, "fr")
    assert _active(english) == _active(french)
    shared = set(_comments(english)) & set(_comments(french))
    assert shared and all(line.startswith(("# RUN", "#  &&", "# COPY")) for line in shared)
    assert len(set(_comments(french)) - shared) >= 5
    french_words = " ".join(_comments(french)).lower()
    for word in ("paquets", "étudiant", "dossier", "démarrage", "chaque"):
        assert word in french_words
    assert "packages" not in french_words


@pytest.mark.parametrize("lang", ["de", "", "FR-fr", None])
def test_an_unknown_language_gives_english(lang):
    assert starter_dockerfile(BASE, lang) == starter_dockerfile(BASE, "en")
    assert starter_dockerfile(BASE) == starter_dockerfile(BASE, "en")
