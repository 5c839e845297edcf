"""Bringing the platform up on a machine: Docker Engine, Swarm, images and the hub.

Used by the `mydocker-hub` command line on the host; never imported by the hub.
"""


class DeployError(Exception):
    """A set-up step that failed, said in one line for the admin."""
