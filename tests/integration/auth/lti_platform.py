"""A small LTI 1.3 platform for the tests, built on PyPI `lti1p3platform`.

It publishes its JWKS, answers the tool's authentication request with a signed
id_token (resource link or deep linking), and checks the tool's signed
LtiDeepLinkingResponse against the tool's published key set. A launch can be
spoiled on purpose (claims removed or changed, header without or with an unknown
kid, clock off) to play the certification's bad launches.
"""

import html
import socket
import threading
import time
import uuid
from urllib.parse import parse_qs

import jwt
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def _rsa_pems():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class PlatformConfig(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **settings):
        self.settings = settings

    def get_registration_by_params(self, **kwargs):
        s = self.settings
        return (
            Registration()
            .set_iss(s["issuer"])
            .set_client_id(s["client_id"])
            .set_deployment_id(s["deployment_id"])
            .set_oidc_login_url(s["oidc_login_url"])
            .set_launch_url(s["launch_url"])
            .set_deeplink_launch_url(s["launch_url"])
            .set_platform_public_key(s["public_key"])
            .set_platform_private_key(s["private_key"])
            .set_tool_key_set_url(s["tool_jwks_url"])
        )


class OIDCLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    """A launch message; `spoil` changes it after lti1p3platform built and signed it."""

    def __init__(self, preflight, config, spoil):
        super().__init__(None, config)
        self.preflight = preflight
        self.spoil = spoil

    def get_preflight_response(self):
        return self.preflight

    def render_launch_form(self, launch_data, **kwargs):
        return launch_data

    def generate_launch_request(self):
        data = super().generate_launch_request()
        spoil = self.spoil
        if not spoil:
            return data
        claims = jwt.decode(data["id_token"], options={"verify_signature": False})
        for name in spoil.get("drop", ()):
            claims.pop(name, None)
        claims.update(spoil.get("set", {}))
        shift = spoil.get("clock_shift", 0)
        claims["iat"] += shift
        claims["exp"] += shift
        headers = {}
        kid = spoil.get("kid", self._registration.get_kid())
        if kid:
            headers["kid"] = kid
        key = spoil.get("private_key", self._registration.get_platform_private_key())
        data["id_token"] = jwt.encode(claims, key, algorithm="RS256", headers=headers)
        return data


class TestPlatform:
    """The platform's web app (FastAPI + uvicorn in a thread) and its prepared launches."""

    __test__ = False  # a helper, not a test class

    def __init__(self, hub_url, issuer_host="127.0.0.1", bind="127.0.0.1", browser_host=None):
        """`bind`: the address it listens on (another than the loopback when the hub
        runs in a container); `issuer_host`: the one in its URLs; `browser_host`: the
        one in the URLs that only the browser follows (deep linking's return URL)."""
        self.sock = socket.socket()
        self.sock.bind((bind, 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{issuer_host}:{self.port}"
        self.browser_url = f"http://{browser_host or issuer_host}:{self.port}"
        self.private_key, self.public_key = _rsa_pems()
        self.hub_url = hub_url
        self.settings = {
            "issuer": self.url,
            "client_id": "mydocker-tool",
            "deployment_id": "deployment-1",
            "oidc_login_url": f"{hub_url}/hub/lti13/oauth_login",
            "launch_url": f"{hub_url}/hub/home",
            "public_key": self.public_key,
            "private_key": self.private_key,
            "tool_jwks_url": f"{hub_url}/hub/lti13/jwks",
        }
        self.launches = {}
        self.deep_link_results = []
        self.jwks_requests = 0
        self.app = self._make_app()
        self.server = None

    @property
    def registration(self):
        """As the tool's administrator types it in (MYDOCKER_LTI13_PLATFORMS)."""
        return {
            "issuer": self.url,
            "client_id": self.settings["client_id"],
            "deployment_ids": [self.settings["deployment_id"]],
            "auth_login_url": f"{self.url}/auth",
            "jwks_url": f"{self.url}/jwks",
            "name": "lms",
        }

    def config(self):
        return PlatformConfig(**self.settings)

    def _make_app(self):
        app = FastAPI()

        @app.get("/jwks")
        def jwks():
            self.jwks_requests += 1
            config = self.config()
            config.get_registration()
            return config.get_jwks()

        @app.get("/auth")
        def auth(request: Request):
            preflight = dict(request.query_params)
            prepared = self.launches[preflight["lti_message_hint"]]
            config = self.config()
            launch = Launch(preflight, config, prepared.get("spoil"))
            launch._registration = config.get_registration()
            user = prepared["user"]
            launch.set_user_data(user["id"], user["roles"], user.get("name"), user.get("email"))
            if prepared.get("deep_linking"):
                launch.set_dl(
                    f"{self.browser_url}/deep_link_return", title="Choose", extra_data="dl-data"
                )
            else:
                launch.set_resource_link_claim(prepared.get("resource_link", "link-1"))
            if prepared.get("custom"):
                launch.set_custom_parameters_claim(prepared["custom"])
            if prepared.get("context"):
                launch.set_launch_context_claim(prepared["context"])
            data = launch.lti_launch()
            if prepared.get("form_delay_ms") is not None:
                return HTMLResponse(auto_post_form(data, prepared["form_delay_ms"]))
            return JSONResponse(data)

        @app.post("/deep_link_return")
        async def deep_link_return(request: Request):
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            config = self.config()
            config.get_registration()
            items = config.validate_deeplinking_resp({"JWT": form["JWT"]})
            claims = jwt.decode(form["JWT"], options={"verify_signature": False})
            self.deep_link_results.append({"items": items, "claims": claims})
            return JSONResponse({"items": items})

        return app

    def prepare(
        self,
        user_id,
        roles,
        *,
        custom=None,
        deep_linking=False,
        spoil=None,
        email=None,
        context="course-1",
        resource_link="link-1",
        form_delay_ms=None,
    ):
        """Prepare a launch; return the URL that starts it (the LMS's activity link).

        With `form_delay_ms`, the platform answers the browser as an LMS does: a
        form that posts the id_token to the tool by itself, after that delay.
        """
        hint = uuid.uuid4().hex
        self.launches[hint] = {
            "user": {"id": user_id, "roles": roles, "email": email, "name": user_id},
            "custom": custom,
            "context": context,
            "resource_link": resource_link,
            "form_delay_ms": form_delay_ms,
            "deep_linking": deep_linking,
            "spoil": spoil,
        }
        login = OIDCLogin(None, self.config())
        login.set_lti_message_hint(hint=hint)
        if deep_linking:
            login.set_launch_url(self.settings["launch_url"])
        return login.prepare_preflight_url(user_id)

    def start(self):
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})
        thread.daemon = True
        thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test LTI platform did not start")
            time.sleep(0.05)
        return self

    def stop(self):
        if self.server:
            self.server.should_exit = True


def auto_post_form(data, delay_ms):
    """The page a platform sends the browser: the id_token and state, posted to the tool."""
    fields = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(str(data[name]))}">'
        for name in ("id_token", "state")
    )
    action = html.escape(data["launch_url"])
    return (
        f'<html><body><form id="launch" method="post" action="{action}">{fields}</form>'
        f"<script>setTimeout(() => document.getElementById('launch').submit(), {int(delay_ms)})"
        "</script></body></html>"
    )


def launch(session, platform, login_url):
    """Play the browser: login initiation -> platform's auth -> post id_token to the hub."""
    start = session.get(login_url, allow_redirects=False)
    assert start.status_code == 302, start.text
    form = session.get(start.headers["Location"], allow_redirects=False)
    assert form.status_code == 200, form.text
    data = form.json()
    return session.post(
        data["launch_url"],
        data={"id_token": data["id_token"], "state": data["state"]},
        allow_redirects=False,
    )
