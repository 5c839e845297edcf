"""Asks a hub's /hub/health every 100 ms until its standard input closes, then
prints the answer times (seconds, one per line).

It runs in a process of its own, at a higher priority than the benchmark's
clients: a student's browser is on another machine, so the time measured must
be the hub's, not that of a probe waiting for the CPU or for the clients'
interpreter lock.

    python -m benchmarks.health_probe URL
"""

import os
import sys
import threading
import time

import requests


def probe(url, stop):
    session = requests.Session()
    samples = []
    while not stop.is_set():
        started = time.monotonic()
        try:
            session.get(f"{url}/hub/health", timeout=30)
        except requests.RequestException:
            pass  # counted: a refused or timed-out answer is an answer time too
        samples.append(time.monotonic() - started)
        stop.wait(0.1)
    return samples


def main():
    try:
        os.nice(-5)
    except PermissionError:
        pass  # not root: the figures may include the probe's own waits
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    for sample in probe(sys.argv[1], stop):
        print(f"{sample:.4f}")


if __name__ == "__main__":
    main()
