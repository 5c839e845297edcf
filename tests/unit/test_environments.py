import pytest
from sqlalchemy import select
from traitlets.config import Config

from mydocker_hub import db
from mydocker_hub.environments import (
    DatabaseEnvironmentCatalog,
    Environment,
    StaticEnvironmentCatalog,
    access_refusal,
)
from mydocker_hub.portal.models import EnvironmentRecord


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


FULL = {
    "name": "gpu-l3",
    "title": "Deep learning (L3)",
    "description": "PyTorch",
    "image": "mydocker/torch:1",
    "status": "TEST",
    "public": True,
    "teachers": ["alice", "bob"],
    "cpu_limit": 4.0,
    "cpu_reservation": 1.0,
    "mem_limit": "8G",
    "mem_reservation": "2G",
    "gpus": 1,
    "pids_limit": 512,
    "compute_type": "gpu",
    "home_volume": False,
    "work_volume": True,
    "disk_quota": "5G",
    "idle_timeout": 600,
    "interfaces": ["jupyterlab", "vscode"],
    "sessions": [
        {
            "start": "2030-01-07T08:00",
            "end": "2030-01-07T10:00",
            "timezone": "Europe/Paris",
            "expected_students": 30,
            "block_before_start": True,
            "stop_at_end": True,
        }
    ],
}


def test_database_catalog_keeps_every_field_of_a_configured_environment(database):
    catalog = DatabaseEnvironmentCatalog(environments=[FULL], cache_seconds=0)
    assert catalog.get("gpu-l3") == Environment.from_dict(FULL)
    session = catalog.get("gpu-l3").sessions[0]
    assert session.start.isoformat() == "2030-01-07T08:00:00+01:00"
    # after a restart, the same configuration gives the same environment
    again = DatabaseEnvironmentCatalog(environments=[FULL], cache_seconds=0)
    assert again.get("gpu-l3") == Environment.from_dict(FULL)


def test_database_catalog_follows_the_configuration_and_archives_what_leaves_it(database):
    first = [{"name": "python", "image": "img:1"}, {"name": "old", "image": "img:1"}]
    catalog = DatabaseEnvironmentCatalog(environments=first, cache_seconds=0)
    catalog.enrol("old", "stud")
    catalog = DatabaseEnvironmentCatalog(
        environments=[{"name": "python", "image": "img:2"}], cache_seconds=0
    )
    assert catalog.get("python").image == "img:2"
    assert catalog.get("old").status == "ARCHIVED"
    assert catalog.is_enrolled("old", "stud")
    assert [e.name for e in catalog.all_environments()] == ["python", "old"]


def test_an_environment_made_in_the_portal_is_not_overwritten_by_the_configuration(database):
    with db.session() as session:
        session.add(EnvironmentRecord(name="python", image="teacher:1", owner="alice"))
    catalog = DatabaseEnvironmentCatalog(
        environments=[{"name": "python", "image": "config:1"}], cache_seconds=0
    )
    assert catalog.get("python").image == "teacher:1"
    assert catalog.get("python").teachers == {"alice"}


def test_database_catalog_reads_the_database_at_most_once_per_cache_period(database):
    catalog = DatabaseEnvironmentCatalog(environments=[{"name": "python", "image": "img:1"}])
    assert catalog.get("python").image == "img:1"
    with db.session() as session:
        session.scalars(select(EnvironmentRecord)).one().image = "img:2"
    assert catalog.get("python").image == "img:1"
    catalog.cache_seconds = 0
    assert catalog.get("python").image == "img:2"


def test_a_reading_catalog_never_archives_the_configured_environments(database):
    DatabaseEnvironmentCatalog(environments=[{"name": "python", "image": "img:1"}])
    reader = DatabaseEnvironmentCatalog(write_configured=False, cache_seconds=0)
    assert reader.get("python").status == "READY"


def test_the_configuration_of_the_static_catalog_still_defines_the_environments(database):
    config = Config()
    config.StaticEnvironmentCatalog.environments = [{"name": "python", "image": "img:1"}]
    catalog = DatabaseEnvironmentCatalog(config=config, cache_seconds=0)
    assert [e.name for e in catalog.all_environments()] == ["python"]
