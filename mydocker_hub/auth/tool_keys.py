"""The tool's own RSA keys: they sign deep-linking responses and are published as JWKS.

Keys are PEM files (mode 0600) in a folder of the hub's data volume, never in the
repository. The newest is the current one; `rotate` makes a new one and keeps the
previous ones published (up to `keep`) so that signatures made just before a
rotation still verify. With `max_age_days`, a key older than that is rotated
when it is next needed. Rotate from the hub's container with::

    python -m mydocker_hub.auth.tool_keys rotate /srv/jupyterhub/lti13-keys
"""

import argparse
import json
import os
import secrets
import sys
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
        files = self._files()
        if not files:
            self._write_new_key()
        elif self._too_old(files[-1]):
            self.rotate()
        files = self._files()
        name = files[-1]
        return name[: -len(".pem")], self._load(name)

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

    def jwks(self):
        """The public key set to publish."""
        if not self._files():
            self.current()
        keys = []
        for name in reversed(self._files()):
            public = self._load(name).public_key()
            data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
            data.update({"kid": name[: -len(".pem")], "alg": "RS256", "use": "sig"})
            keys.append(data)
        return {"keys": keys}


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
