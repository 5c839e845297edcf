"""One person, one account: normalisation, reversible escaping and identity links."""

import re

import pytest

from mydocker_hub.auth.identity import Identity
from mydocker_hub.auth.store import MemoryLinkStore
from mydocker_hub.auth.usernames import (
    UsernameError,
    normalise_username,
    original_name,
    resolve_username,
)
from mydocker_hub.swarm.names import escape_name


@pytest.mark.parametrize(
    "value, name",
    [
        ("Jean.Dupont@Univ.FR", "jean.dupont@univ.fr"),
        (["Jean.Dupont@Univ.FR", "other@x"], "jean.dupont@univ.fr"),
        (["", None, "lea@univ.fr"], "lea@univ.fr"),
        ("  spaced  ", "spaced"),
        ("a b", "a~20b"),
        ("é", "~c3~a9"),
        ("12345@moodle", "12345@moodle"),
    ],
    ids=["case", "list", "list-with-blanks", "strip", "space-escaped", "accent-escaped", "lti-id"],
)
def test_normalise_username(value, name):
    assert normalise_username(value) == name


@pytest.mark.parametrize("text", ["a b", "é", "x~y", "o'neil@univ.fr"])
def test_escaping_is_reversible(text):
    assert original_name(normalise_username(text)) == text


def test_usernames_also_escape_into_docker_names():
    name = normalise_username("Jean Dupont@univ.fr")
    assert re.fullmatch(r"[a-zA-Z0-9-]+", escape_name(name))


@pytest.mark.parametrize(
    "value", ["", [], None, ["", " "]], ids=["empty", "empty-list", "none", "blanks"]
)
def test_no_usable_name_is_an_error(value):
    with pytest.raises(UsernameError):
        normalise_username(value)


def test_untrusted_source_gets_a_scoped_name_even_when_the_email_matches():
    links = MemoryLinkStore()
    federation = Identity("oidc", "federation", "s1", "jean@univ.fr", trusted=True)
    lms = Identity("lti11", "moodle", "42", "jean@univ.fr", trusted=False)
    assert resolve_username(federation, links) == "jean@univ.fr"
    assert resolve_username(lms, links) == "42@moodle"


def test_trusted_sources_with_the_same_verified_name_share_one_account():
    links = MemoryLinkStore()
    federation = Identity("oidc", "federation", "s1", "Jean@Univ.fr", trusted=True)
    lms = Identity("lti13", "moodle", "u-9", "jean@univ.fr", trusted=True)
    assert resolve_username(federation, links) == resolve_username(lms, links) == "jean@univ.fr"


def test_a_person_keeps_their_first_username_when_their_email_changes():
    links = MemoryLinkStore()
    first = Identity("lti13", "moodle", "u-1", "old@univ.fr", trusted=True)
    later = Identity("lti13", "moodle", "u-1", "new@univ.fr", trusted=True)
    assert resolve_username(first, links) == "old@univ.fr"
    assert resolve_username(later, links) == "old@univ.fr"


def test_same_subject_on_two_consumers_are_two_people():
    links = MemoryLinkStore()
    a = Identity("lti11", "moodle-a", "7")
    b = Identity("lti11", "moodle-b", "7")
    assert resolve_username(a, links) != resolve_username(b, links)
