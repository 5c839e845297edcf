"""SwarmCourseSpawner: each server is one environment, run as a Docker Swarm service.

The environment (chosen by its teachers) decides the image, the resources, the
volumes and the placement; the student only says which environment. Starts
report real phases, fail at once with a readable reason, and never queue
behind a single Docker thread.
"""

import asyncio
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from docker.errors import APIError, NotFound
from dockerspawner import SwarmSpawner
from jupyterhub.spawner import SpawnException
from requests.exceptions import RequestException
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from traitlets import Any, Dict, Float, Instance, Integer, List, Type, Unicode, default

from . import refusals, sessions
from .environments import EnvironmentCatalog, StaticEnvironmentCatalog
from .swarm import activity, disk, messages, names, passwd, recovery, specs, wording
from .swarm.estimate import StartDurations, queue_message
from .swarm.passwd import runs_as_root
from .swarm.pulls import SharedPulls, pull_image
from .swarm.slots import StartSlots
from .swarm.tasks import TaskWatch, latest
from .swarm.timeouts import StartTimeouts
from .swarm.undo import created
from .turns import hub_turns

__all__ = ["SpawnError", "SwarmCourseSpawner", "runs_as_root"]

# Progress (out of 100) shown for each phase of a start.
TASK_PROGRESS = {
    "new": 40,
    "pending": 45,
    "assigned": 50,
    "accepted": 55,
    "preparing": 60,
    "ready": 65,
    "starting": 70,
    "running": 80,
}


class SpawnError(SpawnException):
    """A start that cannot succeed, with a message meant for the student.

    `reason` labels the failure in the hub's metrics; `status_code` is what the
    REST API answers (4xx for a request that cannot be honoured).
    """

    def __init__(self, message, *, reason, status_code=400, log_message=""):
        super().__init__(message, reason=reason, status_code=status_code, log_message=log_message)
        self.jupyterhub_message = message


def removed_service_task(service_id):
    """What a start following its task sees of a service removed meanwhile: a task removed."""
    return {
        "ServiceID": service_id,
        "Status": {"State": "remove", "Err": "its service was removed"},
    }


class SwarmCourseSpawner(StartTimeouts, SwarmSpawner):
    """Runs each (user, environment) server as a Docker Swarm service."""

    catalog_class = Type(
        StaticEnvironmentCatalog,
        klass=EnvironmentCatalog,
        config=True,
        help="""
        Where environments come from: a subclass of
        `mydocker_hub.environments.EnvironmentCatalog`.

        .. versionadded:: 0.1
        """,
    )

    default_environment = Unicode(
        "jupyterlab",
        config=True,
        help="""
        The environment of a user's default (unnamed) server. Named servers
        are named after their environment.

        .. versionadded:: 0.1
        """,
    )

    docker_threads = Integer(
        16,
        config=True,
        help="""
        How many Docker API calls may run at once (shared by all servers).
        The stock spawner runs them one at a time, which serialises a class
        starting together.

        .. versionadded:: 0.1
        """,
    )

    max_concurrent_starts = Integer(
        0,
        config=True,
        help="""
        How many servers may be starting at once, from the creation of their
        service until they answer; further starts wait in line and their
        progress page shows their place. A server's start is mostly CPU:
        starting a class a few at a time makes half of it ready in about half
        the time, instead of everyone waiting for the whole class.

        0 (the default) means two per CPU of the Swarm's ready nodes, at least
        four.

        .. versionadded:: 0.1
        """,
    )

    task_poll_interval = Float(
        0.1,
        config=True,
        help="""
        How often (seconds) to look at the state of the starting servers'
        tasks. All the starts under way share one call to Docker each time.
        """,
    )

    home_path = Unicode(
        "/home/student",
        config=True,
        help="Where the per-user home volume is mounted in the container.",
    )

    work_path = Unicode(
        "/home/student/work",
        config=True,
        help="""
        Where the per-(user, environment) work volume is mounted, for
        environments that ask for one. The image should own this folder
        by the container's user.
        """,
    )

    volume_size_option = Unicode(
        "",
        config=True,
        help="""
        The volume driver's option that sets a volume's size, for drivers
        that enforce one (for example ``"size"``). When set, an environment's
        ``disk_quota`` becomes that option of its volumes; otherwise the
        quota is only measured at each start, and the student is warned from
        `disk_warning_ratio` of it on.
        """,
    )

    disk_warning_ratio = Float(
        0.8,
        config=True,
        help="Share of an environment's disk quota from which a start warns the student.",
    )

    gpu_kind = Unicode(
        "NVIDIA-GPU",
        config=True,
        help="""
        The Swarm generic resource that counts GPUs (the name given in the
        nodes' ``node-generic-resources``).
        """,
    )

    compute_label = Unicode(
        "mydocker.compute",
        config=True,
        help="""
        The node label that places an environment by its compute type: an
        environment with ``compute_type: "gpu"`` runs only on nodes labelled
        ``mydocker.compute=gpu``.
        """,
    )

    cap_add = List(
        Unicode(),
        config=True,
        help="""
        Capabilities given back to user containers. All are dropped by
        default, which a non-root JupyterLab server does not need.
        """,
    )

    frame_ancestors = List(
        Unicode(),
        config=True,
        help="""
        Origins that may show the servers in a frame (an LMS page), e.g.
        ``["https://moodle.univ.fr"]``; set from ``MYDOCKER_LMS_ORIGINS``.
        Single-user servers refuse every frame by default.

        .. versionadded:: 0.1
        """,
    )

    extra_labels = Dict(
        Unicode(),
        config=True,
        help="Labels added to every service and volume (e.g. to tell deployments apart).",
    )

    course_environment = Instance(
        "mydocker_hub.environments.Environment", allow_none=True, help="The running environment."
    )

    stop_at = Any(None, allow_none=True, help="When a session's end stops this server (UTC).")

    _catalogs = {}
    _slots = None
    _task_watch = None
    _node_names = {}
    _pulls = SharedPulls()
    _start_durations = StartDurations()
    _image_passwds = {}  # image id -> its /etc/passwd
    task_node = ""  # where the task of the current start was placed (for the activity log)
    adopted_url = ""  # the server of a start cut short by the hub's restart, kept (`recovery`)
    lang = "en"  # the language of the request behind the current start (its messages)

    @default("pull_policy")
    def _default_pull_policy(self):
        # Fetch an environment's image when the hub's machine lacks it, with
        # its progress on the page; without a registry this fails at once.
        return "ifnotpresent"

    @default("prefix")
    def _default_prefix(self):
        return os.environ.get("MYDOCKER_PREFIX", "mydocker")

    @default("network_name")
    def _default_network_name(self):
        return os.environ.get("MYDOCKER_NETWORK", "mydocker")

    @default("use_internal_ip")
    def _default_use_internal_ip(self):
        return True

    @default("client_kwargs")
    def _default_client_kwargs(self):
        return {"max_pool_size": self.docker_threads}

    @default("options_form")
    def _default_options_form(self):
        # Students never choose an image or limits: nothing to ask.
        return ""

    @default("options_from_form")
    def _default_options_from_form(self):
        return lambda formdata: {}

    @default("object_name")
    def _object_name_default(self):
        # One service per server: the default server ("") has its own.
        return names.service_name(self.prefix, self.user.name, self.name)

    @property
    def executor(self):
        """One pool of `docker_threads` threads shared by every server."""
        cls = SwarmCourseSpawner
        if cls._executor is None:
            cls._executor = ThreadPoolExecutor(
                self.docker_threads, thread_name_prefix="mydocker-docker"
            )
        return cls._executor

    @property
    def catalog(self):
        cls = self.catalog_class
        if cls not in self._catalogs:
            self._catalogs[cls] = cls(config=self.config, log=self.log)
        return self._catalogs[cls]

    @property
    def task_watch(self):
        """The one `TaskWatch` of all the starts under way."""
        cls = SwarmCourseSpawner
        if cls._task_watch is None:
            cls._task_watch = TaskWatch(self._list_tasks, self.task_poll_interval)
        return cls._task_watch

    async def _list_tasks(self, service_ids):
        try:
            return await self.docker("tasks", filters={"service": service_ids})
        except NotFound:  # one of them is gone: Docker refuses the whole list
            tasks = []
            for service_id in service_ids:
                try:
                    tasks += await self.docker("tasks", filters={"service": service_id})
                except NotFound:
                    # Removed while it started (by an admin, `down`): its start ends now,
                    # not at its timeout.
                    tasks.append(removed_service_task(service_id))
            return tasks

    @property
    def start_slots(self):
        """The start slots shared by all servers (see `max_concurrent_starts`)."""
        cls = SwarmCourseSpawner
        if cls._slots is None:
            cls._slots = StartSlots(self.max_concurrent_starts or 4)
        return cls._slots

    async def _size_start_slots(self):
        """Two per CPU of the ready nodes (at least four), once, unless configured.

        A start also waits on Docker (creating the container, attaching it to
        the network): two starts per CPU keep the CPUs busy meanwhile. More
        share the CPUs between more starts and make each one slower (measured:
        the median of 30 starts on 2 CPUs took 15 s with 4 slots, 17 s with 8).
        """
        cls = SwarmCourseSpawner
        if cls._slots is not None or self.max_concurrent_starts:
            return
        try:
            nodes = await self.docker("nodes", filters={"role": "worker"}) + await self.docker(
                "nodes", filters={"role": "manager"}
            )
        except APIError as e:
            self.log.warning("Cannot count the Swarm's CPUs (%s); 4 starts at once", e)
            return
        cpus = sum(
            node["Description"]["Resources"]["NanoCPUs"] / 1e9
            for node in nodes
            if node["Status"]["State"] == "ready" and node["Spec"]["Availability"] == "active"
        )
        if cls._slots is None:
            cls._slots = StartSlots(max(4, int(2 * cpus)))
            self.log.info("Up to %d servers start at once", cls._slots.size)

    @property
    def environment_name(self):
        return self.name or self.user_options.get("environment") or self.default_environment

    # ---- progress ----------------------------------------------------------

    def _reset_progress(self):
        self._events = []
        self._events_changed = asyncio.Event()

    def say(self, english, **values):
        """A sentence for the student (`swarm.wording`), in the language of their request."""
        return wording.say(english, self.lang, **values)

    def _report(self, progress, message):
        if not hasattr(self, "_events"):
            self._reset_progress()
        self._events.append({"progress": progress, "message": message})
        self._events_changed.set()
        self.log.debug("Start of %s: %s", self._log_name, message)

    async def progress(self):
        """Yield the phases of the current start as they happen."""
        if not hasattr(self, "_events"):
            self._reset_progress()
        sent = 0
        while True:
            while sent < len(self._events):
                yield self._events[sent]
                sent += 1
            self._events_changed.clear()
            await self._events_changed.wait()

    # ---- choosing the environment -----------------------------------------

    async def resolve_environment(self):
        """The environment this server runs, or a SpawnError saying why not.

        The enrolment check queries the database: it runs in a thread, never
        on the hub's event loop.
        """
        lang = self.lang = refusals.language_of(self.handler)
        options = dict(self.user_options or {})
        requested = options.pop("environment", None)
        if options:
            names = ", ".join(sorted(options))
            raise SpawnError(refusals.say("options", lang, names=names), reason="options")
        if self.name and requested and requested != self.name:
            raise SpawnError(
                refusals.say("other_server", lang, name=self.name, requested=requested),
                reason="options",
            )
        name = self.environment_name
        # The catalog may read the database: never on the hub's event loop.
        environment = await asyncio.to_thread(self.catalog.get, name)
        if environment is None:
            raise SpawnError(
                refusals.say("unknown", lang, name=name), reason="environment", status_code=404
            )
        user = self.user
        refusal = await asyncio.to_thread(
            self.catalog.refusal, environment, user.name, is_admin=user.admin, lang=lang
        )
        if refusal:
            raise SpawnError(refusal, reason="access", status_code=403)
        # Teachers may try their environment before the session opens.
        if not (user.admin or user.name in environment.teachers):
            refusal = sessions.start_refusal(environment.sessions, lang=lang)
            if refusal:
                raise SpawnError(refusal, reason="session", status_code=403)
        return environment

    def server_plan(self, environment, args):
        """The pure description of the service to create (see swarm.specs)."""
        home = names.home_volume_name(self.prefix, self.user.name)
        work = names.work_volume_name(self.prefix, self.user.name, environment.name)
        return specs.ServerPlan(
            service_name=self.object_name,
            user_name=self.user.name,
            server_name=self.name,
            environment=environment,
            env=self.get_env(),
            args=args,
            network=self.network_name,
            home_volume=home if environment.home_volume else "",
            work_volume=work if environment.work_volume else "",
            home_path=self.home_path,
            work_path=self.work_path,
            volume_driver=self.volume_driver or "local",
            volume_driver_options=self.volume_driver_options,
            volume_size_option=self.volume_size_option,
            gpu_kind=self.gpu_kind,
            compute_label=self.compute_label,
            cap_add=self.cap_add,
            extra_labels=self.extra_labels,
            instance=self.prefix,
        )

    def get_args(self):
        args = super().get_args()
        if self.frame_ancestors:
            policy = " ".join(["frame-ancestors 'self'", *self.frame_ancestors])
            settings = {"headers": {"Content-Security-Policy": policy}}
            args.append(f"--ServerApp.tornado_settings={json.dumps(settings)}")
        return args

    def get_env(self):
        env = super().get_env()
        if self.course_environment is not None:
            env["MYDOCKER_ENVIRONMENT"] = self.course_environment.name
        return env

    # ---- lifecycle ---------------------------------------------------------

    @activity.logs_start
    async def start(self):
        self._reset_progress()
        environment = await self.resolve_environment()
        self.course_environment = environment
        self.image = environment.image
        self.object_name = self._object_name_default()
        self.cpu_limit = environment.cpu_limit
        self.mem_limit = environment.mem_limit or None

        image = await self._inspect_image(environment.image)
        await self._refuse_root_image(image)
        args = self._command(image)
        await self._wait_in_line()
        held = time.monotonic()
        try:
            async with asyncio.timeout(self.ready_timeout):
                ip = await self._run_service(environment, args)
        except TimeoutError:
            raise SpawnError(
                self.say(
                    "Your environment did not start within {seconds} seconds. "
                    "Try again; if it persists, tell your teacher.",
                    seconds=self.ready_timeout,
                ),
                reason="timeout",
                status_code=504,
            ) from None
        finally:
            self.start_slots.release()
        self._start_durations.record(time.monotonic() - held)
        self.stop_at = sessions.stop_time(environment.sessions)
        self._schedule_session_stop()
        return ip, self.port

    async def _wait_in_line(self):
        """Wait for a start slot, showing the place in line and the expected wait."""
        await self._size_start_slots()
        slots = self.start_slots

        def queued(position):
            # After the image (10-30): a start waits in line once it can run.
            self._report(
                30,
                queue_message(
                    position, self._start_durations.wait(position, slots.size), self.lang
                ),
            )

        try:
            await asyncio.wait_for(slots.acquire(on_position=queued), self.max_queue_wait)
        except TimeoutError:
            raise SpawnError(
                self.say(
                    "So many servers are starting that yours could not start within {seconds} "
                    "seconds. Try again in a few minutes.",
                    seconds=self.max_queue_wait,
                ),
                reason="queue",
                status_code=503,
            ) from None

    async def _run_service(self, environment, args):
        """Create the service and follow it until the server answers; remove it on failure."""
        await self._remove_leftover_service()
        self._report(
            35, self.say("Creating your “{title}” environment", title=environment.display_name)
        )
        spec = specs.service_spec(self.server_plan(environment, args))
        # If the start is cancelled meanwhile, the service is still created (in
        # a Docker thread): `created` removes it then.
        service = await created(self.docker("create_service", **spec), self._remove_created)
        self.object_id = service["ID"]
        self.log.info(
            "Created service %s (id %s) for %s from %s",
            self.object_name,
            self.object_id[:7],
            self._log_name,
            environment.image,
        )
        try:
            task = await self._wait_for_task()
            ip = self._task_address(task)
            await self._warn_about_disk_usage(environment, task)
            self._report(85, self.say("Your environment is running; waiting for it to answer"))
            await self._wait_until_answering(ip)
        except BaseException:
            await self._remove_service_quietly()
            raise
        return ip

    async def _remove_created(self, service):
        self.log.warning(
            "Removing service %s (id %s): its start was cancelled while it was created",
            self.object_name,
            service["ID"][:7],
        )
        await self._remove_service_quietly(service["ID"])

    async def _inspect_image(self, image):
        """The image's description, fetching it first as `pull_policy` says.

        "skip" is "never" here: the image is inspected anyway for its command
        and user, so a missing one is refused at once with a clear message.
        """
        if self.pull_policy == "always":
            await self._pull_within_timeout(image)
        try:
            return await self.docker("inspect_image", image)
        except NotFound:
            if self.pull_policy != "ifnotpresent":
                raise SpawnError(
                    self.say(
                        "The software image of this environment is not on this platform. "
                        "Tell your teacher: it must be built again."
                    ),
                    reason="image",
                    status_code=503,
                ) from None
        await self._pull_within_timeout(image)
        return await self.docker("inspect_image", image)

    async def _pull_within_timeout(self, image):
        try:
            await asyncio.wait_for(self._pull(image), self.pull_timeout)
        except TimeoutError:
            raise SpawnError(
                self.say(
                    "The software image of this environment took more than {seconds} seconds "
                    "to fetch. Try again in a few minutes; if it persists, tell your teacher.",
                    seconds=self.pull_timeout,
                ),
                reason="image",
                status_code=503,
            ) from None

    async def _refuse_root_image(self, image):
        """Refuse an image that would run as root (uid 0, by number or by name).

        A student's server runs as the image's own non-root user. A ``USER``
        given by name is looked up in the image's /etc/passwd.
        """
        user = image["Config"].get("User")
        passwd_text = ""
        if passwd.numeric_uid(user) is None:
            passwd_text = await self._image_passwd(image["Id"])
        if runs_as_root(user, passwd_text):
            raise SpawnError(
                self.say(
                    "The software image of this environment runs as the administrator (root), "
                    "which the platform does not allow. Tell your teacher: its Dockerfile must "
                    "end with a USER line naming an ordinary user."
                ),
                reason="root-image",
                status_code=503,
                log_message=f"Refused {self.image} for {self._log_name}: it runs as root",
            )

    async def _image_passwd(self, image_id):
        """The image's /etc/passwd (once per image): read from a container never started."""
        cache = SwarmCourseSpawner._image_passwds
        if image_id not in cache:
            read = self.executor.submit(passwd.read_image_passwd, self.client, image_id)
            try:
                cache[image_id] = await asyncio.wrap_future(read)
            except APIError as e:
                raise SpawnError(
                    self.say(
                        "The software image of this environment could not be checked. "
                        "Try again in a few minutes; if it persists, tell your teacher."
                    ),
                    reason="image",
                    status_code=503,
                    log_message=f"Reading /etc/passwd of {self.image} failed: {e}",
                ) from None
        return cache[image_id]

    def _command(self, image):
        """The server's command, from the image unless `cmd` is set."""
        command = list(self.cmd) if self.cmd else list(image["Config"]["Cmd"] or [])
        return command + self.get_args()

    async def _pull(self, image):
        """Fetch `image`, sharing the pull with the other starts that need it."""
        loop = asyncio.get_running_loop()
        shown = -5

        def show(percent):
            nonlocal shown
            if percent >= shown + 5:
                shown = percent
                self._report(
                    10 + percent // 5, self.say("Fetching the image: {percent}%", percent=percent)
                )

        async def run(on_event):
            def on_event_threadsafe(event):
                loop.call_soon_threadsafe(on_event, event)

            started = time.monotonic()
            pull = self.executor.submit(pull_image, self.client, image, on_event_threadsafe)
            await asyncio.wrap_future(pull)
            self.log.info("Pulled %s in %.1f s", image, time.monotonic() - started)

        self._report(10, self.say("Fetching the image {image}", image=image))
        try:
            await self._pulls.pull(image, run, show)
        except (APIError, RuntimeError) as e:
            raise SpawnError(
                self.say(
                    "The software image of this environment could not be fetched. "
                    "Try again in a few minutes; if it persists, tell your teacher."
                ),
                reason="image",
                status_code=503,
                log_message=f"Pulling {image} for {self._log_name} failed: {e}",
            ) from None

    async def _remove_leftover_service(self):
        """Remove a service of this server that a previous start left behind.

        The name is this server's alone (see `names.service_name`); once
        found, the service is removed by its id.
        """
        try:
            leftover = await self.docker("inspect_service", self.object_name)
        except NotFound:
            return
        self.log.warning("Removing leftover service %s", self.object_name)
        await self._remove_service_quietly(leftover["ID"])

    async def _remove_service_quietly(self, service_id=None):
        """Remove this server's service (by id: a name may be taken again meanwhile)."""
        service_id = service_id or self.object_id
        if service_id:
            try:
                await self.docker("remove_service", service_id)
            except NotFound:
                pass
            except APIError as e:
                self.log.error("Could not remove service %s: %s", service_id[:7], e)
        if service_id == self.object_id:
            self.object_id = ""

    async def _node_name(self, node_id):
        if not node_id:
            return ""
        if node_id not in self._node_names:
            try:
                node = await self.docker("inspect_node", node_id)
                self._node_names[node_id] = node["Description"]["Hostname"]
            except APIError:
                return node_id[:12]
        return self._node_names[node_id]

    async def _current_task(self):
        return latest(await self.docker("tasks", filters={"service": self.object_id}))

    async def _wait_for_task(self):
        """Follow the task until it runs; fail at once on a terminal state.

        The start's own timeout (`ready_timeout`) bounds the wait.
        """
        last_state = None
        while True:
            task = await self.task_watch.current_task(self.object_id)
            if task is not None:
                status = task["Status"]
                state = status["State"]
                if state != last_state:
                    node = self.task_node = await self._node_name(task.get("NodeID"))
                    if node:
                        text = self.say("Task {state} on {node}", state=state, node=node)
                    else:
                        text = self.say("Task {state}", state=state)
                    self._report(TASK_PROGRESS.get(state, 60), text)
                    last_state = state
                if state == "running":
                    return task
                exit_code = status.get("ContainerStatus", {}).get("ExitCode")
                failure = messages.task_failure(
                    state,
                    status.get("Err", ""),
                    exit_code,
                    self.course_environment.mem_limit,
                    self.lang,
                )
                if failure:
                    raise SpawnError(
                        failure,
                        reason=f"task-{state}",
                        status_code=503,
                        log_message=f"Start of {self._log_name} failed: task {state}: {status}",
                    )

    async def _warn_about_disk_usage(self, environment, task):
        """Measure the environment's volumes and warn the student before they are full.

        Only for tasks on the hub's own machine (Docker runs commands in
        local containers only) and when the driver does not enforce the quota.
        """
        if not environment.disk_quota or self.volume_size_option:
            return
        paths = [
            p
            for p, wanted in (
                (self.home_path, environment.home_volume),
                (self.work_path, environment.work_volume),
            )
            if wanted
        ]
        container_id = task["Status"].get("ContainerStatus", {}).get("ContainerID")
        if not paths or not container_id:
            return
        try:
            output = await asyncio.wait_for(
                self._exec(container_id, disk.measure_command(paths)), disk.MEASURE_SECONDS + 5
            )
        except (APIError, RequestException, TimeoutError) as e:
            # Only a warning is lost: a slow or failing measure never fails the start.
            self.log.info("No disk usage for %s: %r", self._log_name, e)
            return
        usage = disk.total_bytes(output.decode(errors="replace"))
        message = disk.warning(usage, environment.disk_quota, self.disk_warning_ratio, self.lang)
        if message:
            self.log.info("Disk usage of %s: %s", self._log_name, message)
            self._report(85, message)

    async def _exec(self, container_id, command):
        result = await self.docker("exec_create", container_id, command)
        return await self.docker("exec_start", result["Id"])

    async def _wait_until_answering(self, ip):
        """Wait for the server's API, failing at once if its task ends meanwhile."""
        if self.server is None:
            return
        url = f"http://{ip}:{self.port}{self.server.base_url}api"
        client = AsyncHTTPClient()
        deadline = time.monotonic() + self.http_timeout
        attempts = 0
        while time.monotonic() < deadline:
            try:
                response = await client.fetch(
                    url, request_timeout=2, follow_redirects=False, raise_error=False
                )
                if response.code == 200:
                    return
            except (OSError, HTTPClientError):  # not listening yet, or too busy to answer
                pass
            attempts += 1
            if attempts % 5 == 0:
                await self._fail_if_task_ended()
            await asyncio.sleep(0.1)
        raise SpawnError(
            self.say(
                "Your environment started but did not answer within {seconds} seconds. "
                "Try again; if it persists, tell your teacher.",
                seconds=self.http_timeout,
            ),
            reason="timeout",
            status_code=504,
        )

    async def _fail_if_task_ended(self):
        task = await self.task_watch.current_task(self.object_id)
        status = task["Status"] if task else {"State": "remove", "Err": "the service is gone"}
        if status["State"] == "running":
            return
        exit_code = status.get("ContainerStatus", {}).get("ExitCode")
        failure = messages.task_failure(
            status["State"],
            status.get("Err", ""),
            exit_code,
            self.course_environment.mem_limit,
            self.lang,
        )
        raise SpawnError(
            failure
            or self.say(
                "Your environment stopped while starting ({state}).", state=status["State"]
            ),
            reason=f"task-{status['State']}",
            status_code=503,
            log_message=f"{self._log_name} ended while starting: {status}",
        )

    def _task_address(self, task):
        """The task's own address on the hub's network (never the service name:
        the name can still resolve to a previous task for a while)."""
        for attachment in task.get("NetworksAttachments") or []:
            if attachment["Network"]["Spec"]["Name"] == self.network_name:
                return attachment["Addresses"][0].split("/")[0]
        raise SpawnError(
            self.say(
                "Your environment runs but is not on the network {network}. "
                "Tell the platform's administrators.",
                network=repr(self.network_name),
            ),
            reason="network",
            status_code=500,
        )

    async def poll(self):
        if not self.object_id:
            # The hub's first poll after its restart, of a start that the restart cut short.
            if self._check_pending and self.server is not None:
                return await recovery.adopt_interrupted_start(self)
            return 0
        try:
            task = await self._current_task()
        except NotFound:
            return 0
        if task is None:
            return 0
        state = task["Status"]["State"]
        if state in {"new", "pending", "assigned", "accepted", "preparing", "ready", "starting"}:
            return None
        if state == "running":
            return None
        return task["Status"].get("ContainerStatus", {}).get("ExitCode", 1) or 1

    async def get_url(self):
        """Where a kept interrupted start's server answers (JupyterHub asks after `poll`)."""
        return self.adopted_url or await super().get_url()

    @activity.logs_stop
    async def stop(self, now=False):
        self.log.info(
            "Stopping service %s (id %s) of %s",
            self.object_name,
            (self.object_id or "")[:7],
            self._log_name,
        )
        await self._remove_service_quietly()
        self.clear_state()
        # JupyterHub's clean-up follows at once; a class that stops together takes turns.
        await hub_turns.take()

    # ---- end of sessions ---------------------------------------------------

    def _schedule_session_stop(self):
        """Stop the server when its "stop at end" session ends."""
        self._cancel_session_stop()
        if self.stop_at is None:
            return
        delay = max((self.stop_at - datetime.now(UTC)).total_seconds(), 0)
        loop = asyncio.get_event_loop()
        self._stop_handle = loop.call_later(
            delay, lambda: asyncio.ensure_future(self._stop_at_session_end())
        )

    def _cancel_session_stop(self):
        handle = getattr(self, "_stop_handle", None)
        if handle is not None:
            handle.cancel()
            self._stop_handle = None

    @activity.ends_session
    async def _stop_at_session_end(self):
        self.log.info("Session over: stopping %s", self._log_name)
        await self.user.stop(self.name)

    # ---- state -------------------------------------------------------------

    def get_state(self):
        state = super().get_state()
        if self.object_id:
            state["environment"] = self.environment_name
            if self.stop_at:
                state["stop_at"] = self.stop_at.isoformat()
        return state

    def load_state(self, state):
        super().load_state(state)
        if state.get("environment"):
            self.course_environment = self.catalog.get(state["environment"])
        if state.get("stop_at"):
            self.stop_at = datetime.fromisoformat(state["stop_at"])
            self._schedule_session_stop()

    def clear_state(self):
        super().clear_state()
        self.object_id = ""
        self.adopted_url = ""
        self.stop_at = None
        self._cancel_session_stop()
