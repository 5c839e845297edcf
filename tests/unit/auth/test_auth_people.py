"""Display names and LMS links: what each source says, cleaned, and how the store keeps it."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from mydocker_hub import db
from mydocker_hub.auth import store
from mydocker_hub.auth.identity import Identity, clean_email, clean_text, person_name
from mydocker_hub.auth.lti11 import LTI11Launches
from mydocker_hub.auth.lti13 import CLAIM, LTI13Launches, Platform
from mydocker_hub.auth.oidc import FederationOIDC

T0 = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


# -- cleaning -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, cleaned",
    [
        ("  Marie   Curie ", "Marie Curie"),
        ("Marie\nCurie\r\n", "Marie Curie"),
        ("Marie\x00\x07Curie", "Marie Curie"),
        ("Marie\u2028Curie\u2029", "Marie Curie"),
        ("Marie \u202eeiruC", "Marie eiruC"),
        ("Ma\u2066rie\u2069", "Marie"),
        ("Ali\ud800ce", "Alice"),
        ("Zo\u0065\u0301", "Zo\u00e9"),
        ("\u0645\u06cc\u200c\u0631\u0648", "\u0645\u06cc\u200c\u0631\u0648"),
        (["", "Ada"], "Ada"),
        (None, ""),
        (42, ""),
        ({"name": "x"}, ""),
    ],
    ids=[
        "spaces",
        "line-breaks",
        "control-characters",
        "unicode-line-separators",
        "bidi-override",
        "bidi-isolates",
        "lone-surrogate",
        "nfc",
        "zero-width-non-joiner-kept",
        "list",
        "none",
        "number",
        "dict",
    ],
)
def test_clean_text(value, cleaned):
    assert clean_text(value) == cleaned


def test_names_are_capped_at_200_characters():
    assert clean_text("é" * 500) == "é" * 200
    assert clean_text("a " * 150) == ("a " * 100).strip()
    assert len(person_name("", "x" * 150, "y" * 150)) == 200


def test_person_name_prefers_the_full_name_then_given_and_family():
    assert person_name("Ada Lovelace", "Ada", "King") == "Ada Lovelace"
    assert person_name("", "Marie", "Curie") == "Marie Curie"
    assert person_name("  ", "Marie", None) == "Marie"
    assert person_name(None, None, ["Curie"]) == "Curie"
    assert person_name() == ""


@pytest.mark.parametrize(
    "value, cleaned",
    [
        ("marie@univ.fr", "marie@univ.fr"),
        (" marie@univ.fr\n", "marie@univ.fr"),
        (["marie@univ.fr"], "marie@univ.fr"),
        ("not an email", ""),
        ("marie @univ.fr", ""),
        ("@univ.fr", ""),
        ("x@" + "y" * 300, ""),
        ("x@" + "y" * 252, "x@" + "y" * 252),
        (None, ""),
    ],
)
def test_clean_email(value, cleaned):
    assert clean_email(value) == cleaned


# -- what each source says ------------------------------------------------------------


def lti11_args(**extra):
    return {
        "oauth_consumer_key": "moodle",
        "user_id": "u1",
        "resource_link_id": "act-1",
        "context_id": "course-1",
        **extra,
    }


def test_lti11_full_name_email_and_titles():
    identity = LTI11Launches(consumers={"moodle": "s"}).identity(
        lti11_args(
            lis_person_name_full="Marie\tCurie",
            lis_person_name_given="M.",
            lis_person_name_family="C.",
            lis_person_contact_email_primary="marie@univ.fr",
            context_title="Physique\n(L1)",
            resource_link_title="TP 1",
        )
    )
    assert identity.display_name == "Marie Curie"
    assert identity.email == "marie@univ.fr"
    assert (identity.context_title, identity.activity_title) == ("Physique (L1)", "TP 1")
    assert (identity.context_id, identity.activity_id) == ("course-1", "act-1")


def test_lti11_given_and_family_names_without_a_full_name():
    identity = LTI11Launches(consumers={"moodle": "s"}).identity(
        lti11_args(lis_person_name_given="Marie", lis_person_name_family="Curie")
    )
    assert identity.display_name == "Marie Curie"
    assert identity.email == ""


def test_lti11_launch_without_a_name_has_none():
    identity = LTI11Launches(consumers={"moodle": "s"}).identity(lti11_args())
    assert (identity.display_name, identity.email, identity.context_title) == ("", "", "")


PLATFORM = Platform(
    issuer="https://lms.example",
    client_id="tool",
    auth_login_url="https://lms.example/auth",
    jwks_url="https://lms.example/jwks",
    name="lms",
)


def lti13_identity(**claims):
    base = {"sub": "u1", CLAIM + "roles": [], CLAIM + "resource_link": {"id": "r:1"}}
    return LTI13Launches(platforms=[PLATFORM]).identity(PLATFORM, {**base, **claims})


def test_lti13_name_claim_email_and_titles():
    identity = lti13_identity(
        name="Ada Lovelace",
        given_name="Ada",
        family_name="King",
        email="ada@lms.example",
        **{
            CLAIM + "context": {"id": "c:1", "title": "Maths"},
            CLAIM + "resource_link": {"id": "r:1", "title": "Notebook\x00 1"},
        },
    )
    assert identity.display_name == "Ada Lovelace"
    assert identity.email == "ada@lms.example"
    assert (identity.context_title, identity.activity_title) == ("Maths", "Notebook 1")
    # the LMS's own ids, even when they contain ":"
    assert (identity.context_id, identity.activity_id) == ("c:1", "r:1")


def test_lti13_given_and_family_names_without_a_name():
    assert lti13_identity(given_name="Ada", family_name="King").display_name == "Ada King"
    assert lti13_identity(name=["not", "a", "string"]).display_name == "not"
    assert lti13_identity(name={"x": 1}).display_name == ""


async def oidc_identity(user_info):
    federation = FederationOIDC(client_id="hub", authorize_url="https://idp.example/auth")

    async def authenticate(handler):
        return {"name": "jean@univ.fr", "auth_state": {federation.user_auth_state_key: user_info}}

    federation.authenticate = authenticate
    return await federation.identify(None)


async def test_oidc_name_or_given_and_family_names():
    named = await oidc_identity({"sub": "s1", "name": ["Jean Dupont"], "email": "j@univ.fr"})
    assert (named.display_name, named.email) == ("Jean Dupont", "j@univ.fr")
    parts = await oidc_identity({"sub": "s1", "given_name": ["Jean"], "family_name": "Dupont"})
    assert parts.display_name == "Jean Dupont"
    nothing = await oidc_identity({"sub": "s1"})
    assert (nothing.display_name, nothing.email) == ("", "")


# -- people in the database ---------------------------------------------------------------


def person(username):
    with db.session() as session:
        row = session.get(store.Person, username)
        return None if row is None else (row.display_name, row.email)


def test_a_person_is_recorded_then_updated_only_when_the_name_changes():
    with db.session() as session:
        assert store.record_person(session, "u1@moodle", "Marie Curie", "m@univ.fr", now=T0)
    with db.session() as session:
        assert not store.record_person(session, "u1@moodle", "Marie Curie", "m@univ.fr")
        assert session.get(store.Person, "u1@moodle").updated.replace(tzinfo=UTC) == T0
    with db.session() as session:
        assert store.record_person(session, "u1@moodle", "Marie Skłodowska-Curie", "")
    assert person("u1@moodle") == ("Marie Skłodowska-Curie", "m@univ.fr")


def test_a_login_without_a_name_erases_nothing_and_records_nothing():
    with db.session() as session:
        assert not store.record_person(session, "prof", "", None)
        assert session.get(store.Person, "prof") is None
        store.record_person(session, "u2@lms", "Ada", None)
    with db.session() as session:
        assert not store.record_person(session, "u2@lms", "  \x00 ", "not-an-email")
    assert person("u2@lms") == ("Ada", None)
    with db.session() as session:
        assert store.record_person(session, "u2@lms", "", "ada@lms.fr")
    with db.session() as session:
        assert not store.record_person(session, "u2@lms", "Ada", None)
    assert person("u2@lms") == ("Ada", "ada@lms.fr")


def test_the_store_cleans_and_caps_what_it_is_given():
    with db.session() as session:
        store.record_person(session, "u3@lms", "Eve\u202e\n" + "x" * 400, "e@x.fr\n")
    name, email = person("u3@lms")
    assert name == "Eve " + "x" * 196 and len(name) == 200
    assert email == "e@x.fr"


def test_display_names_of_many_users_in_one_call():
    with db.session() as session:
        for i in range(1200):
            store.record_person(session, f"s{i}@lms", f"Student {i}", None)
        store.record_person(session, "only-email@lms", "", "e@lms.fr")
    wanted = [f"s{i}@lms" for i in range(0, 1200, 2)] + ["unknown@lms", "only-email@lms"]
    with db.session() as session:
        names = store.display_names(session, wanted)
        assert names == {f"s{i}@lms": f"Student {i}" for i in range(0, 1200, 2)}
        assert store.display_name(session, "s7@lms") == "Student 7"
        assert store.display_name(session, "unknown@lms") is None
        assert store.display_name(session, "only-email@lms") is None
        assert store.display_names(session, []) == {}


def test_the_link_store_records_people_and_survives_two_first_logins_at_once(monkeypatch):
    links = store.LinkStore()
    assert links.record_person("u4@lms", "Grace Hopper", None)
    assert not links.record_person("u4@lms", "Grace Hopper", None)
    assert person("u4@lms") == ("Grace Hopper", None)

    # the other login inserted the row between this one's read and its commit
    real_record = store.record_person

    def racing(session, username, display_name, email=None):
        with db.session() as other:
            real_record(other, username, display_name, email)
        session.add(store.Person(username=username, display_name=display_name))
        return True

    monkeypatch.setattr(store, "record_person", racing)
    assert links.record_person("u5@lms", "Alan Turing", None) is False
    assert person("u5@lms") == ("Alan Turing", None)


def test_the_memory_twin_behaves_like_the_database():
    links = store.MemoryLinkStore()
    assert links.record_person("u@lms", "Ada", "")
    assert not links.record_person("u@lms", "Ada", None)
    assert not links.record_person("u@lms", "", "")
    assert links.record_person("u@lms", "", "a@lms.fr")
    assert links.people["u@lms"] == ("Ada", "a@lms.fr")


# -- LMS links -------------------------------------------------------------------------


def record(now, **changes):
    values = dict(
        source="lti11",
        issuer="moodle",
        resource_link_id="act-1",
        environment="python-l1",
        context_id="course-1",
        context_title="Programmation (L1)",
        resource_link_title="TP 1",
        now=now,
    )
    values.update(changes)
    with db.session() as session:
        return store.record_lms_link(session, **values)


def links_of(environment):
    with db.session() as session:
        return store.lms_links_of(session, environment)


def test_an_lms_link_is_recorded_with_its_course_and_titles():
    assert record(T0)
    [link] = links_of("python-l1")
    assert link == {
        "source": "lti11",
        "issuer": "moodle",
        "context_id": "course-1",
        "context_title": "Programmation (L1)",
        "resource_link_id": "act-1",
        "resource_link_title": "TP 1",
        "environment": "python-l1",
        "first_seen": T0,
        "last_seen": T0,
    }
    assert links_of("other") == []


def test_last_seen_moves_at_most_once_a_minute_unless_something_changed():
    record(T0)
    assert not record(T0 + timedelta(seconds=30))
    assert links_of("python-l1")[0]["last_seen"] == T0
    assert record(T0 + timedelta(seconds=40), resource_link_title="TP 1 (new)")
    assert links_of("python-l1")[0]["resource_link_title"] == "TP 1 (new)"
    assert links_of("python-l1")[0]["last_seen"] == T0 + timedelta(seconds=40)
    assert not record(T0 + timedelta(seconds=90), resource_link_title="TP 1 (new)")
    assert record(T0 + timedelta(minutes=5), resource_link_title="TP 1 (new)")
    [link] = links_of("python-l1")
    assert (link["first_seen"], link["last_seen"]) == (T0, T0 + timedelta(minutes=5))


def test_titles_the_launch_did_not_carry_are_kept_and_new_ones_are_cleaned():
    record(T0)
    record(T0 + timedelta(hours=1), context_title="", resource_link_title=None)
    [link] = links_of("python-l1")
    assert (link["context_title"], link["resource_link_title"]) == ("Programmation (L1)", "TP 1")
    record(T0 + timedelta(hours=2), context_title="Prog\n" + "x" * 300)
    assert links_of("python-l1")[0]["context_title"] == "Prog " + "x" * 195


def test_an_activity_pointed_at_another_environment_moves_to_it():
    record(T0)
    later = T0 + timedelta(days=1)
    assert record(later, environment="intro")
    assert links_of("python-l1") == []
    [link] = links_of("intro")
    assert (link["first_seen"], link["last_seen"]) == (later, later)


def test_links_of_an_environment_latest_first_one_row_per_activity():
    record(T0)
    record(T0 + timedelta(hours=2), resource_link_id="act-2", resource_link_title="TP 2")
    record(T0 + timedelta(hours=1), issuer="other-lms", source="lti13")
    record(T0 + timedelta(hours=3), resource_link_id="act-3", environment="intro")
    found = [(link["issuer"], link["resource_link_id"]) for link in links_of("python-l1")]
    assert found == [("moodle", "act-2"), ("other-lms", "act-1"), ("moodle", "act-1")]


def launch(**changes):
    values = dict(
        source="lti13",
        issuer="lms",
        subject="u1",
        activity="lti13:lms:link:1",
        context="lti13:lms:course:1",
        context_title="Maths",
        activity_title="Notebook",
    )
    values.update(changes)
    return Identity(**values)


def test_the_link_store_records_lms_launches_only():
    links = store.LinkStore()
    assert links.record_lms_link(launch(), "python-l1")
    assert not links.record_lms_link(launch(), "python-l1")  # within the minute
    assert not links.record_lms_link(launch(source="oidc"), "python-l1")
    assert not links.record_lms_link(launch(activity=""), "python-l1")
    [link] = links_of("python-l1")
    assert (link["issuer"], link["resource_link_id"], link["context_id"]) == (
        "lms",
        "link:1",
        "course:1",
    )
    assert (link["context_title"], link["resource_link_title"]) == ("Maths", "Notebook")


def test_two_first_launches_of_an_activity_at_once_both_pass(monkeypatch):
    real_record = store.record_lms_link

    def racing(session, **values):
        with db.session() as other:
            real_record(other, **values)
        session.add(
            store.LmsLink(
                source="lti13",
                issuer=values["issuer"],
                resource_link_id=values["resource_link_id"],
                environment="python-l1",
            )
        )
        return True

    monkeypatch.setattr(store, "record_lms_link", racing)
    assert store.LinkStore().record_lms_link(launch(), "python-l1") is False
    assert len(links_of("python-l1")) == 1


def test_an_id_longer_than_the_column_is_cut():
    record(T0, resource_link_id="r" * 400, context_id="c" * 400)
    [link] = links_of("python-l1")
    assert link["resource_link_id"] == "r" * 255 and link["context_id"] == "c" * 255


def test_recording_a_link_is_quick_enough_for_a_class_storm():
    record(T0)
    start = time.perf_counter()
    for i in range(200):
        record(T0 + timedelta(seconds=i % 50))
    assert time.perf_counter() - start < 10


def test_a_pending_activity_choice_keeps_the_launchs_lms_part():
    from mydocker_hub.auth.activity_links import launch_of
    from mydocker_hub.authenticator import activity_payload

    identity = launch(
        source="lti11", issuer="moodle", activity="lti11:moodle:act-9", context="lti11:moodle:c-9"
    )
    activity, kept = launch_of(json.loads(json.dumps(activity_payload(identity))))
    assert activity == "lti11:moodle:act-9"
    assert (kept.source, kept.issuer, kept.activity_id, kept.context_id) == (
        "lti11",
        "moodle",
        "act-9",
        "c-9",
    )
    assert (kept.context_title, kept.activity_title) == ("Maths", "Notebook")
    # a choice pending from before this version: a bare activity, no launch to record
    assert launch_of("lti11:moodle:act-9") == ("lti11:moodle:act-9", None)


class BrokenStore(store.MemoryLinkStore):
    def record_person(self, *args):
        raise OSError("database is locked")

    def record_lms_link(self, *args):
        raise OSError("database is locked")


def test_a_database_error_while_recording_never_fails_a_login_or_a_launch(caplog):
    from mydocker_hub.authenticator import MyDockerAuthenticator

    auth = MyDockerAuthenticator()
    auth._links = BrokenStore()
    auth.record_person("u1@lms", launch(display_name="Ada"))
    auth.record_lms_link(launch(), "python-l1")
    assert "Could not record the display name of u1@lms" in caplog.text
    assert "Could not record the LMS link of lti13:lms:link:1" in caplog.text
