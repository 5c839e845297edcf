"""Bringing the platform up on a machine: Docker Engine, Swarm, images and the hub.

Used by the `mydocker-hub` command line on the host; never imported by the hub.
"""

import io
import tarfile


class DeployError(Exception):
    """A set-up step that failed, said in one line for the admin."""


def file_archive(name, data, mode=0o644):
    """A tar holding one file `name` with `data`, for a container's ``put_archive``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = mode
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
