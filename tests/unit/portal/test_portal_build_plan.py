"""A build decided before Docker sees it: its tag, the Dockerfile's checks, how many at once."""

import pytest

from mydocker_hub.portal.builds import plan

STANDARD = {"mydocker/jupyterlab:0.1.0"}


def test_tags_name_the_registry_the_image_and_the_build():
    assert plan.image_tag("python-l1", 3) == "mydocker/python-l1:3"
    assert plan.image_tag("python-l1", 3, "registry.univ.fr:5000/") == (
        "registry.univ.fr:5000/mydocker/python-l1:3"
    )
    for bad in ("", "Python", "a" * 31, "../x"):
        with pytest.raises(ValueError):
            plan.image_tag(bad, 1)
    with pytest.raises(ValueError):
        plan.image_tag("ok", 0)


@pytest.mark.parametrize("cpus, builds", [(1, 1), (2, 1), (3, 1), (4, 2), (16, 8)])
def test_one_build_at_a_time_per_two_cpus(cpus, builds):
    assert plan.default_concurrent_builds(cpus) == builds


def test_instructions_join_continuations_and_skip_comments():
    text = (
        "# a comment\n"
        "FROM mydocker/jupyterlab:0.1.0\n"
        "\n"
        "RUN pip install \\\n"
        "    numpy \\\n"
        "    pandas\n"
        "COPY data/ /home/student/data/\n"
    )
    assert plan.instructions(text) == [
        (2, "FROM", "mydocker/jupyterlab:0.1.0"),
        (4, "RUN", "pip install  numpy  pandas"),
        (7, "COPY", "data/ /home/student/data/"),
    ]


def test_a_course_dockerfile_passes_and_says_where_it_starts():
    text = (
        "FROM mydocker/jupyterlab:0.1.0 AS base\n"
        "RUN --mount=type=cache,target=/root/.cache pip install numpy --network=host\n"
        "FROM base\n"
        "COPY notebook.ipynb /home/student/\n"
        "USER student\n"
    )
    # "--network=host" after the command is pip's argument, not the build step's
    assert plan.check_dockerfile(text, STANDARD) == ["mydocker/jupyterlab:0.1.0"]


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("RUN echo hi\n", 0, "starts with FROM"),
        ("FROM debian:bookworm\n", 1, "“debian:bookworm” is not an image you may start from"),
        ("FROM\n", 1, "FROM needs an image"),
        (
            "FROM mydocker/jupyterlab:0.1.0\nRUN --network=host curl x\n",
            2,
            "may not use the network “host”",
        ),
        (
            "FROM mydocker/jupyterlab:0.1.0\nRUN --security=insecure id\n",
            2,
            "may not ask for extra privileges",
        ),
        (
            "FROM mydocker/jupyterlab:0.1.0\nRUN --mount=type=secret,id=x cat /run/secrets/x\n",
            2,
            "may not mount “secret”",
        ),
        (
            "FROM mydocker/jupyterlab:0.1.0\nRUN \\\n  --mount=type=ssh git clone x\n",
            2,
            "may not mount “ssh”",
        ),
    ],
)
def test_a_dockerfile_that_reaches_for_the_host_is_refused_with_its_line(text, line, words):
    with pytest.raises(plan.DockerfileRefused) as refused:
        plan.check_dockerfile(text, STANDARD)
    assert refused.value.line == line
    assert words in str(refused.value)


def test_the_offered_images_are_named_when_one_is_refused():
    with pytest.raises(plan.DockerfileRefused, match=r"offered: mydocker/jupyterlab:0\.1\.0"):
        plan.check_dockerfile("FROM ubuntu\n", STANDARD)
