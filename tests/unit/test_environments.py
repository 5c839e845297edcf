import pytest

from mydocker_hub.environments import (
    Environment,
    StaticEnvironmentCatalog,
    access_refusal,
)


def env(**kw):
    return Environment(name="python", image="img", teachers={"teach"}, **kw)


@pytest.mark.parametrize(
    "environment, user, admin, enrolled, allowed",
    [
        pytest.param(env(status="READY", public=True), "stud", False, False, True, id="public"),
        pytest.param(env(status="READY"), "stud", False, True, True, id="enrolled"),
        pytest.param(env(status="READY"), "stud", False, False, False, id="not-enrolled"),
        pytest.param(env(status="READY"), "teach", False, False, True, id="teacher"),
        pytest.param(env(status="DRAFT"), "stud", False, True, False, id="draft-student"),
        pytest.param(env(status="TEST"), "teach", False, False, True, id="test-teacher"),
        pytest.param(env(status="TEST"), "root", True, False, True, id="test-admin"),
        pytest.param(env(status="ARCHIVED"), "teach", True, True, False, id="archived-never"),
    ],
)
def test_who_may_start_an_environment(environment, user, admin, enrolled, allowed):
    refusal = access_refusal(environment, user, is_admin=admin, enrolled=enrolled)
    assert (refusal is None) == allowed


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "Bad Name", "image": "i"}, "must be 1 to 30"),
        ({"name": "x" * 31, "image": "i"}, "must be 1 to 30"),
        ({"name": "ok", "image": ""}, "an image is required"),
        ({"name": "ok", "image": "i", "status": "OPEN"}, "status must be"),
        ({"name": "ok", "image": "i", "cpu_limit": 0}, "CPU values"),
        ({"name": "ok", "image": "i", "privileged": True}, "unknown keys"),
    ],
    ids=["spaces", "too-long", "no-image", "bad-status", "zero-cpu", "unknown-key"],
)
def test_bad_environment_definitions_are_refused(data, message):
    with pytest.raises(ValueError, match=message):
        Environment.from_dict(data)


def test_catalog_enrolment_opens_a_private_environment(database):
    catalog = StaticEnvironmentCatalog(environments=[{"name": "python", "image": "img"}])
    python = catalog.get("python")
    assert catalog.refusal(python, "stud") is not None
    catalog.enrol("python", "stud")
    catalog.enrol("python", "stud")
    assert catalog.refusal(python, "stud") is None
    assert [e.name for e in catalog.for_user("stud")] == ["python"]
    assert catalog.for_user("other") == []
    assert catalog.get("missing") is None
