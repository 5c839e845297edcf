"""The hub's program: JupyterHub, plus what a platform that survives its own crashes needs.

``python -m mydocker_hub.app -f jupyterhub_config.py`` (the hub image's command):

- its files are private: the data folder's database and secrets are readable
  by the hub's user only, and so is every file it writes;
- at each start, once JupyterHub has polled the servers it knew, the Swarm's
  services are put back in line with them (`mydocker_hub.swarm.recovery`);
- a class's starts are set up one at a time, with the hub free to answer
  between two (`mydocker_hub.turns`);
- when the proxy runs in its own container, its routes are checked every
  `routes_check_interval` seconds, so that a proxy that restarted gets them
  back soon (JupyterHub itself checks them every `last_activity_interval`);
- once started, what the start loaded is left out of Python's garbage
  collections (`freeze_what_start_loaded`).
"""

import gc
import os

from jupyterhub.app import JupyterHub
from tornado.ioloop import PeriodicCallback
from traitlets import Integer

from . import turns

DATA_DIR = os.environ.get("MYDOCKER_DATA_DIR", "/srv/jupyterhub")


def keep_private(data_dir):
    """The data folder and what is in it: the hub's user only (from now on, too)."""
    os.umask(0o077)
    if not os.path.isdir(data_dir):
        return
    os.chmod(data_dir, 0o700)
    for entry in os.scandir(data_dir):
        if entry.is_dir(follow_symlinks=False):
            os.chmod(entry.path, 0o700)
        elif entry.is_file(follow_symlinks=False):
            os.chmod(entry.path, 0o600)


def freeze_what_start_loaded():
    """Leave the objects alive now out of every later garbage collection.

    A started hub holds about 200,000 objects (modules, configuration, users,
    spawners) that live as long as it does. Python's full collections went
    through all of them, on the event loop: 0.08 to 0.12 s each during a class's
    start, the longest pauses of the hub's answers. Garbage is collected first,
    so that only live objects are frozen.
    """
    gc.collect()
    gc.freeze()


class MyDockerHub(JupyterHub):
    routes_check_interval = Integer(
        30,
        config=True,
        help="""Seconds between two checks of the proxy's routes, when the proxy
        runs in its own container (0: never). A restarted proxy knows no route
        until the next check: every student's server is out of reach until then.""",
    )

    def init_handlers(self):
        super().init_handlers()
        self.handlers = turns.paced(self.handlers)

    async def init_spawners(self):
        count = await super().init_spawners()
        from .spawner import SwarmCourseSpawner
        from .swarm import recovery

        if issubclass(self.spawner_class, SwarmCourseSpawner):
            prefix = self.config.SwarmCourseSpawner.get("prefix", "mydocker")
            await recovery.sweep(prefix, self.users.values(), self.log)
        return count

    async def start(self):
        await super().start()
        freeze_what_start_loaded()
        if not self.proxy.should_start and self.routes_check_interval:
            check = PeriodicCallback(self._check_routes, 1e3 * self.routes_check_interval)
            self._periodic_callbacks["mydocker_routes"] = check
            check.start()

    async def _check_routes(self):
        try:
            await self.proxy.check_routes(self.users, self._service_map)
        except Exception as e:  # the proxy may be restarting: the next check will do
            self.log.warning("Could not check the proxy's routes: %s", e)


def main():
    keep_private(DATA_DIR)
    MyDockerHub.launch_instance()


if __name__ == "__main__":
    main()
