"""One person, one account: normalisation, reversible escaping and identity links."""

import re

import pytest

from mydocker_hub.auth.errors import LoginRefused
from mydocker_hub.auth.identity import Identity
from mydocker_hub.auth.store import MemoryLinkStore
from mydocker_hub.auth.usernames import (
    UsernameError,
    check_distinct_issuers,
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


def test_subjects_keep_their_case_so_two_people_get_two_accounts():
    links = MemoryLinkStore()
    upper = resolve_username(Identity("lti13", "lms", "AbC"), links)
    lower = resolve_username(Identity("lti13", "lms", "abc"), links)
    assert (upper, lower) == ("~41b~43@lms", "abc@lms")
    assert original_name(upper) == "AbC@lms"


def test_a_trusted_name_without_a_domain_is_not_used():
    links = MemoryLinkStore()
    identity = Identity("oidc", "federation", "s-7", "admin", trusted=True)
    assert resolve_username(identity, links) == "s-7@federation"


def test_an_outside_login_never_lands_on_a_local_account_unless_an_admin_linked_them():
    links = MemoryLinkStore()
    local_accounts = {"marie@univ.fr", "admin"}
    federation = Identity("oidc", "federation", "s-m", "marie@univ.fr", trusted=True)
    with pytest.raises(LoginRefused) as refused:
        resolve_username(federation, links, local_accounts.__contains__)
    assert refused.value.status_code == 403
    assert "administrator must link" in refused.value.jupyterhub_message
    assert links.username_of(federation.key) is None
    # an LMS whose scoped name is a local account's name gets the same answer
    scoped = Identity("lti11", "univ.fr", "marie")
    with pytest.raises(LoginRefused):
        resolve_username(scoped, links, local_accounts.__contains__)
    links.allow_join("marie@univ.fr", "federation")
    assert resolve_username(federation, links, local_accounts.__contains__) == "marie@univ.fr"
    other_source = Identity("lti13", "lms", "x", "marie@univ.fr", trusted=True)
    with pytest.raises(LoginRefused):
        resolve_username(other_source, links, local_accounts.__contains__)


def test_a_login_whose_name_is_already_another_identitys_is_refused():
    links = MemoryLinkStore()
    # an LTI 1.1 consumer named like a domain: its scoped names look like emails
    lms_student = Identity("lti11", "univ.fr", "jean")
    assert resolve_username(lms_student, links) == "jean@univ.fr"
    federation = Identity("oidc", "federation", "s-j", "jean@univ.fr", trusted=True)
    with pytest.raises(LoginRefused, match="already used by another login"):
        resolve_username(federation, links)
    # and the other way round: a scoped name never joins a verified one
    links = MemoryLinkStore()
    assert resolve_username(federation, links) == "jean@univ.fr"
    with pytest.raises(LoginRefused, match="already used by another login"):
        resolve_username(lms_student, links)


def test_a_person_already_linked_logs_in_again():
    links = MemoryLinkStore()
    identity = Identity("lti11", "univ.fr", "jean")
    assert resolve_username(identity, links) == resolve_username(identity, links)


def test_login_sources_must_scope_usernames_with_distinct_names():
    check_distinct_issuers([("moodle", "LTI 1.1"), ("lms", "LTI 1.3")])
    with pytest.raises(ValueError, match="both named 'Moodle'"):
        check_distinct_issuers([("moodle", "LTI 1.1"), ("Moodle", "LTI 1.3")])
