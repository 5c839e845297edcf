"""Ports for the servers the tests run themselves (hubs, proxies, identity providers)."""

import random
import socket

LOWEST = 20000  # above the platforms' (18000, 18001) and the test registry's (15000)


def free_port(host="127.0.0.1"):
    """A port free now on `host`, below the kernel's range for outgoing connections.

    A port the kernel hands out (bind to port 0) comes from that range, where
    any connection the tests beside open meanwhile may take it before the
    server meant for it listens.
    """
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        ephemeral_low = int(f.read().split()[0])
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(200):
        port = random.randrange(LOWEST, ephemeral_low)
        with socket.socket(family) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {LOWEST} and {ephemeral_low} on {host}")
