"""Pulling images: one pull per image for all the starts that need it, and its percentage."""

import asyncio


def split_reference(image):
    """'registry:5000/team/img:tag' -> ('registry:5000/team/img', 'tag')."""
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:
        return image, "latest"
    return name, tag


def pull_image(client, image, on_event):
    """Pull `image` with docker-py's low-level `client`, calling `on_event` for each event.

    Blocking: run it in a Docker thread. Raises RuntimeError on an error event.
    """
    repository, tag = split_reference(image)
    for event in client.pull(repository, tag, stream=True, decode=True):
        if "error" in event:
            raise RuntimeError(event["error"])
        on_event(event)


DONE_STATUSES = {"Download complete", "Extracting", "Pull complete", "Already exists"}
LAYER_STATUSES = DONE_STATUSES | {
    "Pulling fs layer",
    "Waiting",
    "Downloading",
    "Verifying Checksum",
}


class PullProgress:
    """Adds up the layers of a pull: bytes downloaded over bytes to download.

    A layer that is already present, or whose download is complete, counts as
    done; extraction is not counted (it is quick next to the download).
    """

    def __init__(self):
        self.layers = {}  # id -> (current, total)

    def update(self, event):
        """Take one event of the stream; return the percentage so far, or None."""
        if "error" in event:
            raise RuntimeError(event["error"])
        layer = event.get("id")
        status = event.get("status", "")
        if not layer or status not in LAYER_STATUSES:
            return self.percent()
        current, total = self.layers.get(layer, (0, 0))
        detail = event.get("progressDetail") or {}
        if status == "Downloading" and detail.get("total"):
            current, total = detail.get("current", 0), detail["total"]
        elif status in DONE_STATUSES:
            total = total or 1
            current = total
        self.layers[layer] = (current, total)
        return self.percent()

    def percent(self):
        """Layers weigh the same while some sizes are unknown, then by bytes."""
        if not self.layers:
            return None
        known = [(c, t) for c, t in self.layers.values() if t]
        if len(known) < len(self.layers):
            return int(100 * sum(c / t for c, t in known) / len(self.layers))
        return int(100 * sum(c for c, _ in known) / sum(t for _, t in known))


class SharedPulls:
    """One pull per image at a time, however many starts need it.

    The first start that needs an image begins its pull; the starts that
    need it meanwhile follow the same pull: they see its percentage (from
    where it is when they join) and its outcome, success or failure. A start
    that gives up does not stop the pull for the others. The hub runs its
    pulls on its own Docker daemon, so one image is one pull on that node.
    """

    def __init__(self):
        self._pulls = {}  # image -> _Pull

    def __contains__(self, image):
        return image in self._pulls

    async def pull(self, image, run, on_percent):
        """Wait for `image` to be pulled, calling `on_percent(n)` as it progresses.

        `run(on_event)` is a coroutine function that pulls the image and calls
        `on_event(event)` (on the event loop) for each event of Docker's
        stream; it is called only if no pull of `image` is under way.
        """
        shared = self._pulls.get(image)
        if shared is None:
            shared = self._pulls[image] = _Pull()
            shared.task = asyncio.ensure_future(run(shared.on_event))
            shared.task.add_done_callback(lambda _: self._pulls.pop(image, None))
        shared.listeners.append(on_percent)
        if shared.percent is not None:
            on_percent(shared.percent)
        try:
            # One start giving up must not cancel the others' pull.
            await asyncio.shield(shared.task)
        finally:
            shared.listeners.remove(on_percent)


class _Pull:
    def __init__(self):
        self.task = None
        self.listeners = []
        self.progress = PullProgress()
        self.percent = None

    def on_event(self, event):
        percent = self.progress.update(event)
        if percent is not None and percent != self.percent:
            self.percent = percent
            for listener in list(self.listeners):
                listener(percent)
