"""A SATOSA bridge for the tests: the federation's SAML -> OpenID Connect stand-in.

SATOSA (PyPI `satosa`) runs under gunicorn over HTTPS, with a certificate from
a throwaway test CA, the way a university runs it: an OpenID Connect frontend,
one client registered with ``client_secret_basic`` only (SATOSA's default and
what its discovery document lists), and the eduPerson attributes released
under a scope of the bridge's own (`SCOPE`). Its backend is SATOSA's
reflector, which logs anyone in without asking; the person it releases is
`Person`, given as static attributes (SATOSA's ``AddStaticAttributes``), and
SATOSA's ``PrimaryIdentifier`` makes the person's ``eduPersonUniqueId`` their
subject, so each person gets a stable ``sub`` of their own (pairwise, with a
fixed salt). Static attributes hold one person: `serve` restarts the bridge for
another, on the same address, keys and registration.

Nothing here touches Docker: the caller chooses the address to bind (the
loopback for a hub on this machine, Docker's gateway bridge for the platform's).
"""

import datetime
import ipaddress
import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from ports import free_port

BIN = os.path.dirname(sys.executable)
SCOPE = "eduperson"  # the bridge's scope that carries the eduPerson attributes
CLIENT_ID = "mydocker-hub"
FRONTEND = "OIDC"
BACKEND = "reflector"

# SATOSA's internal attribute names -> the claims its OpenID Connect frontend sends.
# The eduPerson claims keep their SAML names, as the hub's defaults expect.
ATTRIBUTES = {
    "edupersonprincipalname": {"openid": ["eduPersonPrincipalName"]},
    "edupersonaffiliation": {"openid": ["eduPersonAffiliation"]},
    "edupersonuniqueid": {"openid": ["eduPersonUniqueId"]},
    "mail": {"openid": ["email"]},
    "displayname": {"openid": ["name"]},
    "givenname": {"openid": ["given_name"]},
    "surname": {"openid": ["family_name"]},
}


@dataclass(frozen=True)
class Person:
    """Whom the federation logs in: eduPerson attributes (lists, as SATOSA sends them)."""

    eppn: str
    affiliations: tuple = ("member", "student")
    unique_id: str = ""  # eduPersonUniqueId: the person's stable id (default from the eppn)
    name: str = ""
    email: str = ""

    def attributes(self):
        local, _, domain = self.eppn.partition("@")
        unique_id = self.unique_id or f"{local.replace('.', '')}0001@{domain}"
        attributes = {
            "edupersonprincipalname": [self.eppn],
            "edupersonaffiliation": list(self.affiliations),
            "edupersonuniqueid": [unique_id],
            "mail": [self.email or self.eppn],
        }
        if self.name:
            given, _, family = self.name.partition(" ")
            attributes.update(displayname=[self.name], givenname=[given], surname=[family])
        return attributes


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _key_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _name(common_name):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Université de Test"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


class TestCA:
    """A certificate authority of the test's own (as a university has), and its certificates."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, common_name="Université de Test - AC racine (tests)"):
        self.key = _key()
        now = datetime.datetime.now(datetime.UTC)
        self.name = _name(common_name)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(self.name)
            .issuer_name(self.name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self):
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue(self, hosts):
        """(certificate PEM, key PEM) of a TLS server known by `hosts` (names or addresses)."""
        key = _key()
        now = datetime.datetime.now(datetime.UTC)
        names = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(hosts[0]))
            .issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.PEM), _key_pem(key)


@dataclass
class SatosaBridge:
    """SATOSA on ``https://HOST:PORT``, with its test CA, for a hub whose callback is given.

    `folder` holds its configuration, keys, CA and log. The client is registered
    for `redirect_uris` (the hub's ``/hub/oauth_callback``). `serve(person)`
    (re)starts it releasing that person; `stop()` ends it.
    """

    folder: str
    host: str
    redirect_uris: list
    client_id: str = CLIENT_ID
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    token_endpoint_auth_method: str = "client_secret_basic"
    ca: TestCA = field(default_factory=TestCA)
    port: int = 0
    process: subprocess.Popen = field(default=None, repr=False)
    person: Person = None

    def __post_init__(self):
        os.makedirs(self.folder, exist_ok=True)
        self.port = self.port or free_port(self.host)
        certificate, key = self.ca.issue(sorted({self.host, "localhost", "127.0.0.1"}))
        self._write("ca.pem", self.ca.pem)
        self._write("server.pem", certificate)
        self._write("server.key", key, mode=0o600)
        self._write("signing.key", _key_pem(_key()), mode=0o600)
        self.sub_hash_salt = secrets.token_hex(16)  # fixed for the bridge's life: stable subs
        self.state_key = secrets.token_hex(16)

    def _write(self, name, data, mode=0o644):
        path = os.path.join(self.folder, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    @property
    def base_url(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    @property
    def discovery_url(self):
        return f"{self.base_url}/.well-known/openid-configuration"

    @property
    def ca_pem_path(self):
        """The test CA's certificate (PEM): what the hub must trust to reach the bridge."""
        return os.path.join(self.folder, "ca.pem")

    @property
    def log_path(self):
        return os.path.join(self.folder, "satosa.log")

    def configuration(self, person):
        """SATOSA's proxy configuration (a dict; SATOSA reads it as YAML, of which JSON is part)."""
        path = self.folder
        return {
            "BASE": self.base_url,
            "COOKIE_STATE_NAME": "SATOSA_STATE",
            "COOKIE_SECURE": True,
            "COOKIE_SAMESITE": "None",
            "STATE_ENCRYPTION_KEY": self.state_key,
            "INTERNAL_ATTRIBUTES": {"attributes": ATTRIBUTES},
            "BACKEND_MODULES": [
                {
                    "module": "satosa.backends.reflector.ReflectorBackend",
                    "name": BACKEND,
                    "config": {},
                }
            ],
            "FRONTEND_MODULES": [
                {
                    "module": "satosa.frontends.openid_connect.OpenIDConnectFrontend",
                    "name": FRONTEND,
                    "config": {
                        "signing_key_path": os.path.join(path, "signing.key"),
                        "client_db_path": os.path.join(path, "clients.json"),
                        "sub_hash_salt": self.sub_hash_salt,
                        "provider": {
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["pairwise"],
                            "scopes_supported": ["openid", "email", "profile"],
                            "extra_scopes": {
                                SCOPE: [
                                    "eduPersonPrincipalName",
                                    "eduPersonAffiliation",
                                    "eduPersonUniqueId",
                                ]
                            },
                        },
                    },
                }
            ],
            "MICRO_SERVICES": [
                {
                    "module": "satosa.micro_services.attribute_modifications.AddStaticAttributes",
                    "name": "Person",
                    "config": {"static_attributes": person.attributes()},
                },
                {
                    "module": "satosa.micro_services.primary_identifier.PrimaryIdentifier",
                    "name": "StableSubject",
                    "config": {
                        "ordered_identifier_candidates": [
                            {"attribute_names": ["edupersonuniqueid"]},
                            {"attribute_names": ["edupersonprincipalname"]},
                        ],
                        "primary_identifier": "",
                        "replace_subject_id": True,
                    },
                },
            ],
            "LOGGING": {
                "version": 1,
                "formatters": {
                    "plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}
                },
                "handlers": {
                    "stderr": {
                        "class": "logging.StreamHandler",
                        "stream": "ext://sys.stderr",
                        "formatter": "plain",
                    }
                },
                "loggers": {"satosa": {"level": "INFO"}, "pyop": {"level": "INFO"}},
                "root": {"level": "INFO", "handlers": ["stderr"]},
            },
        }

    def clients(self):
        """The registered client, as the bridge's administrators register it."""
        return {
            self.client_id: {
                "client_secret": self.client_secret,
                "redirect_uris": list(self.redirect_uris),
                "response_types": ["code"],
                "token_endpoint_auth_method": self.token_endpoint_auth_method,
                "client_name": "MyDocker hub (tests)",
            }
        }

    def serve(self, person, timeout=60):
        """(Re)start the bridge releasing `person`; return once it answers over HTTPS."""
        self.stop()
        self.person = person
        self._write("clients.json", json.dumps(self.clients()).encode(), mode=0o600)
        config = self._write("proxy_conf.yaml", json.dumps(self.configuration(person)).encode())
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [
                os.path.join(BIN, "gunicorn"),
                "--bind",
                f"{self.host}:{self.port}"
                if ":" not in self.host
                else f"[{self.host}]:{self.port}",
                "--workers",
                "1",  # SATOSA keeps codes and tokens in the worker's memory
                "--threads",
                "4",
                "--certfile",
                os.path.join(self.folder, "server.pem"),
                "--keyfile",
                os.path.join(self.folder, "server.key"),
                "--no-control-socket",  # gunicorn's is one per user: bridges would share it
                "--chdir",
                self.folder,
                "satosa.wsgi:app",
            ],
            env=dict(os.environ, SATOSA_CONFIG=config, PATH=f"{BIN}:{os.environ.get('PATH', '')}"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"SATOSA exited at start:\n{self.logs()}")
            try:
                if requests.get(self.discovery_url, verify=self.ca_pem_path, timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"SATOSA did not answer in {timeout} s:\n{self.logs()}")

    def discovery(self):
        return requests.get(self.discovery_url, verify=self.ca_pem_path, timeout=10).json()

    def logs(self, tail=60):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-tail:])
        except OSError:
            return "(no SATOSA log)"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None
