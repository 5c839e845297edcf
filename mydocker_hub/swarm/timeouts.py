"""What `start_timeout` counts: not the wait in line, not the fetching of the image.

JupyterHub gives up on a start that takes longer than `Spawner.start_timeout`,
counting the whole of ``Spawner.start()``. When a class starts together, the
last students wait in line for a start slot (see `max_concurrent_starts`),
and a missing image is first fetched; counted against `start_timeout`, those
waits make the last starts of a large class fail although nothing went wrong.

So here `start_timeout` (as configured) bounds a start from the moment it
holds a start slot and its image is present, and the spawner enforces it
itself (`ready_timeout`). JupyterHub is given a bound that adds the longest
wait in line and the longest pull: ``start_timeout + max_queue_wait +
pull_timeout``. Each of these waits has its own limit and its own message.
"""

from traitlets import Integer
from traitlets.config import Configurable


class StartTimeouts(Configurable):
    """The limits of the phases of a start (mixed into the spawner)."""

    start_timeout = Integer(
        60,
        config=True,
        help="""
        How long (seconds) a start may take once it holds a start slot and its
        image is present: creating the service, the task starting, the server
        answering. A start that takes longer fails and its service is removed.

        Unlike JupyterHub's own `Spawner.start_timeout`, it does not count the
        wait in line (`max_queue_wait`) nor the fetching of the image
        (`pull_timeout`); JupyterHub is given the sum of the three.
        """,
    )

    max_queue_wait = Integer(
        900,
        config=True,
        help="""
        How long (seconds) a start may wait in line for a start slot (see
        `max_concurrent_starts`) before it gives up and tells the student to
        try again later.

        The wait in line and the fetching of the image do not count against
        `start_timeout`: here `start_timeout` bounds the start from the moment
        it holds a slot and its image is present (the spawner enforces it).
        JupyterHub, which bounds the whole start by `start_timeout`, is given
        ``start_timeout + max_queue_wait + pull_timeout`` instead. So the last
        students of a large class starting together wait their turn, and a
        server that is slow to start still fails after `start_timeout`.

        For example, with 4 starts at a time taking about 15 s each, a class
        of 200 needs about 750 s: keep `max_queue_wait` above that.

        .. versionadded:: 0.1
        """,
    )

    pull_timeout = Integer(
        900,
        config=True,
        help="""
        How long (seconds) a start may wait for its environment's image to be
        fetched from its registry. Not counted in `start_timeout` (see
        `max_queue_wait`). All the starts that need the same image share one
        pull.

        .. versionadded:: 0.1
        """,
    )

    ready_timeout = Integer(
        help="""
        The configured `start_timeout`: how long a start may take once it
        holds a start slot and its image is present. Set by the spawner from
        `start_timeout`; not to be configured.
        """,
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # JupyterHub reads start_timeout to bound the whole start(): give it
        # the larger bound, and keep the configured value for the spawner.
        self.ready_timeout = self.start_timeout
        self.start_timeout = self.ready_timeout + self.max_queue_wait + self.pull_timeout
