"""Disk usage of a student's volumes against the environment's quota."""

from docker.utils import parse_bytes

from .wording import say


def total_bytes(du_output):
    """The total of `du -sbc` ('N\\ttotal' on its last line), or None."""
    for line in reversed(du_output.strip().splitlines()):
        size, _, name = line.partition("\t")
        if name == "total" and size.isdigit():
            return int(size)
    return None


def human(size):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000


def warning(usage, quota, ratio, lang="en"):
    """What to tell a student whose folders use `usage` bytes of `quota` (in `lang`), or None."""
    if usage is None:
        return None
    limit = parse_bytes(quota)
    if usage < ratio * limit:
        return None
    if usage >= limit:
        return say(
            "Your folders use {used}, more than the {quota} this environment allows: "
            "delete or download files now, before you lose work.",
            lang,
            used=human(usage),
            quota=quota,
        )
    return say(
        "Warning: your folders use {used} of the {quota} this environment allows. "
        "Free some space soon.",
        lang,
        used=human(usage),
        quota=quota,
    )


# A measure that takes longer is given up: the start goes on without a warning.
MEASURE_SECONDS = 5


def measure_command(paths, seconds=MEASURE_SECONDS):
    """The command run in the server's container to measure `paths`, bounded in time."""
    return ["timeout", str(seconds), "du", "-sxbc", *paths]
