"""The hub and its proxy ahead of the servers and the engine for the CPU.

With its cgroupfs driver, Docker puts every container in one CPU group
(``/docker``). Inside it the platform's containers weigh the most
(`PLATFORM_CPU_SHARES`), but the group as a whole takes its turns against
the engine's own processes (dockerd, runc, the shims), and each of its turns
is shared with the busy servers. While a class of 50 started, the hub's event
loop waited for a CPU about as long as it ran (5.5 s against 5.7 s). In a
group of their own, ten times as heavy as one of the machine's processes, the
hub and the proxy run soon after they have work (that wait fell to 2.4 s),
and the engine that they wait on still gets its turns: with the largest
weight, a hub that starts could take both CPUs from everything else on the
machine, the engine included.

With the systemd driver (a Docker started by systemd on cgroup v2), groups
are systemd slices, which this module does not manage: the containers stay
where Docker puts them.
"""

import os

GROUP = "mydocker-platform"
# The group's weight file and its weight (ten times the default), under cgroup v1 then v2.
WEIGHT_FILES = (("cpu", "cpu.shares", "10240"), ("", "cpu.weight", "1000"))


def cgroup_parent(client):
    """The group for the hub's and the proxy's containers, or None to leave them to Docker."""
    if client.info().get("CgroupDriver") != "cgroupfs":
        return None
    return f"/{GROUP}"


def weight_file(cgroup_root="/sys/fs/cgroup"):
    """The group's weight file that this machine has, with the weight it must hold; or None."""
    for controller, name, value in WEIGHT_FILES:
        path = os.path.join(cgroup_root, controller, GROUP, name)
        if os.path.exists(path):
            return path, value
    return None


def give_weight(cgroup_root="/sys/fs/cgroup"):
    """Give the platform's group (made by Docker as its containers started) its weight.

    Returns None, or a sentence saying why it could not.
    """
    found = weight_file(cgroup_root)
    if found is None:
        return (
            f"No CPU group {GROUP} under {cgroup_root}; "
            "the hub may answer slowly while a class starts"
        )
    path, value = found
    try:
        with open(path, "w") as f:
            f.write(value)
    except OSError as e:
        return (
            f"Could not give the hub's CPU group its weight ({path}: {e.strerror}); "
            "the hub may answer slowly while a class starts"
        )
    return None
