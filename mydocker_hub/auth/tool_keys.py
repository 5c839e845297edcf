"""The tool's own RSA keys: they sign deep-linking responses and are published as JWKS.

Keys are PEM files (mode 0600) in a folder of the hub's data volume, never in the
repository. The newest is the current one; `rotate` makes a new one and keeps the
previous ones published (up to `keep`) so that signatures made just before a
rotation still verify. With `max_age_days`, a key older than that is rotated
when it is next needed. Rotate from the hub's container with::

    python -m mydocker_hub.auth.tool_keys rotate /srv/jupyterhub/lti13-keys

The published key set is cached by the folder's file names: a rotation (here or
by that command in another process) adds a file and so shows at the next
request. Making and loading keys is slow (RSA): the hub calls `current` and, on
a cache miss, `jwks` in a thread.
"""

import argparse
import json
import os
import secrets
import sys
import threading
import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class ToolKeys:
    """The key folder: create on first use, rotate, publish."""

    def __init__(self, directory, keep=2, max_age_days=0, clock=time.time):
        self.directory = directory
        self.keep = keep
        self.max_age_days = max_age_days
        self.clock = clock
        self._lock = threading.Lock()
        self._jwks = None  # (file names, key set)
        self._current = None  # (file name, private key)

    def _files(self):
        if not os.path.isdir(self.directory):
            return []
        return sorted(name for name in os.listdir(self.directory) if name.endswith(".pem"))

    def _write_new_key(self):
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        kid = f"{int(self.clock() * 1000):015d}-{secrets.token_hex(4)}"
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path = os.path.join(self.directory, f"{kid}.pem")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        return kid

    def _load(self, name):
        with open(os.path.join(self.directory, name), "rb") as f:
            return serialization.load_pem_private_key(f.read(), password=None)

    def current(self):
        """(kid, private key) of the key that signs now; made on first use."""
        with self._lock:
            # Two requests at once make one key, not two.
            files = self._files()
            if not files:
                self._write_new_key()
            elif self._too_old(files[-1]):
                self.rotate()
            files = self._files()
        name = files[-1]
        if self._current is None or self._current[0] != name:
            self._current = (name, self._load(name))
        return name[: -len(".pem")], self._current[1]

    def _too_old(self, name):
        if self.max_age_days <= 0:
            return False
        try:
            created = int(name.split("-", 1)[0]) / 1000
        except ValueError:
            return False
        return self.clock() - created > self.max_age_days * 86400

    def rotate(self):
        """Make a new current key, forget the oldest beyond `keep`; return the new kid."""
        kid = self._write_new_key()
        for name in self._files()[: -self.keep]:
            os.remove(os.path.join(self.directory, name))
        return kid

    def cached_jwks(self):
        """The public key set when the folder has not changed since it was read, else None."""
        cached = self._jwks
        if cached is not None and cached[0] == tuple(self._files()):
            return cached[1]
        return None

    def jwks(self):
        """The public key set to publish (read again only when the key files changed)."""
        cached = self.cached_jwks()
        if cached is not None:
            return cached
        if not self._files():
            self.current()
        names = tuple(self._files())
        keys = []
        for name in reversed(names):
            public = self._load(name).public_key()
            data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
            data.update({"kid": name[: -len(".pem")], "alg": "RS256", "use": "sig"})
            keys.append(data)
        jwks = {"keys": keys}
        self._jwks = (names, jwks)
        return jwks


def main(argv=None):
    parser = argparse.ArgumentParser(prog="mydocker_hub.auth.tool_keys")
    parser.add_argument("command", choices=["rotate", "show"])
    parser.add_argument("directory")
    parser.add_argument("--keep", type=int, default=2)
    args = parser.parse_args(argv)
    keys = ToolKeys(args.directory, keep=args.keep)
    if args.command == "rotate":
        print(f"new key: {keys.rotate()}")
    else:
        print(json.dumps(keys.jwks(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
