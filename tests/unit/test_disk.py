import pytest

from mydocker_hub.environments import Environment
from mydocker_hub.swarm import disk, specs


def test_du_total_is_read_from_its_last_line():
    assert disk.total_bytes("812\t/home/student\n100\t/home/student/work\n912\ttotal\n") == 912
    assert disk.total_bytes("du: cannot access '/x'\n") is None


@pytest.mark.parametrize(
    "usage, expected",
    [
        (None, None),
        (700 * 1024**2, None),
        (900 * 1024**2, "Warning: your folders use 943.7 MB of the 1G"),
        (1200 * 1024**2, "more than the 1G this environment allows"),
    ],
    ids=["unknown", "fine", "nearly-full", "over"],
)
def test_students_are_warned_before_the_disk_is_full(usage, expected):
    message = disk.warning(usage, "1G", 0.8)
    if expected is None:
        assert message is None
    else:
        assert expected in message


def test_a_driver_that_takes_a_size_gets_the_quota():
    plan = specs.ServerPlan(
        service_name="s",
        user_name="alice",
        server_name="",
        environment=Environment(name="python", image="img", disk_quota="5G"),
        env={},
        args=[],
        network="n",
        home_volume="h",
        volume_driver="sized",
        volume_size_option="size",
    )
    assert specs.mounts(plan)[0]["VolumeOptions"]["DriverConfig"] == {
        "Name": "sized",
        "Options": {"size": "5G"},
    }
