"""The activity log: the hub writes it, never blocking nor failing a start; the portal reads it."""

import asyncio
import csv
import io
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from docker.errors import NotFound
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from mydocker_hub import db
from mydocker_hub.portal import activity as portal_activity
from mydocker_hub.portal.models import ActivityEvent
from mydocker_hub.spawner import SpawnError, SwarmCourseSpawner
from mydocker_hub.swarm import activity

ENVIRONMENTS = [
    {"name": "jupyterlab", "image": "img:1", "public": True},
    {"name": "private", "image": "img:2"},
]


def events():
    with db.session() as session:
        rows = session.scalars(select(ActivityEvent).order_by(ActivityEvent.id)).all()
        return [(r.event, r.user, r.environment, r.server, r.node, r.detail) for r in rows]


# ---- the writer -------------------------------------------------------------


def test_record_writes_one_row(database):
    at = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    assert activity.record(activity.READY, "alice", "jupyterlab", "", "node-1", time=at)
    assert events() == [("ready", "alice", "jupyterlab", "", "node-1", "")]
    with db.session() as session:
        assert session.scalars(select(ActivityEvent.time)).one().replace(tzinfo=UTC) == at


def test_record_cuts_values_to_their_columns(database):
    activity.record(activity.FAILED, "alice", "x" * 50, "x" * 50, detail="no such environment")
    [(_, _, environment, server, _, _)] = events()
    assert environment == "x" * 30 and server == "x" * 50


def test_a_database_error_is_a_warning_never_an_exception(database, monkeypatch, caplog):
    def broken():
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(activity, "db", SimpleNamespace(session=broken))
    with caplog.at_level(logging.WARNING, logger="mydocker.activity"):
        assert activity.record(activity.READY, "alice", "jupyterlab") is False
    assert "Activity not recorded (ready of alice/)" in caplog.text
    assert "database is locked" in caplog.text


async def test_the_write_runs_off_the_event_loop_and_keeps_its_time(database, monkeypatch):
    loop_thread = threading.current_thread()
    seen = []
    real_record = activity.record

    def record(*args, **kwargs):
        seen.append(threading.current_thread())
        return real_record(*args, **kwargs)

    monkeypatch.setattr(activity, "record", record)
    before = datetime.now(UTC)
    task = activity.emit(activity.REQUESTED, "alice", "jupyterlab")
    assert not task.done()  # the caller did not wait for the database
    await activity.flush()
    assert seen and seen[0] is not loop_thread
    with db.session() as session:
        written = session.scalars(select(ActivityEvent.time)).one().replace(tzinfo=UTC)
    assert before <= written <= datetime.now(UTC)


async def test_emit_never_raises_when_the_database_fails(database, monkeypatch):
    def broken():
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(activity, "db", SimpleNamespace(session=broken))
    activity.emit(activity.REQUESTED, "alice", "jupyterlab")
    await activity.flush()  # nothing raised


@pytest.mark.parametrize(
    "error, reason",
    [
        (SpawnError("You are not enrolled.", reason="access", status_code=403), "You are not "),
        (asyncio.CancelledError(), "The start was cancelled."),
        (KeyError("Id"), "Unexpected error: KeyError: 'Id'"),
    ],
    ids=["spawn-error", "cancelled", "unexpected"],
)
def test_the_failure_reason_is_what_the_student_was_told(error, reason):
    assert activity.failure_reason(error).startswith(reason)


@pytest.mark.parametrize(
    "idle_minutes, timeout, culled",
    [(61, 3600, True), (60, 3600, True), (59, 3600, False), (None, 3600, False), (600, 0, False)],
    ids=["past", "at", "before", "never-active", "no-culler"],
)
def test_a_stop_is_the_cullers_once_the_server_is_idle_for_its_timeout(
    idle_minutes, timeout, culled
):
    idle = None if idle_minutes is None else timedelta(minutes=idle_minutes)
    assert activity.is_cull(idle, timeout) is culled


def test_inactivity_counts_from_last_activity_else_from_the_start():
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    naive = datetime(2025, 3, 1, 11, 0)  # JupyterHub keeps naive UTC
    assert activity.inactivity(SimpleNamespace(last_activity=naive), now) == timedelta(hours=1)
    started = SimpleNamespace(last_activity=None, started=datetime(2025, 3, 1, 11, 30))
    assert activity.inactivity(started, now) == timedelta(minutes=30)
    assert activity.inactivity(SimpleNamespace(), now) is None


@pytest.mark.parametrize("environ, timeout", [({}, 3600), ({"MYDOCKER_IDLE_TIMEOUT": "600"}, 600)])
def test_the_culler_timeout_is_the_deployments(environ, timeout):
    assert activity.culler_timeout(environ) == timeout


# ---- the spawner's hooks ----------------------------------------------------


def spawner(server_name="", admin=False):
    user = SimpleNamespace(name="alice", admin=admin, url="/user/alice/", settings={})
    orm_spawner = SimpleNamespace(name=server_name, server=None, state=None, last_activity=None)
    s = SwarmCourseSpawner(user=user, orm_spawner=orm_spawner)
    s.user_options = {}
    s.max_concurrent_starts = 4
    SwarmCourseSpawner._catalogs = {}
    s.config.StaticEnvironmentCatalog.environments = ENVIRONMENTS
    return s


class FakeSwarm:
    """Docker as a start sees it: the image, the service, its task on a node."""

    pool = ThreadPoolExecutor(4)

    def __init__(self, task_state="running", err=""):
        self.task_state, self.err = task_state, err
        self.calls = []

    def __call__(self, method, *args, **kwargs):
        return asyncio.wrap_future(self.pool.submit(self.call, method, *args, **kwargs))

    def call(self, method, *args, **kwargs):
        self.calls.append(method)
        if method == "inspect_image":
            return {"Id": "sha256:1", "Config": {"User": "1000", "Cmd": ["start-lab"]}}
        if method == "inspect_service":
            raise NotFound("no such service")
        if method == "create_service":
            return {"ID": "service-1"}
        if method == "tasks":
            attachment = {"Network": {"Spec": {"Name": "mydocker"}}, "Addresses": ["10.0.0.9/24"]}
            status = {"State": self.task_state, "Err": self.err, "ContainerStatus": {}}
            return [
                {
                    "ServiceID": "service-1",
                    "NodeID": "n2",
                    "Status": status,
                    "NetworksAttachments": [attachment],
                }
            ]
        if method == "inspect_node":
            return {"Description": {"Hostname": "worker-2"}}
        return None


@pytest.fixture
def swarm(monkeypatch):
    """Fresh shared start slots, task watch and node names (class-wide in the spawner)."""
    monkeypatch.setattr(SwarmCourseSpawner, "_slots", None)
    monkeypatch.setattr(SwarmCourseSpawner, "_task_watch", None)
    monkeypatch.setattr(SwarmCourseSpawner, "_node_names", {})
    monkeypatch.setattr("mydocker_hub.swarm.specs.service_spec", lambda plan: {"name": "n"})
    monkeypatch.setattr(SwarmCourseSpawner, "server_plan", lambda self, environment, args: None)


async def test_a_start_records_requested_then_ready_with_its_node(database, swarm):
    s = spawner("jupyterlab")
    s.docker = FakeSwarm()
    assert await s.start() == ("10.0.0.9", s.port)
    await activity.flush()
    assert events() == [
        ("requested", "alice", "jupyterlab", "jupyterlab", "", ""),
        ("ready", "alice", "jupyterlab", "jupyterlab", "worker-2", ""),
    ]


async def test_a_failed_task_records_the_students_reason_and_the_node(database, swarm):
    s = spawner("jupyterlab")
    s.docker = FakeSwarm(task_state="rejected", err="no such image")
    with pytest.raises(SpawnError) as error:
        await s.start()
    await activity.flush()
    [requested, failed] = events()
    assert requested[0] == "requested"
    assert failed == (
        "failed",
        "alice",
        "jupyterlab",
        "jupyterlab",
        "worker-2",
        error.value.jupyterhub_message,
    )


async def test_a_refused_start_records_why_and_the_default_servers_environment(database):
    s = spawner("")
    s.user_options = {"environment": "private"}
    s.task_node = "worker-1"  # where an earlier start ran: not this one's node
    with pytest.raises(SpawnError, match="not enrolled"):
        await s.start()
    await activity.flush()
    [requested, failed] = events()
    assert requested == ("requested", "alice", "private", "", "", "")
    assert failed[:5] == ("failed", "alice", "private", "", "")
    assert "not enrolled" in failed[5]


async def test_a_start_succeeds_even_when_the_log_cannot_be_written(database, swarm, monkeypatch):
    def broken():
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(activity, "db", SimpleNamespace(session=broken))
    s = spawner("jupyterlab")
    s.docker = FakeSwarm()
    assert await s.start() == ("10.0.0.9", s.port)
    await activity.flush()


def running(s, idle):
    s.docker = FakeSwarm()
    s.object_id = "service-1"
    s.task_node = "worker-2"
    s.course_environment = s.catalog.get("jupyterlab")
    s.orm_spawner.last_activity = (datetime.now(UTC) - idle).replace(tzinfo=None)


async def test_a_stop_records_stopped(database, monkeypatch):
    monkeypatch.setenv("MYDOCKER_IDLE_TIMEOUT", "3600")
    s = spawner("jupyterlab")
    running(s, timedelta(minutes=5))
    await s.stop()
    await activity.flush()
    assert "remove_service" in s.docker.calls
    assert events() == [("stopped", "alice", "jupyterlab", "jupyterlab", "worker-2", "")]


async def test_a_stop_of_a_server_idle_past_the_culler_timeout_records_culled(
    database, monkeypatch
):
    monkeypatch.setenv("MYDOCKER_IDLE_TIMEOUT", "3600")
    s = spawner("jupyterlab")
    running(s, timedelta(minutes=70))
    await s.stop()
    await activity.flush()
    assert events() == [
        (
            "culled",
            "alice",
            "jupyterlab",
            "jupyterlab",
            "worker-2",
            "Idle for 1 h 10 min (idle timeout 1 h 00 min).",
        )
    ]


async def test_without_a_culler_an_idle_server_is_stopped_not_culled(database, monkeypatch):
    monkeypatch.setenv("MYDOCKER_IDLE_TIMEOUT", "0")
    s = spawner("jupyterlab")
    running(s, timedelta(days=1))
    await s.stop()
    await activity.flush()
    assert [e[0] for e in events()] == ["stopped"]


async def test_the_end_of_a_session_records_session_end(database, monkeypatch):
    monkeypatch.setenv("MYDOCKER_IDLE_TIMEOUT", "3600")
    s = spawner("jupyterlab")
    running(s, timedelta(hours=2))  # idle too: the session's end is what stopped it
    s.stop_at = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    async def user_stop(server_name):
        assert server_name == "jupyterlab"
        await s.stop()

    s.user.stop = user_stop
    await s._stop_at_session_end()
    await s.stop()  # a later stop is an ordinary one again
    await activity.flush()
    assert [e[0] for e in events()] == ["session_end", "culled"]
    assert events()[0][5] == "The session ended at 2025-03-01 12:00 UTC."


# ---- the portal's query and export -----------------------------------------

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def logged(database):
    rows = [
        (0, "requested", "alice", "python-l1"),
        (1, "ready", "alice", "python-l1"),
        (2, "requested", "bob", "python-l1"),
        (3, "failed", "bob", "python-l1"),
        (4, "requested", "alice", "stats"),
        (5, "culled", "alice", "python-l1"),
    ]
    for minutes, event, user, environment in rows:
        activity.record(event, user, environment, environment, time=T0 + timedelta(minutes=minutes))


def found(**filters):
    with db.session() as session:
        return [(r.event, r.user, r.environment) for r in portal_activity.query(session, **filters)]


def test_the_query_returns_the_newest_first(logged):
    assert [e for e, _, _ in found()] == [
        "culled",
        "requested",
        "failed",
        "requested",
        "ready",
        "requested",
    ]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"user": "bob"}, [("failed", "bob", "python-l1"), ("requested", "bob", "python-l1")]),
        ({"environment": "stats"}, [("requested", "alice", "stats")]),
        ({"event": "failed"}, [("failed", "bob", "python-l1")]),
        (
            {"event": ["ready", "culled"]},
            [("culled", "alice", "python-l1"), ("ready", "alice", "python-l1")],
        ),
        (
            {"user": "alice", "environment": "python-l1", "event": "requested"},
            [("requested", "alice", "python-l1")],
        ),
        (
            {"since": T0 + timedelta(minutes=3), "until": T0 + timedelta(minutes=5)},
            [("requested", "alice", "stats"), ("failed", "bob", "python-l1")],
        ),
        ({"limit": 2}, [("culled", "alice", "python-l1"), ("requested", "alice", "stats")]),
    ],
    ids=["user", "environment", "event", "events", "all-three", "since-until", "limit"],
)
def test_the_query_filters(logged, filters, expected):
    assert found(**filters) == expected


def test_the_query_bounds_in_another_time_zone_are_compared_in_utc(logged):
    paris = timezone(timedelta(hours=1))
    since = (T0 + timedelta(minutes=4)).astimezone(paris)  # 10:04 in Paris
    assert [e for e, _, _ in found(since=since)] == ["culled", "requested"]
    naive_utc = (T0 + timedelta(minutes=5)).replace(tzinfo=None)
    assert [e for e, _, _ in found(since=naive_utc)] == ["culled"]


def test_csv_has_a_header_and_iso_utc_times(database):
    row = SimpleNamespace(
        time=datetime(2025, 3, 1, 10, 30, 5, tzinfo=timezone(timedelta(hours=1))),
        user="alice",
        environment="python-l1",
        server="",
        event="ready",
        node="worker-2",
        detail='said "hi", then left',
    )
    lines = list(csv.reader(io.StringIO(portal_activity.to_csv([row]))))
    assert lines == [
        ["time", "user", "environment", "server", "event", "node", "detail"],
        ["2025-03-01T09:30:05Z", "alice", "python-l1", "", "ready", "worker-2", row.detail],
    ]


def test_csv_of_rows_from_the_database(logged):
    with db.session() as session:
        text = portal_activity.to_csv(portal_activity.query(session, user="bob"))
    lines = list(csv.reader(io.StringIO(text)))
    assert [line[0] for line in lines[1:]] == ["2025-03-01T09:03:00Z", "2025-03-01T09:02:00Z"]
    assert [line[4] for line in lines[1:]] == ["failed", "requested"]


@pytest.mark.parametrize(
    "value, cell",
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("alice", "alice"),
        ("a=b", "a=b"),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(value, cell):
    row = SimpleNamespace(
        time=T0, user=value, environment=value, server=value, event=value, node=value, detail=value
    )
    [_, line] = list(csv.reader(io.StringIO(portal_activity.to_csv([row]))))
    assert line[1:] == [cell] * 6
