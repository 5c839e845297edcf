"""The activity log, written by the hub: who started what, when, on which node, how it ended.

Each event is one `ActivityEvent` row (the portal shows and exports them, see
`mydocker_hub.portal.activity`). Writing one never fails a start or a stop: a
database error is a warning in the hub's log, and the event is lost.

The hub's event loop never waits for the database: `emit` hands the row to
one writer thread of its own and returns at once. Its own thread, rather
than `asyncio.to_thread`: the default pool also runs each start's catalog
and enrolment queries, and a class starting together would queue hundreds
of log writes ahead of them; one writer also never contends with itself for
SQLite's write lock. Each event keeps the time it happened, not the time it
was written.

The spawner's `start`, `stop` and end-of-session stop are decorated here
(`logs_start`, `logs_stop`, `ends_session`), so that the spawner only names
the node its task runs on (``spawner.task_node``).
"""

import asyncio
import contextvars
import functools
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from .. import db
from ..portal.models import ActivityEvent

REQUESTED = "requested"  # a start began
READY = "ready"  # the start returned: the server answers
FAILED = "failed"  # the start raised; the detail says why, as the student was told
STOPPED = "stopped"  # stopped by the student, a teacher or an administrator
CULLED = "culled"  # stopped by the idle culler
SESSION_END = "session_end"  # stopped at the end of a "stop at end" session
INTERRUPTED = "interrupted"  # a restart of the hub cut the start short; its service removed
EVENTS = (REQUESTED, READY, FAILED, STOPPED, CULLED, SESSION_END, INTERRUPTED)

log = logging.getLogger("mydocker.activity")

# The columns' lengths: a longer value would be refused by PostgreSQL.
_LENGTHS = {
    column.name: column.type.length
    for column in ActivityEvent.__table__.columns
    if getattr(column.type, "length", None)
}

_writer = None
_pending = set()


def record(event, user, environment, server="", node="", detail="", *, time=None):
    """Insert one event (now, unless `time` says when). Never raises: False if not written."""
    values = {
        "event": event,
        "user": user,
        "environment": environment,
        "server": server,
        "node": node,
        "detail": detail,
    }
    values = {k: str(v or "")[: _LENGTHS.get(k)] for k, v in values.items()}
    try:
        with db.session() as session:
            session.add(ActivityEvent(time=time or datetime.now(UTC), **values))
    except Exception as e:  # the log must never break a start or a stop
        log.warning("Activity not recorded (%s of %s/%s): %s", event, user, server, e)
        return False
    return True


def _executor():
    global _writer
    if _writer is None:
        _writer = ThreadPoolExecutor(1, thread_name_prefix="mydocker-activity")
    return _writer


async def record_async(event, user, environment, server="", node="", detail="", *, time=None):
    """`record`, in the writer thread: the event loop does not block on the commit."""
    write = functools.partial(
        record, event, user, environment, server, node, detail, time=time or datetime.now(UTC)
    )
    return await asyncio.get_running_loop().run_in_executor(_executor(), write)


def emit(event, user, environment, server="", node="", detail=""):
    """Record an event in the background, timed now; the caller does not wait."""
    try:
        task = asyncio.ensure_future(
            record_async(event, user, environment, server, node, detail, time=datetime.now(UTC))
        )
    except RuntimeError as e:  # no event loop (the hub shutting down)
        log.warning("Activity not recorded (%s of %s/%s): %s", event, user, server, e)
        return None
    _pending.add(task)  # a task only weakly referenced may be collected before it runs
    task.add_done_callback(_pending.discard)
    return task


async def flush():
    """Wait until the events emitted so far are written (or given up)."""
    while _pending:
        await asyncio.gather(*list(_pending), return_exceptions=True)


def failure_reason(error):
    """What the student was told (a `SpawnError`'s message), else what went wrong."""
    if isinstance(error, asyncio.CancelledError):
        return "The start was cancelled."
    message = getattr(error, "jupyterhub_message", None)
    if message:
        return str(message)
    return f"Unexpected error: {type(error).__name__}: {error}".strip().rstrip(":")


# ---- culled or stopped ------------------------------------------------------


def culler_timeout(environ=None):
    """The idle culler's ``--timeout`` (seconds; 0: no culler).

    `mydocker_hub.config.services` runs ``jupyterhub_idle_culler
    --timeout=MYDOCKER_IDLE_TIMEOUT`` (default 3600), and no culler at 0.
    """
    try:
        return int((os.environ if environ is None else environ).get("MYDOCKER_IDLE_TIMEOUT", 3600))
    except ValueError:
        return 0


def _utc(moment):
    # JupyterHub keeps its times as naive UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def inactivity(orm_spawner, now):
    """How long (a timedelta) the server has been idle as the culler counts it, or None.

    The culler counts from the server's ``last_activity``, else from its start.
    """
    since = getattr(orm_spawner, "last_activity", None) or getattr(orm_spawner, "started", None)
    return None if since is None else now - _utc(since)


def is_cull(idle, timeout):
    """Whether a stop of a server idle for `idle` is the culler's.

    The culler stops a server through the same REST call as a person
    (``DELETE /users/{name}/server[s/{server}]``), and the spawner's `stop`
    cannot see who called. But the culler stops a server only once it has been
    idle for at least its timeout (`jupyterhub_idle_culler.default_cull_arbiter`:
    ``inactive >= timeout``), and JupyterHub updates ``last_activity`` only after
    the stop: so a stop of a server idle that long is taken for the culler's.
    A student who leaves a server idle past the timeout and then stops it
    themselves is counted as culled too, which is what would have happened.
    (An environment's own `idle_timeout` is not what the culler applies: it
    runs with the one deployment-wide timeout.)
    """
    return timeout > 0 and idle is not None and idle.total_seconds() >= timeout


def _duration(seconds):
    minutes = int(seconds) // 60
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


# ---- the spawner's hooks ----------------------------------------------------

# Set while the end of a session stops a server: the stop it causes is a session end.
_stopping_for = contextvars.ContextVar("mydocker_activity_stopping_for", default=None)


def logs_start(start):
    """Decorates `SwarmCourseSpawner.start`: requested, then ready or failed (why).

    ``spawner.task_node`` (reset here) is the node where the start's task was
    placed, as the spawner saw it while following the task.
    """

    @functools.wraps(start)
    async def logged_start(spawner):
        names = (spawner.user.name, spawner.environment_name, spawner.name)
        spawner.task_node = ""
        emit(REQUESTED, *names)
        try:
            result = await start(spawner)
        except BaseException as error:
            emit(FAILED, *names, node=spawner.task_node, detail=failure_reason(error))
            raise
        emit(READY, *names, node=spawner.task_node)
        return result

    return logged_start


def logs_stop(stop):
    """Decorates `SwarmCourseSpawner.stop`: stopped, culled or session_end."""

    @functools.wraps(stop)
    async def logged_stop(spawner, now=False):
        # Read before stopping: the stop clears the spawner's state.
        environment = spawner.course_environment
        names = (
            spawner.user.name,
            environment.name if environment is not None else spawner.environment_name,
            spawner.name,
        )
        node = getattr(spawner, "task_node", "")
        event, detail = _stopping_for.get(), ""
        if event == SESSION_END and spawner.stop_at is not None:
            detail = f"The session ended at {_utc(spawner.stop_at):%Y-%m-%d %H:%M} UTC."
        elif event is None:
            idle, timeout = inactivity(spawner.orm_spawner, datetime.now(UTC)), culler_timeout()
            event = CULLED if is_cull(idle, timeout) else STOPPED
            if event == CULLED:
                detail = (
                    f"Idle for {_duration(idle.total_seconds())} "
                    f"(idle timeout {_duration(timeout)})."
                )
        result = await stop(spawner, now=now)
        emit(event, *names, node=node, detail=detail)
        return result

    return logged_stop


def ends_session(stop_at_session_end):
    """Decorates the spawner's end-of-session stop: the stop it causes is a session end."""

    @functools.wraps(stop_at_session_end)
    async def ending_session(spawner):
        token = _stopping_for.set(SESSION_END)
        try:
            return await stop_at_session_end(spawner)
        finally:
            _stopping_for.reset(token)

    return ending_session
