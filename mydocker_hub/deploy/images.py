"""The platform's images: a Debian base (made locally when none can be pulled),
the proxy, the hub and the default JupyterLab environment, built from ``images/``."""

import hashlib
import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time

from docker.errors import APIError, ImageNotFound

from .. import __version__
from . import DeployError

BASE_IMAGE = "debian:bookworm-slim"
HUB_IMAGE = f"mydocker/hub:{__version__}"
JUPYTERLAB_IMAGE = f"mydocker/jupyterlab:{__version__}"
PROXY_IMAGE = f"mydocker/proxy:{__version__}"
CONTEXT_LABEL = "mydocker.context-hash"

# A build network may intercept TLS: its CA bundle goes into the build context
# (never into the repository) so that pip and npm trust it.
HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

HUB_SOURCES = ("pyproject.toml", "README.md", "jupyterhub_config.py", "mydocker_hub", "images/hub")


def has_image(client, tag):
    try:
        return client.images.get(tag)
    except ImageNotFound:
        return None


def debian_mirror():
    """The Debian mirror this machine's apt uses."""
    candidates = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"]
    for path in candidates:
        if not os.path.exists(path):
            continue
        with open(path) as f:
            text = f.read()
        match = re.search(r"^URIs:\s*(\S+)", text, re.M) or re.search(
            r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\b", text, re.M
        )
        if match:
            return match.group(1)
    return "http://deb.debian.org/debian"


def ensure_base(client, say):
    """Pull the base image, or make it with debootstrap when no registry answers."""
    if has_image(client, BASE_IMAGE):
        return
    say(f"Pulling {BASE_IMAGE}")
    try:
        client.images.pull(BASE_IMAGE)
        return
    except APIError as e:
        say(f"No registry answered ({e.explanation.splitlines()[0][:80]}); making it locally")
    if not shutil.which("debootstrap"):
        result = subprocess.run(
            ["apt-get", "install", "-y", "debootstrap"],
            capture_output=True,
            text=True,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
        )
        if result.returncode != 0:
            raise DeployError("could not install debootstrap: " + result.stderr.strip()[-200:])
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mydocker-rootfs-") as tmp:
        rootfs = os.path.join(tmp, "rootfs")
        mirror = debian_mirror()
        say(f"Creating {BASE_IMAGE} with debootstrap from {mirror} (about 30 s)")
        result = subprocess.run(
            ["debootstrap", "--variant=minbase", "bookworm", rootfs, mirror],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise DeployError("debootstrap failed: " + result.stderr.strip()[-300:])
        archive = os.path.join(tmp, "rootfs.tar")
        subprocess.run(["tar", "-C", rootfs, "-cf", archive, "."], check=True)
        repository, tag = BASE_IMAGE.split(":")
        with open(archive, "rb") as f:
            client.api.import_image_from_data(f, repository=repository, tag=tag)
    say(f"Created {BASE_IMAGE} in {time.monotonic() - started:.0f} s")


def _add_path(tar, root, relative, digest):
    full = os.path.join(root, relative)
    if os.path.isdir(full):
        for entry in sorted(os.listdir(full)):
            if entry == "__pycache__" or entry.endswith(".pyc"):
                continue
            _add_path(tar, root, os.path.join(relative, entry), digest)
        return
    with open(full, "rb") as f:
        data = f.read()
    _add_bytes(tar, relative, data, digest)


def _add_bytes(tar, name, data, digest):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))
    digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())


def build_context(root, paths, ca_folder):
    """A tar of `paths` under `root` (plus the host's CA bundle) and its content hash."""
    buffer = io.BytesIO()
    digest = hashlib.sha256()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for relative in paths:
            _add_path(tar, root, relative, digest)
        if os.path.exists(HOST_CA_BUNDLE):
            with open(HOST_CA_BUNDLE, "rb") as f:
                _add_bytes(tar, f"{ca_folder}/build-host.crt", f.read(), digest)
    buffer.seek(0)
    return buffer, digest.hexdigest()[:16]


def build(client, say, tag, root, paths, dockerfile, ca_folder, force=False):
    """Build `tag` unless an image of the same context exists already."""
    context, context_hash = build_context(root, paths, ca_folder)
    existing = has_image(client, tag)
    if existing and not force and existing.labels.get(CONTEXT_LABEL) == context_hash:
        return False
    say(f"Building {tag} (a minute or two the first time)")
    started = time.monotonic()
    log = []
    for chunk in client.api.build(
        fileobj=context,
        custom_context=True,
        dockerfile=dockerfile,
        tag=tag,
        buildargs={"BASE_IMAGE": BASE_IMAGE},
        labels={CONTEXT_LABEL: context_hash},
        rm=True,
        forcerm=True,
        decode=True,
    ):
        if "stream" in chunk:
            log.append(chunk["stream"])
        if "error" in chunk:
            tail = "".join(log[-15:]).rstrip()
            raise DeployError(f"building {tag} failed: {chunk['error'].strip()}\n{tail}")
    say(f"Built {tag} in {time.monotonic() - started:.0f} s")
    return True


def build_platform_images(client, say, root, force=False):
    ensure_base(client, say)
    build(
        client,
        say,
        JUPYTERLAB_IMAGE,
        os.path.join(root, "images", "jupyterlab"),
        [
            "Dockerfile",
            "overrides.json",
            "memory_notice.py",
            "ipython_kernel_config.py",
            "jupyter_server_config.json",
            "mydocker-singleuser",
            "extra-ca",
        ],
        "Dockerfile",
        "extra-ca",
        force,
    )
    build(
        client,
        say,
        PROXY_IMAGE,
        os.path.join(root, "images", "proxy"),
        ["Dockerfile", "extra-ca"],
        "Dockerfile",
        "extra-ca",
        force,
    )
    build(
        client,
        say,
        HUB_IMAGE,
        root,
        list(HUB_SOURCES),
        "images/hub/Dockerfile",
        "images/hub/extra-ca",
        force,
    )
