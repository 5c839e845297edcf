"""The platform's CPU group: where Docker is told to put the hub and the proxy, and its weight."""

from types import SimpleNamespace

from mydocker_hub.deploy import priority


def engine(driver):
    return SimpleNamespace(info=lambda: {"CgroupDriver": driver})


def test_the_group_is_asked_for_only_where_docker_manages_cgroups_itself():
    assert priority.cgroup_parent(engine("cgroupfs")) == "/mydocker-platform"
    assert priority.cgroup_parent(engine("systemd")) is None


def test_the_group_gets_its_weight_under_cgroup_v1(tmp_path):
    group = tmp_path / "cpu" / "mydocker-platform"
    group.mkdir(parents=True)
    (group / "cpu.shares").write_text("1024")
    assert priority.give_weight(str(tmp_path)) is None
    assert (group / "cpu.shares").read_text() == "10240"


def test_the_group_gets_its_weight_under_cgroup_v2(tmp_path):
    group = tmp_path / "mydocker-platform"
    group.mkdir()
    (group / "cpu.weight").write_text("100")
    assert priority.give_weight(str(tmp_path)) is None
    assert (group / "cpu.weight").read_text() == "1000"


def test_a_missing_or_unwritable_group_is_one_sentence(tmp_path):
    missing = priority.give_weight(str(tmp_path))
    assert missing.startswith("No CPU group mydocker-platform under")
    assert "\n" not in missing
    (tmp_path / "cpu" / "mydocker-platform" / "cpu.shares").mkdir(parents=True)  # not a file
    refused = priority.give_weight(str(tmp_path))
    assert refused.startswith("Could not give the hub's CPU group its weight")
    assert "\n" not in refused
