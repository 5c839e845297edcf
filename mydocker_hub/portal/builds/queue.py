"""The portal's build queue: a few builds at once, off the event loop, their logs live.

A build asked for is a QUEUED row; `BuildQueue.submit` runs it when one of
the `concurrent` slots is free, in a thread of the queue's own pool (a build
may last twenty minutes: it must not hold a thread the portal's database
calls need). Each line of its log goes, as it comes, to its `LiveLog`, which
the build's page follows (server-sent events); the whole log is stored with
the build's outcome when it ends. Then the image is pushed to the registry,
when there is one, and builds beyond the last `keep` are removed.

When the portal starts, builds that a stopped portal left under way end as
ERROR (`image_store.interrupted`): no build stays QUEUED or RUNNING forever.
"""

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from docker.errors import APIError, DockerException

from .. import image_store
from ..image_models import CANCELLED, ERROR, OK
from .runner import BuildJob, BuildResult, run_build

log = logging.getLogger("mydocker.portal.builds")

LOG_LIMIT = 2**20  # what is kept of one build's log, in characters
FORGET_SECONDS = 120  # how long an ended build's log stays in memory
TRUNCATED = "… (the log is longer than 1 MiB: the rest is not kept)\n"


@dataclass(frozen=True)
class BuildLimits:
    """What one build may use: memory, CPU weight, time; and how many builds are kept."""

    memory: str = "2G"
    cpu_shares: int = 512
    timeout_seconds: int = 20 * 60
    keep: int = 5


class LiveLog:
    """The lines of a build under way, for the pages that follow it (one event loop)."""

    def __init__(self):
        self.lines = []
        self.steps = []  # the step under way when each line came
        self.size = 0
        self.step = ""
        self.status = None  # set when the build ends
        self._changed = asyncio.Event()

    def append(self, text):
        if self.size >= LOG_LIMIT:
            return
        if self.size + len(text) >= LOG_LIMIT:
            text = TRUNCATED
        if text.startswith("Step "):
            self.step = text.strip()
        self.lines.append(text)
        self.steps.append(self.step)
        self.size += len(text)
        self._wake()

    def finish(self, status):
        self.status = status
        self._wake()

    def _wake(self):
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, seen, timeout):
        """Until there are more than `seen` lines or the build ended (or `timeout` passed)."""
        if len(self.lines) > seen or self.status:
            return
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            pass

    @property
    def text(self):
        return "".join(self.lines)


class BuildQueue:
    """Runs the portal's builds; `client_factory()` gives a docker-py `APIClient`."""

    def __init__(self, contexts, client_factory, *, concurrent=1, limits=None, registry="", db):
        self.contexts = contexts
        self.client_factory = client_factory
        self.limits = limits or BuildLimits()
        self.registry = registry
        self.in_db = db  # in_db(function, *args): function(session, *args) in a thread
        self.concurrent = concurrent
        self._slots = asyncio.Semaphore(concurrent)
        self._pool = ThreadPoolExecutor(max_workers=concurrent, thread_name_prefix="mydocker-build")
        self._cancels = {}
        self._tasks = set()
        self.live = {}

    async def recover(self):
        """At start: end what a stopped portal left under way (see the module's text)."""
        count = await self.in_db(image_store.interrupted)
        if count:
            log.warning("%d build(s) were under way when the portal stopped: ended as ERROR", count)

    def submit(self, build_id):
        """Run the build `build_id` (a QUEUED row) when a slot is free."""
        self.live[build_id] = LiveLog()
        task = asyncio.create_task(self._run(build_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def cancel(self, build_id):
        """Stop a running build; whether it was running here."""
        event = self._cancels.get(build_id)
        if event is None:
            return False
        event.set()
        return True

    def cancelled_while_queued(self, build_id):
        live = self.live.get(build_id)
        if live is not None and not live.status:
            live.append("Cancelled before it started.\n")
            live.finish(CANCELLED)

    async def _run(self, build_id):
        live = self.live[build_id]
        try:
            async with self._slots:
                job = await self.in_db(image_store.mark_running, build_id)
                if job is None:  # cancelled while it waited
                    live.finish(live.status or CANCELLED)
                    return
                live.append(f"Building {job['tag']}\n")
                result = await self._build(build_id, job, live)
                await self.in_db(
                    image_store.mark_finished,
                    build_id,
                    result.status,
                    docker_id=result.image_id,
                    error=result.error,
                    root_warning=result.root_warning,
                    log=live.text,
                )
                live.finish(result.status)
                self._forget_later(build_id)
                log.info("Build %s ended %s", job["tag"], result.status)
            await self._prune(build_id)
        except Exception:
            log.exception("Build %s failed in the portal", build_id)
            live.append("The platform could not run this build. Try again in a moment.\n")
            await self.in_db(image_store.mark_finished, build_id, ERROR, log=live.text)
            live.finish(ERROR)

    def _forget_later(self, build_id):
        # Pages following the build have read its end by then; later ones read the database.
        asyncio.get_running_loop().call_later(FORGET_SECONDS, self.live.pop, build_id, None)

    async def _build(self, build_id, job, live):
        loop = asyncio.get_running_loop()
        cancel = threading.Event()
        self._cancels[build_id] = cancel

        def on_line(text):
            loop.call_soon_threadsafe(live.append, text)

        try:
            return await loop.run_in_executor(
                self._pool, self._build_blocking, job, on_line, cancel
            )
        finally:
            self._cancels.pop(build_id, None)

    def _build_blocking(self, job, on_line, cancel):
        folder = self.contexts.folder(job["image"])
        build = BuildJob(
            context_dir=folder if os.path.isdir(folder) else self.contexts.empty_folder(),
            dockerfile=job["dockerfile"],
            tag=job["tag"],
            memory=self.limits.memory,
            cpu_shares=self.limits.cpu_shares,
            timeout_seconds=self.limits.timeout_seconds,
        )
        client = self.client_factory()
        try:
            result = run_build(client, build, on_line, cancel)
            if result.status == OK and self.registry:
                result = self._push(client, job["tag"], result, on_line)
            return result
        except (APIError, DockerException, OSError) as e:
            on_line(f"The build could not run: {e}\n")
            return BuildResult(status=ERROR, error=f"The build could not run: {e}")
        finally:
            client.close()

    def _push(self, client, tag, result, on_line):
        """Push the build to the registry: every node of the Swarm pulls it from there."""
        repository, _, number = tag.rpartition(":")
        on_line(f"Pushing {tag}\n")
        for chunk in client.push(repository, tag=number, stream=True, decode=True):
            if "error" in chunk:
                on_line(f"{chunk['error']}\n")
                return BuildResult(status=ERROR, error=f"The push failed: {chunk['error']}")
        on_line("Pushed.\n")
        return result

    async def _prune(self, build_id):
        tags = await self.in_db(image_store.prunable, build_id, self.limits.keep, self.registry)
        if tags:
            await asyncio.get_running_loop().run_in_executor(self._pool, self.remove_images, tags)

    def remove_images(self, tags):
        """Remove these builds' images from the engine (blocking; gone already is fine).

        Docker out of reach leaves them there, logged: what the teacher asked
        (a deletion, a new build) is done all the same."""
        try:
            client = self.client_factory()
        except DockerException as e:
            log.warning("Could not remove the builds %s: %s", ", ".join(tags), e)
            return
        try:
            for tag in tags:
                try:
                    client.remove_image(tag)
                except (APIError, DockerException) as e:
                    log.info("Could not remove the old build %s: %s", tag, e)
        finally:
            client.close()
