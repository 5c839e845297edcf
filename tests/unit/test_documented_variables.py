"""Every ``MYDOCKER_*`` variable the documentation names is read by the code and has its effect.

The names are taken from the documentation itself (the READMEs, ``docs/``, the
configuration reference generated from the traitlets, the command line's help,
``.env`` examples), so a newly documented variable fails here until a case
below proves what it does. Each case goes the way a deployment goes, without
Docker: ``make up``'s settings -> the hub's container and environment -> the
hub's ``configure`` -> the portal's settings.
"""

import argparse
import ast
import importlib
import io
import json
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from traitlets.config import Config

from mydocker_hub import cli, config, db
from mydocker_hub.auth.lti11 import LTI11Launches
from mydocker_hub.auth.lti13 import LTI13Launches, Platform
from mydocker_hub.auth.oidc import FederationOIDC
from mydocker_hub.auth.settings import SettingsError
from mydocker_hub.authenticator import MyDockerAuthenticator
from mydocker_hub.deploy import hub, proxy, trust
from mydocker_hub.portal import app
from mydocker_hub.swarm.activity import culler_timeout

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "mydocker_hub"
VARIABLE = re.compile(r"\bMYDOCKER_[A-Z0-9_]*[A-Z0-9]\b")  # not the ``MYDOCKER_*`` of prose


def documentation_texts():
    """(where, text) of every place that documents settings.

    CHANGELOG.md is left out: it may name variables that have since gone.
    """
    files = [ROOT / "README.md", *PACKAGE.rglob("README.md")]
    files += [p for p in (ROOT / "docs").rglob("*") if p.is_file() and "_build" not in p.parts]
    files += [p for p in ROOT.glob("*env*") if p.is_file() and re.search("example|sample", p.name)]
    texts = [(str(p.relative_to(ROOT)), p.read_text(errors="replace")) for p in files]
    # The configuration reference (docs/reference) is generated from these classes.
    for page in (ROOT / "docs").rglob("*.md"):
        for dotted in re.findall(r"autoconfigurable::\s*([\w.]+)", page.read_text()):
            module, _, name = dotted.rpartition(".")
            cls = getattr(importlib.import_module(module), name)
            helps = [cls.__doc__ or ""] + [t.help for t in cls.class_traits(config=True).values()]
            texts.append((f"reference of {dotted}", "\n".join(helps)))
    parser = cli.parser()
    texts.append(("mydocker-hub --help", parser.format_help()))
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                texts.append((f"mydocker-hub {command} --help", sub.format_help()))
    return texts


def documented_variables():
    return sorted({name for _, text in documentation_texts() for name in VARIABLE.findall(text)})


def variables_read_by_the_code():
    """Names given as a whole string in the package's code.

    Docstrings and names only written (dict keys, ``env[...] = ``) do not count.
    """
    read = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        ignored = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                ignored.add(id(body[0].value))  # a docstring
            if isinstance(node, ast.Dict):
                ignored.update(id(key) for key in node.keys if key is not None)
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                ignored.add(id(node.slice))
        read.update(
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in ignored
            and VARIABLE.fullmatch(node.value)
        )
    return read


DOCUMENTED = documented_variables()


def test_the_documentation_is_found():
    """A guard for the extraction itself: the README's table and the auth README's."""
    found = set(DOCUMENTED)
    assert {"MYDOCKER_PORT", "MYDOCKER_BUILDS_KEPT", "MYDOCKER_OIDC_USERNAME_CLAIM"} <= found


def test_every_documented_variable_is_read_by_the_code():
    assert sorted(set(DOCUMENTED) - variables_read_by_the_code()) == []


# ---- one deployment, as far as it goes without Docker -----------------------------


class FakeDocker:
    """The part of docker.DockerClient that `hub.create` uses; records the container."""

    IMAGE_CAS = b"# the hub image's public CAs\n"

    def __init__(self):
        self.api = self.containers = self
        self.run = None
        self.archives = []

    def create_endpoint_config(self, **kwargs):
        return kwargs

    def create(self, image, **kwargs):
        self.run = kwargs
        return self

    def put_archive(self, path, data):
        self.archives.append((path, data))

    def get_archive(self, path):
        """The image's files: only its CA bundle here (`deploy.trust` reads it)."""
        assert path == trust.SYSTEM_BUNDLE
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            info = tarfile.TarInfo(Path(path).name)
            info.size = len(self.IMAGE_CAS)
            tar.addfile(info, io.BytesIO(self.IMAGE_CAS))
        return [buffer.getvalue()], {}

    def files(self):
        """Every file put into the container: its path -> its contents."""
        files = {}
        for folder, archive in self.archives:
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                for member in tar.getmembers():
                    files[f"{folder}/{member.name}"] = tar.extractfile(member).read()
        return files


@dataclass
class Deployment:
    environ: dict  # what `make up` was given
    container: dict  # the hub container's options, as given to Docker
    proxy: dict  # the proxy container's options
    config_file: bytes  # the jupyterhub_config.py put into it
    hub_env: dict  # the hub's environment
    c: Config  # the hub's traitlets config after `configure`
    token_file: str  # where `configure` keeps the admin service's token
    databases: list  # the URLs the platform's database was configured with
    portal: app.PortalSettings  # what the portal's service reads from its environment
    files: dict = field(default_factory=dict)  # every file put into the hub's container


@pytest.fixture
def deploy(tmp_path, monkeypatch):
    """`deploy(environ)`: what `make up` with `environ` makes, without Docker, files or database.

    ``{tmp}`` in a value is this test's folder.
    """
    source = tmp_path / "source"
    source.mkdir()
    (source / "jupyterhub_config.py").write_text("# the source tree's\n")
    (tmp_path / "site_config.py").write_text("# the site's\n")
    token_files, databases = [], []

    def read_or_create_secret(path):
        token_files.append(path)
        return "admin-token"

    monkeypatch.setattr(config, "read_or_create_secret", read_or_create_secret)
    monkeypatch.setattr(db, "configure", databases.append)

    def deploy(environ):
        environ = {key: value.replace("{tmp}", str(tmp_path)) for key, value in environ.items()}
        instance = hub.Instance.from_env(environ)
        docker, proxy_docker = FakeDocker(), FakeDocker()
        hub_env = hub.hub_environment(instance, "proxy-token")
        hub.create(docker, instance, hub.read_config(instance, str(source)), "hash", hub_env)
        proxy.create(proxy_docker, instance, "proxy-token", "hash")
        files = docker.files()  # the configuration, and the CA bundle with MYDOCKER_CA_FILE
        config_file = files[hub.CONFIG_PATH]
        c = Config()
        config.configure(c, hub_env)
        [portal] = [s for s in c.JupyterHub.services if s["name"] == "mydocker"]
        return Deployment(
            environ,
            docker.run,
            proxy_docker.run,
            config_file,
            hub_env,
            c,
            token_files[-1],
            databases,
            app.settings_from_env(portal["environment"]),
            files=files,
        )

    return deploy


# ---- what each variable does --------------------------------------------------------

EFFECTS = {}  # variable -> (environment of `make up`, check of the Deployment)


def effect(variable, value, **companions):
    """Register `check` as the proof of `variable`'s effect (with the variables it needs)."""

    def register(check):
        EFFECTS[variable] = ({variable: value, **companions}, check)
        return check

    return register


@effect("MYDOCKER_PORT", "9000")
def port(d):
    assert d.proxy["ports"] == {"8000/tcp": ("127.0.0.1", 9000)}
    assert d.hub_env["MYDOCKER_PUBLIC_URL"] == "http://127.0.0.1:9000"
    assert "MYDOCKER_PORT" not in d.hub_env


@effect("MYDOCKER_BIND", "10.1.2.3")
def bind(d):
    assert d.proxy["ports"] == {"8000/tcp": ("10.1.2.3", 8000)}
    assert d.hub_env["MYDOCKER_PUBLIC_URL"] == "http://10.1.2.3:8000"
    assert "MYDOCKER_BIND" not in d.hub_env


@effect("MYDOCKER_CONFIG", "{tmp}/site_config.py")
def config_file(d):
    assert d.config_file == b"# the site's\n"
    assert "MYDOCKER_CONFIG" not in d.hub_env


@effect("MYDOCKER_PREFIX", "prod")
def prefix(d):
    assert d.container["name"] == "prod-hub"
    assert "prod-hub-data" in d.container["volumes"]
    assert d.container["labels"]["mydocker.instance"] == "prod"
    assert d.c.SwarmCourseSpawner.prefix == "prod"
    assert d.c.SwarmCourseSpawner.network_name == "prod"  # the network follows the prefix


@effect("MYDOCKER_NETWORK", "campus")
def network(d):
    assert d.container["network"] == "campus"
    assert list(d.container["networking_config"]) == ["campus"]
    assert d.c.SwarmCourseSpawner.network_name == "campus"
    assert d.c.SwarmCourseSpawner.prefix == "mydocker"


@effect("MYDOCKER_SUBNET", "10.99.0.0/16")
def subnet(d):
    assert d.container["networking_config"]["mydocker"] == {"ipv4_address": "10.99.0.2"}
    assert d.c.JupyterHub.hub_connect_url == "http://10.99.0.2:8081"
    assert "MYDOCKER_SUBNET" not in d.hub_env


@effect("MYDOCKER_DB_URL", "postgresql://hub:pw@db/hub")
def db_url(d):
    assert d.c.JupyterHub.db_url == "postgresql://hub:pw@db/hub"
    assert d.databases == ["postgresql://hub:pw@db/hub"]
    assert d.portal.db_url == "postgresql://hub:pw@db/hub"


@effect("MYDOCKER_DEFAULT_IMAGE", "registry.univ.fr/jupyterlab:2")
def default_image(d):
    [environment] = d.c.StaticEnvironmentCatalog.environments
    assert environment["image"] == "registry.univ.fr/jupyterlab:2"
    assert d.portal.standard_images == ("registry.univ.fr/jupyterlab:2",)


COURSE = {"name": "python-l1", "title": "Python (L1)", "image": "python-l1:1", "public": True}


@effect("MYDOCKER_ENVIRONMENTS", json.dumps([COURSE]))
def environments(d):
    assert d.c.StaticEnvironmentCatalog.environments == [COURSE]


@effect("MYDOCKER_VOLUME_DRIVER", "nfs-plugin")
def volume_driver(d):
    assert d.c.SwarmCourseSpawner.volume_driver == "nfs-plugin"


@effect("MYDOCKER_VOLUME_DRIVER_OPTS", r"type=nfs,o=addr=10.0.0.5\,rw,device=:/export/homes")
def volume_driver_opts(d):
    """The README's example, with its escaped comma."""
    assert d.c.SwarmCourseSpawner.volume_driver_options == {
        "type": "nfs",
        "o": "addr=10.0.0.5,rw",
        "device": ":/export/homes",
    }


@effect("MYDOCKER_IDLE_TIMEOUT", "600")
def idle_timeout(d):
    [culler] = [s for s in d.c.JupyterHub.services if s["name"] == "idle-culler"]
    assert "--timeout=600" in culler["command"]
    assert culler_timeout(d.hub_env) == 600  # what the activity page says of culled servers


@effect("MYDOCKER_REGISTRY", "registry.example.org:5000")
def registry(d):
    assert d.portal.registry == "registry.example.org:5000"


@effect("MYDOCKER_UPLOAD_LIMIT_MB", "80")
def upload_limit(d):
    assert d.portal.upload_limit_mb == 80


@effect("MYDOCKER_CONCURRENT_BUILDS", "3")
def concurrent_builds(d):
    assert d.portal.concurrent_builds == 3


@effect("MYDOCKER_BUILD_TIMEOUT_MINUTES", "45")
def build_timeout(d):
    assert d.portal.build_timeout_minutes == 45


@effect("MYDOCKER_BUILD_MEMORY", "4G")
def build_memory(d):
    assert d.portal.build_memory == "4G"


@effect("MYDOCKER_BUILDS_KEPT", "9")
def builds_kept(d):
    assert d.portal.builds_kept == 9


@effect("MYDOCKER_DATA_DIR", "/data")
def data_dir(d):
    assert d.c.JupyterHub.db_url == "sqlite:////data/jupyterhub.sqlite"
    assert d.c.JupyterHub.cookie_secret_file == "/data/jupyterhub_cookie_secret"
    assert d.token_file == "/data/admin-service-token"
    assert LTI13Launches(config=d.c).key_directory == "/data/lti13-keys"


@effect("MYDOCKER_LTI11_CONSUMERS", "moodle:s3cret, edx:other")
def lti11_consumers(d):
    assert LTI11Launches(config=d.c).consumers == {"moodle": "s3cret", "edx": "other"}


PLATFORM = {
    "issuer": "https://moodle.univ.fr",
    "client_id": "Xy12",
    "deployment_ids": ["3"],
    "auth_login_url": "https://moodle.univ.fr/mod/lti/auth.php",
    "jwks_url": "https://moodle.univ.fr/mod/lti/certs.php",
}


@effect("MYDOCKER_LTI13_PLATFORMS", json.dumps([PLATFORM]))
def lti13_platforms(d):
    assert LTI13Launches(config=d.c).platforms == [Platform.from_dict(PLATFORM)]


DISCOVERY = "https://satosa.univ.fr/.well-known/openid-configuration"
OIDC = {"MYDOCKER_OIDC_DISCOVERY_URL": DISCOVERY, "MYDOCKER_OIDC_CLIENT_ID": "mydocker-hub"}


@effect("MYDOCKER_OIDC_DISCOVERY_URL", DISCOVERY, MYDOCKER_OIDC_CLIENT_ID="mydocker-hub")
def oidc_discovery_url(d):
    oidc = FederationOIDC(config=d.c)
    assert oidc.discovery_url == DISCOVERY
    assert oidc.enabled


@effect("MYDOCKER_OIDC_CLIENT_ID", "mydocker-hub", MYDOCKER_OIDC_DISCOVERY_URL=DISCOVERY)
def oidc_client_id(d):
    assert FederationOIDC(config=d.c).client_id == "mydocker-hub"


@effect("MYDOCKER_OIDC_CLIENT_SECRET", "s3cret", **OIDC)
def oidc_client_secret(d):
    assert FederationOIDC(config=d.c).client_secret == "s3cret"


@effect("MYDOCKER_OIDC_CALLBACK_URL", "https://hub.univ.fr/hub/oauth_callback", **OIDC)
def oidc_callback_url(d):
    assert FederationOIDC(config=d.c).oauth_callback_url == "https://hub.univ.fr/hub/oauth_callback"


@effect("MYDOCKER_OIDC_USERNAME_CLAIM", "mail", **OIDC)
def oidc_username_claim(d):
    assert FederationOIDC(config=d.c).username_claim == "mail"


@effect("MYDOCKER_OIDC_ALLOWED_DOMAINS", "univ.fr, etu.univ.fr", **OIDC)
def oidc_allowed_domains(d):
    assert FederationOIDC(config=d.c).allowed_domains == {"univ.fr", "etu.univ.fr"}


@effect("MYDOCKER_OIDC_SCOPES", "openid email profile eduperson", **OIDC)
def oidc_scopes(d):
    assert FederationOIDC(config=d.c).scope == ["openid", "email", "profile", "eduperson"]


@effect("MYDOCKER_OIDC_TOKEN_AUTH_METHOD", "client_secret_post", **OIDC)
def oidc_token_auth_method(d):
    oidc = FederationOIDC(config=d.c)
    assert oidc.token_endpoint_auth_method == "client_secret_post"
    assert oidc.token_auth == "client_secret_post" and oidc.basic_auth is False


@effect("MYDOCKER_CA_FILE", str(Path(__file__).parent / "data" / "university-ca.pem"))
def ca_file(d):
    """The CA joins the image's public CAs in a bundle that the hub's TLS reads."""
    assert "MYDOCKER_CA_FILE" not in d.hub_env  # a path on the admin's machine
    environment = d.container["environment"]
    assert environment.get("SSL_CERT_FILE") == trust.BUNDLE_PATH
    assert environment.get("REQUESTS_CA_BUNDLE") == trust.BUNDLE_PATH
    bundle = d.files.get(trust.BUNDLE_PATH, b"")
    assert bundle.startswith(FakeDocker.IMAGE_CAS)
    assert Path(d.environ["MYDOCKER_CA_FILE"]).read_bytes().strip() in bundle


@effect("MYDOCKER_ADMIN_USERS", "jean.dupont@univ.fr,marie@univ.fr")
def admin_users(d):
    assert MyDockerAuthenticator(config=d.c).admin_users == {"jean.dupont@univ.fr", "marie@univ.fr"}


def tornado_settings(d):
    return d.c.JupyterHub.tornado_settings if "tornado_settings" in d.c.JupyterHub else {}


@effect("MYDOCKER_LMS_ORIGINS", "https://moodle.univ.fr")
def lms_origins(d):
    csp = tornado_settings(d).get("headers", {}).get("Content-Security-Policy")
    assert csp == "frame-ancestors 'self' https://moodle.univ.fr"
    assert d.c.SwarmCourseSpawner.frame_ancestors == ["https://moodle.univ.fr"]


@effect("MYDOCKER_PUBLIC_URL", "https://hub.univ.fr")
def public_url(d):
    assert d.hub_env["MYDOCKER_PUBLIC_URL"] == "https://hub.univ.fr"
    cookies = tornado_settings(d).get("cookie_options")
    assert cookies == {"samesite": "None", "secure": True}


@pytest.mark.parametrize("variable", DOCUMENTED)
def test_each_documented_variable_has_its_effect(variable, deploy):
    if variable not in EFFECTS:
        pytest.fail(f"{variable} is documented: add a case above proving its effect")
    environ, check = EFFECTS[variable]
    check(deploy(environ))


@pytest.mark.parametrize("variable", sorted(EFFECTS))
def test_each_effect_is_absent_without_its_variable(variable, deploy):
    """Each check proves its own variable's effect, not the defaults' or a companion's."""
    environ, check = EFFECTS[variable]
    without = {key: value for key, value in environ.items() if key != variable}
    try:
        deployment = deploy(without)
    except SettingsError as e:  # a companion needing it (an OIDC client without its ID)
        assert variable in str(e)
        return
    with pytest.raises(AssertionError):
        check(deployment)
