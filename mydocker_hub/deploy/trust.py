"""Trusting a university's own certificate authority in the hub's outgoing TLS.

``MYDOCKER_CA_FILE`` names a PEM file on the admin's machine: the CA that signed
the federation bridge's (or an LMS's) certificate. The hub's outgoing TLS -- the
OpenID Connect discovery, token and userinfo requests and the LTI 1.3 key sets,
all made with Tornado's ``AsyncHTTPClient`` -- must trust it besides the public
CAs.

How: `up` writes a combined bundle (the hub image's system bundle, then the
extra CAs) into the hub's container before it starts, at `BUNDLE_PATH`, and
points ``SSL_CERT_FILE`` (and ``REQUESTS_CA_BUNDLE``) there. Why this way:

- ``SSL_CERT_FILE`` replaces the system bundle, it does not add to it: the file
  it names must hold the public CAs too, or every other TLS peer breaks.
- Tornado builds its default client context when ``tornado.netutil`` is
  imported, before ``jupyterhub_config.py`` runs: the bundle must be in place,
  and the variable set, when the hub's process starts. The container's own
  environment and a file put in before its start are both.
- The system bundle is read from the container itself, so it is the image's,
  whatever the admin's machine has; the hub is created again whenever its image
  changes (`hub.spec_hash`), so the bundle follows upgrades of the image's CAs,
  and the CA survives them without rebuilding anything by hand.

Pure but for `read_ca_file` and the thin `install`; never imported by the hub.
"""

import io
import os
import re
import ssl
import tarfile

from docker.errors import DockerException

from . import DeployError, file_archive

VARIABLE = "MYDOCKER_CA_FILE"
# The image's bundle of public CAs (Debian's ca-certificates, SSL_CERT_FILE in its Dockerfile).
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
# Beside the hub's configuration, which `up` also puts into the container.
BUNDLE_PATH = "/etc/mydocker/ca-bundle.pem"

_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n.*?\r?\n-----END \1-----", re.DOTALL)


def _error(path, reason):
    return DeployError(f"{VARIABLE}={path}: {reason}")


def parse_ca_pem(data, path="the file"):
    """The certificates of a PEM file's contents (bytes), checked, one block after another.

    Raises `DeployError` naming the variable: no certificate, one OpenSSL cannot
    read, or a private key (which must never leave the CA's machine).
    """
    blocks = [(m.group(1).decode(), m.group(0)) for m in _PEM_BLOCK.finditer(data)]
    if any("PRIVATE KEY" in kind for kind, _ in blocks):
        raise _error(path, "holds a private key: give only the CA's certificate (PEM)")
    certificates = [block for kind, block in blocks if kind == "CERTIFICATE"]
    if not certificates:
        hint = (
            " (a DER file? convert it with `openssl x509 -inform der`)" if data[:1] == b"0" else ""
        )
        raise _error(path, f"holds no PEM certificate (-----BEGIN CERTIFICATE-----){hint}")
    for number, block in enumerate(certificates, 1):
        try:
            ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=block.decode())
        except (ssl.SSLError, ValueError, UnicodeDecodeError) as e:
            raise _error(path, f"certificate {number} cannot be read ({e})") from None
    return b"\n".join(certificates) + b"\n"


def read_ca_file(path):
    """The checked certificates of the PEM file `path` (see `parse_ca_pem`)."""
    try:
        with open(os.path.expanduser(path), "rb") as f:
            data = f.read()
    except OSError as e:
        raise _error(path, f"cannot be read ({e.strerror})") from None
    return parse_ca_pem(data, path)


def describe(pem):
    """One line for the admin: how many certificates, and a warning if none is a CA.

    A bridge's own certificate (not its CA's) only works when it is self-signed.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cadata=pem.decode())
    stats = context.cert_store_stats()
    line = f"the hub trusts {stats['x509']} more certificate(s) from {VARIABLE}"
    if not stats["x509_ca"]:
        line += (
            " -- none is a certificate authority (CA:TRUE): give the CA that signed the "
            "bridge's certificate unless that certificate is self-signed"
        )
    return line


def combined_bundle(system, extra):
    """The system bundle, then the extra CAs: what ``SSL_CERT_FILE`` names in the hub."""
    if system and not system.endswith(b"\n"):
        system += b"\n"
    return system + b"# Added by mydocker-hub from " + VARIABLE.encode() + b"\n" + extra


def bundle_archive(bundle):
    """A tar holding the bundle, for ``put_archive`` into ``dirname(BUNDLE_PATH)``."""
    return file_archive(os.path.basename(BUNDLE_PATH), bundle)


def environment():
    """The hub's environment that makes its outgoing TLS read the combined bundle.

    ``REQUESTS_CA_BUNDLE`` for code using `requests` (it ignores ``SSL_CERT_FILE``).
    """
    return {"SSL_CERT_FILE": BUNDLE_PATH, "REQUESTS_CA_BUNDLE": BUNDLE_PATH}


def file_of_archive(chunks, path):
    """The contents of `path` in a tar stream (``get_archive``'s), following one symlink.

    Returns ``(contents, None)`` or ``(None, target)`` when it is a symlink.
    """
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
        member = tar.getmember(os.path.basename(path))
        if member.issym():
            return None, os.path.normpath(os.path.join(os.path.dirname(path), member.linkname))
        return tar.extractfile(member).read(), None


def system_bundle(container):
    """The image's system bundle, read from the created (not yet started) container."""
    path = SYSTEM_BUNDLE
    for _ in range(2):
        try:
            chunks, _stat = container.get_archive(path)
            contents, target = file_of_archive(chunks, path)
        except (DockerException, tarfile.TarError, KeyError) as e:
            raise DeployError(f"cannot read the hub image's CA bundle {path}: {e}") from None
        if contents is not None:
            return contents
        path = target
    raise DeployError(f"the hub image's CA bundle {SYSTEM_BUNDLE} is a chain of symlinks")


def install(container, extra):
    """Put the combined bundle into the created hub container (before its start)."""
    bundle = combined_bundle(system_bundle(container), extra)
    container.put_archive(os.path.dirname(BUNDLE_PATH), bundle_archive(bundle))
