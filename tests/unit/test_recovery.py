"""After a crash of the hub: interrupted starts kept or removed, stray services removed."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from docker.errors import NotFound
from jupyterhub import orm
from sqlalchemy import select

from mydocker_hub import db
from mydocker_hub.portal import activity as portal_activity
from mydocker_hub.portal import listing
from mydocker_hub.portal.models import ActivityEvent
from mydocker_hub.spawner import SwarmCourseSpawner
from mydocker_hub.swarm import activity, recovery

ENVIRONMENTS = [{"name": "jupyterlab", "image": "img:1", "public": True}]


class Swarm:
    """Docker as the hub finds it after its crash: maybe a service, maybe a task."""

    pool = ThreadPoolExecutor(2)

    def __init__(self, service=True, task_state="running"):
        self.service, self.task_state = service, task_state
        self.calls = []

    def __call__(self, method, *args, **kwargs):
        return asyncio.wrap_future(self.pool.submit(self.call, method, *args, **kwargs))

    def call(self, method, *args, **kwargs):
        self.calls.append((method, *args))
        if method == "inspect_service":
            if not self.service:
                raise NotFound("no such service")
            labels = {"mydocker.user": "alice", "mydocker.environment": "jupyterlab"}
            return {"ID": "svc-1", "Spec": {"Name": args[0], "Labels": labels}}
        if method == "tasks":
            attachment = {"Network": {"Spec": {"Name": "mydocker"}}, "Addresses": ["10.0.0.9/24"]}
            status = {"State": self.task_state, "ContainerStatus": {}}
            return [{"ServiceID": "svc-1", "Status": status, "NetworksAttachments": [attachment]}]
        return None


def interrupted_spawner(swarm, checking=True):
    """A spawner as JupyterHub loads it at its start: a server row, no service id."""
    user = SimpleNamespace(name="alice", admin=False, url="/user/alice/", settings={})
    server = orm.Server(
        proto="http", ip="", port=0, base_url="/user/alice/jupyterlab/", cookie_name="c"
    )
    orm_spawner = SimpleNamespace(name="jupyterlab", server=server, state=None, last_activity=None)
    s = SwarmCourseSpawner(user=user, orm_spawner=orm_spawner)
    SwarmCourseSpawner._catalogs = {}
    s.config.StaticEnvironmentCatalog.environments = ENVIRONMENTS
    s.network_name = "mydocker"
    s.docker = swarm
    s._check_pending = checking
    return s


@pytest.fixture(autouse=True)
def fresh_repairs(monkeypatch):
    monkeypatch.setattr(recovery, "repairs", recovery.Repairs())


def events():
    with db.session() as session:
        rows = session.scalars(select(ActivityEvent).order_by(ActivityEvent.id)).all()
        return [(r.event, r.user, r.environment, r.detail) for r in rows]


async def test_an_interrupted_start_whose_server_runs_is_kept(database):
    s = interrupted_spawner(Swarm())
    assert await s.poll() is None
    assert s.object_id == "svc-1"
    assert await s.get_url() == f"http://10.0.0.9:{s.port}/user/alice/jupyterlab/"
    assert s.orm_spawner.state["object_id"] == "svc-1"
    assert s.course_environment.name == "jupyterlab"
    await activity.flush()
    assert events() == [("ready", "alice", "jupyterlab", "Kept after a restart of the platform.")]
    assert recovery.repairs.kept == [s.object_name]


@pytest.mark.parametrize("task_state", ["pending", "preparing", "failed", "rejected"])
async def test_an_interrupted_start_whose_server_does_not_run_is_removed(database, task_state):
    swarm = Swarm(task_state=task_state)
    s = interrupted_spawner(swarm)
    assert await s.poll() == 0
    assert ("remove_service", "svc-1") in swarm.calls
    assert s.object_id == ""
    await activity.flush()
    assert events() == [("interrupted", "alice", "jupyterlab", recovery.INTERRUPTED_DETAIL)]
    assert recovery.repairs.removed == [s.object_name]


async def test_a_start_interrupted_before_its_service_existed_is_told(database):
    s = interrupted_spawner(Swarm(service=False))
    assert await s.poll() == 0
    await activity.flush()
    assert [e[0] for e in events()] == ["interrupted"]


async def test_only_the_hubs_check_at_its_start_adopts(database):
    """Later polls of a server without a service are plain "stopped": nothing is looked up."""
    swarm = Swarm()
    s = interrupted_spawner(swarm, checking=False)
    assert await s.poll() == 0
    assert swarm.calls == []


def service(name, service_id, **labels):
    return {"ID": service_id, "Spec": {"Name": name, "Labels": labels}}


def test_strays_are_the_deployments_services_that_no_server_owns():
    services = [
        service("uni-alice", "a", **{"mydocker.instance": "uni", "mydocker.user": "alice"}),
        service("uni-bob", "b", **{"mydocker.instance": "uni", "mydocker.user": "bob"}),
        service("uni-carol", "c", **{"mydocker.instance": "uni", "mydocker.user": "carol"}),
        service("uni2-dan", "d", **{"mydocker.instance": "uni2", "mydocker.user": "dan"}),
    ]
    # alice's server owns "a"; carol's is being created (no id yet); dan is another deployment's
    strays = recovery.strays(services, "uni", owned_ids={"a"}, starting_names={"uni-carol"})
    assert [s["ID"] for s in strays] == ["b"]


def test_owned_are_the_ids_of_the_servers_and_the_names_being_created():
    def spawner(object_id, name, pending=None):
        return SimpleNamespace(object_id=object_id, object_name=name, pending=pending)

    users = [
        SimpleNamespace(spawners={"": spawner("a", "uni-alice"), "x": spawner("", "uni-alice--x")}),
        SimpleNamespace(spawners={"": spawner("", "uni-carol", pending="spawn")}),
    ]
    assert recovery.owned(users) == ({"a"}, {"uni-carol"})


def test_the_summary_counts_each_repair():
    assert recovery.Repairs().summary() == "nothing to repair"
    repairs = recovery.Repairs(kept=["a"], removed=["b", "c"], strays=["d"])
    assert repairs.summary() == (
        "1 interrupted start(s) kept (their servers run), 2 removed, "
        "1 service(s) that no server owned removed"
    )


def test_my_environments_tells_of_the_last_start_only_if_it_was_interrupted(database):
    now = datetime.now(UTC)
    for minutes, event, environment in [
        (30, "interrupted", "python"),
        (20, "requested", "python"),  # started again since: nothing to tell
        (10, "interrupted", "shell"),
        (5, "interrupted", "other-user"),
    ]:
        user = "bob" if environment == "other-user" else "alice"
        activity.record(event, user, environment, time=now - timedelta(minutes=minutes))
    with db.session() as session:
        assert portal_activity.interrupted(session, "alice", now - timedelta(days=2)) == {"shell"}
        assert portal_activity.interrupted(session, "alice", now - timedelta(minutes=15)) == {
            "shell"
        }
        assert portal_activity.interrupted(session, "alice", now - timedelta(minutes=8)) == set()


def test_the_interruption_shows_on_a_stopped_card_only():
    environments = [
        SimpleNamespace(
            name="shell",
            display_name="Shell",
            description="",
            status="PUBLISHED",
            sessions=[],
            public=True,
            teachers=[],
        )
    ]
    urls = {"base_url": "/", "hub_prefix": "/hub/"}

    def card(servers):
        [card] = listing.cards(
            environments,
            "alice",
            servers=servers,
            urls=urls,
            now=datetime.now(UTC),
            interrupted={"shell"},
        )
        return card

    assert card({}).interrupted
    assert not card({"shell": {"ready": True, "pending": None}}).interrupted
