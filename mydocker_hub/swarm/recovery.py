"""After a crash of the hub: the Swarm's services put back in line with the hub's servers.

A start that the hub's crash interrupted left a server in the database
without the id of its service (JupyterHub saves a spawner's state when the
start returns), and perhaps a service. At the hub's next start, JupyterHub
polls that server; `adopt_interrupted_start` then keeps the service when its
task runs (JupyterHub checks that it answers, and stops it otherwise) or
removes it. `sweep` then removes every service of the deployment that no
server owns. Each case is one line in the hub's log and an event of the
activity log; the hub's log sums it up in one line that `mydocker-hub up`
repeats.
"""

import asyncio
from dataclasses import dataclass, field

import docker
from docker.errors import APIError, NotFound

from .. import sessions
from . import activity
from .names import is_deployment_service

INTERRUPTED_DETAIL = "The platform restarted while this server was starting."


@dataclass
class Repairs:
    """What the reconciliation did at this start of the hub, for its summary line."""

    kept: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    strays: list = field(default_factory=list)

    def summary(self):
        if not (self.kept or self.removed or self.strays):
            return "nothing to repair"
        return (
            f"{len(self.kept)} interrupted start(s) kept (their servers run), "
            f"{len(self.removed)} removed, "
            f"{len(self.strays)} service(s) that no server owned removed"
        )


repairs = Repairs()


async def adopt_interrupted_start(spawner):
    """`poll()` of a server whose start was interrupted: None if kept, 0 if removed."""
    names = (spawner.user.name, spawner.environment_name, spawner.name)
    try:
        service = await spawner.docker("inspect_service", spawner.object_name)
    except NotFound:
        spawner.log.warning(
            "Start of %s was interrupted before its service existed", spawner._log_name
        )
        repairs.removed.append(spawner.object_name)
        activity.emit(activity.INTERRUPTED, *names, detail=INTERRUPTED_DETAIL)
        return 0
    spawner.object_id = service["ID"]
    task = await spawner._current_task()
    if task is not None and task["Status"]["State"] == "running":
        labels = service["Spec"].get("Labels") or {}
        environment = spawner.catalog.get(labels.get("mydocker.environment", ""))
        spawner.course_environment = environment
        spawner.adopted_url = (
            f"http://{spawner._task_address(task)}:{spawner.port}{spawner.server.base_url}"
        )
        if environment is not None:
            spawner.stop_at = sessions.stop_time(environment.sessions)
            spawner._schedule_session_stop()
        spawner.orm_spawner.state = spawner.get_state()
        spawner.log.warning(
            "Keeping service %s of %s: its start was interrupted by a restart of the hub, "
            "and it runs",
            spawner.object_name,
            spawner._log_name,
        )
        repairs.kept.append(spawner.object_name)
        activity.emit(activity.READY, *names, detail="Kept after a restart of the platform.")
        return None
    spawner.log.warning(
        "Removing service %s of %s: its start was interrupted by a restart of the hub",
        spawner.object_name,
        spawner._log_name,
    )
    await spawner._remove_service_quietly()
    repairs.removed.append(spawner.object_name)
    activity.emit(activity.INTERRUPTED, *names, detail=INTERRUPTED_DETAIL)
    return 0


def owned(users):
    """(ids of the services the hub's servers own, names of the services being created)."""
    ids, starting = set(), set()
    for user in users:
        for spawner in user.spawners.values():
            if getattr(spawner, "object_id", ""):
                ids.add(spawner.object_id)
            if spawner.pending == "spawn":
                starting.add(spawner.object_name)
    return ids, starting


def strays(services, prefix, owned_ids, starting_names):
    """The services of deployment `prefix` that no server of the hub owns."""
    return [
        service
        for service in services
        if is_deployment_service(
            service["Spec"]["Name"], service["Spec"].get("Labels") or {}, prefix
        )
        and service["ID"] not in owned_ids
        and service["Spec"]["Name"] not in starting_names
    ]


def _remove_strays(prefix, users):
    client = docker.APIClient(version="auto")
    try:
        services = client.services(filters={"label": "mydocker.user"})
        # Read after the listing: a start that created its service meanwhile owns it now.
        owned_ids, starting_names = owned(users)
        removed = []
        for service in strays(services, prefix, owned_ids, starting_names):
            try:
                client.remove_service(service["ID"])
            except NotFound:
                continue
            removed.append(service)
        return removed
    finally:
        client.close()


async def sweep(prefix, users, log):
    """Remove the services of the deployment that no server owns; log the summary to `log`."""
    try:
        removed = await asyncio.to_thread(_remove_strays, prefix, list(users))
    except APIError as e:
        log.error("Could not reconcile the Swarm's services with the servers: %s", e)
        return repairs
    for service in removed:
        labels = service["Spec"].get("Labels") or {}
        user = labels.get("mydocker.user", "")
        log.warning(
            "Removed service %s (id %s) of %s: no server of the hub owns it",
            service["Spec"]["Name"],
            service["ID"][:7],
            user or "?",
        )
        repairs.strays.append(service["Spec"]["Name"])
        activity.emit(
            activity.INTERRUPTED,
            user,
            labels.get("mydocker.environment", ""),
            labels.get("mydocker.server", ""),
            detail="Removed after a restart of the platform: no server owned it.",
        )
    log.info("Reconciled with the Swarm: %s", repairs.summary())
    return repairs
