"""The standard JupyterLab image as a student gets it: started by its lighter
launcher, with everything a student uses still there."""

import ast
import json
import re

from deployment import IMAGE, docker_client
from jupyter_client import HubUser

LAUNCHER = "/opt/jupyter/bin/mydocker-singleuser"


def started(platform, name):
    """A student logged in, their default environment started."""
    user = HubUser(platform.url, name)
    assert user.login(platform.add_user(name, role="student")).status_code == 302
    assert user.start().status_code in (201, 202)
    user.wait_ready()
    return user


async def test_the_launcher_leaves_kernels_and_terminals_the_usual_tls_settings(platform):
    user = started(platform, "image-student")
    try:
        user.open_server()
        # The kernel's parent is the server, started by the image's launcher.
        code = (
            "import os, ssl, json; json.dumps(["
            "open(f'/proc/{os.getppid()}/cmdline').read().replace(chr(0), ' '),"
            "os.environ.get('SSL_CERT_FILE'),"
            "ssl.create_default_context().cert_store_stats()['x509_ca'],"
            "open(f'/proc/{os.getppid()}/maps').read()])"
        )
        result = json.loads(ast.literal_eval(await user.execute(code)))
        command, cert_file, authorities, server_libraries = result
        assert "mydocker-singleuser" in command
        # The hub's database layer was not loaded (SQLAlchemy maps its compiled parts).
        assert "sqlalchemy" not in server_libraries
        assert cert_file == "/etc/ssl/certs/ca-certificates.crt"
        assert authorities > 100  # the whole bundle, as usual, for the student's code

        terminal = user.server_api("POST", "/terminals")
        assert terminal.status_code == 200, terminal.text
        user.server_api("DELETE", f"/terminals/{terminal.json()['name']}")
    finally:
        user.stop()


def test_students_can_choose_french_and_cannot_install_extensions(platform):
    user = started(platform, "image-student-fr")
    try:
        user.open_server()
        languages = user.session.get(user.server_url() + "lab/api/translations", timeout=60)
        assert "fr_FR" in languages.json()["data"], languages.text[:300]
        lab = user.open_server().text
        found = re.search(r'<script [^>]*id="jupyter-config-data"[^>]*>(.*?)</script>', lab, re.S)
        assert found, lab[:500]
        config = json.loads(found.group(1))
        assert config["extensionManager"]["can_install"] is False
    finally:
        user.stop()


def run_launcher(code):
    """What `code` prints, run with the image's launcher loaded as a module."""
    load = (
        "import importlib.machinery, importlib.util, sys\n"
        f"loader = importlib.machinery.SourceFileLoader('launcher', {LAUNCHER!r})\n"
        "spec = importlib.util.spec_from_loader('launcher', loader)\n"
        "launcher = importlib.util.module_from_spec(spec)\n"
        "loader.exec_module(launcher)\n"
    )
    output = docker_client().containers.run(
        IMAGE, ["python3", "-c", load + code], remove=True, stderr=True, network_disabled=True
    )
    return output.decode()


def test_the_launcher_stands_in_for_the_hubs_database_and_steps_aside_after(platform):
    output = run_launcher(
        "launcher.import_singleuser()\n"
        "print('loaded:', 'sqlalchemy' in sys.modules)\n"
        "import sqlalchemy, jupyterhub.orm\n"
        "print('real afterwards:', hasattr(sqlalchemy, 'create_engine'), "
        "hasattr(jupyterhub.orm, 'User'))\n"
    )
    assert "loaded: False" in output, output
    assert "real afterwards: True True" in output, output
    assert "complete import" not in output, output


def test_the_launcher_falls_back_to_the_complete_import(platform):
    # A JupyterHub that takes one more name from a stood-in module at import.
    output = run_launcher(
        "launcher.STAND_INS['jupyterhub.handlers.pages'] = {}\n"
        "main = launcher.import_singleuser()\n"
        "print('main:', main.__qualname__)\n"
        "print('loaded:', 'sqlalchemy' in sys.modules)\n"
        "print('real:', hasattr(sys.modules['jupyterhub.handlers.pages'], 'HealthCheckHandler'))\n"
    )
    assert "mydocker-singleuser: the complete import (" in output, output
    assert "main: ExtensionApp.launch_instance" in output, output
    assert "loaded: True" in output, output
    assert "real: True" in output, output


def test_the_launcher_loads_less_at_start_and_all_of_it_later(platform):
    output = run_launcher(
        "main = launcher.import_server()\n"
        "import gc, jsonschema\n"
        "formats = {'duration', 'uri', 'color', 'date-time'}\n"
        "print('formats:', sorted(formats & set(jsonschema.FormatChecker.checkers)))\n"
        "print('skipped:', [name for name in launcher.SKIPPED_AT_START if name in sys.modules])\n"
        "print('requests:', type(sys.modules['requests']).__name__, 'urllib3' in sys.modules)\n"
        "print('collector on:', gc.isenabled(), 'frozen:', gc.get_freeze_count() > 50000)\n"
        "import aiodns, isoduration, rfc3986_validator, webcolors, requests\n"
        "print('later:', hasattr(isoduration, 'parse_duration'), hasattr(requests, 'get'))\n"
    )
    # The optional format checkers were left out; date-time's is not optional here.
    assert "formats: ['date-time']" in output, output
    assert "skipped: []" in output, output  # and nothing of them stays behind
    assert "requests: _LazyModule False" in output, output  # imported, not yet executed
    assert "collector on: True frozen: True" in output, output
    assert "later: True True" in output, output
