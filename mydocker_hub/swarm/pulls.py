"""Turning Docker's pull stream into one percentage for the progress page."""


def split_reference(image):
    """'registry:5000/team/img:tag' -> ('registry:5000/team/img', 'tag')."""
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:
        return image, "latest"
    return name, tag


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
