from mydocker_hub.environments import Environment
from mydocker_hub.swarm import specs


def plan(**environment):
    return specs.ServerPlan(
        service_name="mydocker-alice--python",
        user_name="alice",
        server_name="python",
        environment=Environment(name="python", image="registry.example/python:3", **environment),
        env={"JUPYTERHUB_API_TOKEN": "t"},
        args=["jupyterhub-singleuser"],
        network="mydocker",
        home_volume="mydocker-home-alice",
    )


def test_service_spec_is_exactly_what_the_environment_says():
    spec = specs.service_spec(plan(cpu_limit=0.5, mem_limit="1G", pids_limit=256))
    labels = {
        "mydocker.user": "alice",
        "mydocker.server": "python",
        "mydocker.environment": "python",
    }
    assert spec == {
        "name": "mydocker-alice--python",
        "labels": labels,
        "endpoint_spec": {"Mode": "dnsrr"},
        "task_template": {
            "ContainerSpec": {
                "Image": "registry.example/python:3",
                "Command": None,
                "Args": ["jupyterhub-singleuser"],
                "Env": ["JUPYTERHUB_API_TOKEN=t"],
                "Labels": labels,
                "Mounts": [
                    {
                        "Target": "/home/student",
                        "Source": "mydocker-home-alice",
                        "Type": "volume",
                        "ReadOnly": False,
                        "VolumeOptions": {
                            "Labels": {"mydocker.user": "alice", "mydocker.volume": "home"}
                        },
                    }
                ],
                "StopGracePeriod": 10 * 10**9,
                "Healthcheck": {
                    "Test": ["NONE"],
                    "Interval": None,
                    "Timeout": None,
                    "Retries": None,
                    "StartPeriod": None,
                },
                "Init": True,
                "CapabilityDrop": ["ALL"],
            },
            "Resources": {
                "Limits": {"NanoCPUs": 500_000_000, "MemoryBytes": 1024**3, "Pids": 256},
            },
            "RestartPolicy": {"Condition": "none", "Delay": 0, "MaxAttempts": 0, "Window": 0},
            "Networks": [{"Target": "mydocker"}],
        },
    }


def test_no_bind_mount_ever_and_no_docker_socket():
    spec = specs.service_spec(plan(work_volume=True))
    mounts = spec["task_template"]["ContainerSpec"]["Mounts"]
    assert {m["Type"] for m in mounts} == {"volume"}
    assert all("docker.sock" not in m["Source"] for m in mounts)


def test_work_volume_is_per_user_and_environment():
    p = plan(work_volume=True)
    p.work_volume = "mydocker-work-alice--python"
    mounts = specs.mounts(p)
    assert [(m["Source"], m["Target"]) for m in mounts] == [
        ("mydocker-home-alice", "/home/student"),
        ("mydocker-work-alice--python", "/home/student/work"),
    ]
    assert mounts[1]["VolumeOptions"]["Labels"]["mydocker.environment"] == "python"


def test_gpus_are_generic_resources_and_reservations():
    resources = specs.resources(plan(gpus=2, cpu_reservation=0.25, mem_reservation="512M"))
    assert resources["Reservations"] == {
        "NanoCPUs": 250_000_000,
        "MemoryBytes": 512 * 1024**2,
        "GenericResources": [{"DiscreteResourceSpec": {"Kind": "NVIDIA-GPU", "Value": 2}}],
    }


def test_compute_type_becomes_a_node_label_constraint():
    assert specs.placement(plan(compute_type="gpu")) == {
        "Constraints": ["node.labels.mydocker.compute==gpu"]
    }


def test_volume_driver_options_are_passed_to_every_volume():
    p = plan()
    p.volume_driver = "local"
    p.volume_driver_options = {"type": "nfs", "o": "addr=10.0.0.1,rw", "device": ":/export"}
    mount = specs.mounts(p)[0]
    assert mount["VolumeOptions"]["DriverConfig"] == {
        "Name": "local",
        "Options": {"type": "nfs", "o": "addr=10.0.0.1,rw", "device": ":/export"},
    }
