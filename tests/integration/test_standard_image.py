"""The standard JupyterLab image as a student gets it: started by its lighter
launcher, with everything a student uses still there."""

import ast
import json
import re

from jupyter_client import HubUser


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
            "ssl.create_default_context().cert_store_stats()['x509_ca']])"
        )
        command, cert_file, authorities = json.loads(ast.literal_eval(await user.execute(code)))
        assert "mydocker-singleuser" in command
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
