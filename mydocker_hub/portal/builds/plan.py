"""What a build will be, decided before Docker sees it: its tag, how many at once, its checks.

Pure functions. A teacher's Dockerfile may only start from the images the
platform lets them use (or a stage of its own), and may not reach for the
host: no ``--network`` other than ``none`` or ``default``, no
``--security``, no ``ssh`` or ``secret`` mounts (the build gets no secret
to pass on). Each refusal names the line, in a sentence a teacher who is
not a Docker expert understands.
"""

import re

IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,29}$")
_FLAG = re.compile(r"--([a-z-]+)(?:=(\S+))?")
_ALLOWED_NETWORKS = {"none", "default"}
_ALLOWED_MOUNTS = {"cache", "bind", "tmpfs"}


class DockerfileRefused(Exception):
    """The Dockerfile cannot be built here: `line` (1-based) and why."""

    def __init__(self, line, message):
        super().__init__(f"Line {line}: {message}" if line else message)
        self.line = line


def default_concurrent_builds(cpus):
    """One build at a time per two CPUs of the Swarm manager, at least one."""
    return max(1, int(cpus) // 2)


def image_tag(image_name, build_number, registry=""):
    """``REGISTRY/mydocker/IMAGE:BUILD`` (``mydocker/IMAGE:BUILD`` on one node without one)."""
    if not IMAGE_NAME.match(image_name or ""):
        raise ValueError(f"image name {image_name!r}: 1 to 30 of a-z, 0-9 and '-'")
    if build_number < 1:
        raise ValueError("build numbers start at 1")
    prefix = f"{registry.rstrip('/')}/" if registry else ""
    return f"{prefix}mydocker/{image_name}:{build_number}"


def image_repository(image_name, registry=""):
    """``REGISTRY/mydocker/IMAGE``: what an environment that follows the image names."""
    return image_tag(image_name, 1, registry).rsplit(":", 1)[0]


def instructions(text):
    """(line number, instruction, arguments) of a Dockerfile, continuations joined."""
    result = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        result.append((start, keyword.upper(), arguments.strip()))
    if pending:
        keyword, _, arguments = pending.strip().partition(" ")
        result.append((start, keyword.upper(), arguments.strip()))
    return result


def leading_flags(arguments):
    """The ``--flag[=value]`` words that open a RUN (not those of the command it runs)."""
    flags = []
    for word in arguments.split():
        if not word.startswith("--"):
            break
        flags.append(word)
    return flags


def _check_flags(number, flags):
    for flag in flags:
        match = _FLAG.fullmatch(flag)
        if match is None:
            continue
        name, value = match.groups()
        if name == "network" and (value or "") not in _ALLOWED_NETWORKS:
            raise DockerfileRefused(
                number, f"a build step may not use the network “{value}” (only none or default)."
            )
        if name == "security":
            raise DockerfileRefused(number, "a build step may not ask for extra privileges.")
        if name == "mount":
            kind = dict(part.split("=", 1) for part in (value or "").split(",") if "=" in part).get(
                "type", "bind"
            )
            if kind not in _ALLOWED_MOUNTS:
                raise DockerfileRefused(
                    number, f"a build step may not mount “{kind}”: the build has no secret."
                )


def check_dockerfile(text, base_images):
    """Refuse a Dockerfile that starts elsewhere than `base_images` or reaches for the host.

    Returns the list of base images it starts from.
    """
    steps = instructions(text)
    if not any(keyword == "FROM" for _, keyword, _ in steps):
        raise DockerfileRefused(0, "a Dockerfile starts with FROM and one of the offered images.")
    stages, bases = set(), []
    for number, keyword, arguments in steps:
        if keyword == "FROM":
            words = [w for w in arguments.split() if not w.startswith("--")]
            if not words:
                raise DockerfileRefused(number, "FROM needs an image.")
            base = words[0]
            if base.lower() not in stages and base not in base_images:
                offered = ", ".join(sorted(base_images)) or "none"
                raise DockerfileRefused(
                    number, f"“{base}” is not an image you may start from (offered: {offered})."
                )
            if base.lower() not in stages:
                bases.append(base)
            if len(words) >= 3 and words[1].upper() == "AS":
                stages.add(words[2].lower())
        elif keyword == "RUN":
            _check_flags(number, leading_flags(arguments))
    return bases
