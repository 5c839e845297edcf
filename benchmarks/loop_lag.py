"""How long the hub's event loop was blocked, from JupyterHub's own measure.

JupyterHub wakes every 50 ms and records how late it woke in the histogram
``jupyterhub_event_loop_interval_seconds`` (``/hub/metrics``). The difference
between two scrapes counts the blocks of a storm by length. Unlike the
answer time of ``/hub/health`` (`benchmarks.health_probe`), it leaves out the
proxy and the probe's own wait for the CPU.
"""

import re

METRIC = "jupyterhub_event_loop_interval_seconds_bucket"
THRESHOLDS = ("0.1", "0.25", "0.5", "1.0")
_BUCKET = re.compile(rf'^{METRIC}{{le="([^"]+)"}} (\S+)$', re.M)


def buckets(metrics_text):
    """{upper bound: cumulative count} of the histogram in a Prometheus text page."""
    return {float(bound): float(count) for bound, count in _BUCKET.findall(metrics_text)}


def blocks_over(before, after):
    """{threshold: how many times the loop was blocked longer} between two scrapes."""

    def over(counts, threshold):
        return counts.get(float("inf"), 0) - counts.get(float(threshold), 0)

    return {t: int(over(after, t) - over(before, t)) for t in THRESHOLDS}


def scrape(session, url):
    """The histogram now, or {} when the hub does not answer (the figure is then left out)."""
    try:
        response = session.get(f"{url}/hub/metrics", timeout=30)
    except OSError:
        return {}
    return buckets(response.text) if response.ok else {}
