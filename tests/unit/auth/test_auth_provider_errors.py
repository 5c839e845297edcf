"""Failures between the hub and the federation's provider: each cause, its message, its line.

The network failures are real ones, made by Tornado's client on the loopback (a
TLS server whose CA the client does not trust, a server that never answers, a
port that refuses), so that the classification follows what Tornado raises.
"""

import datetime
import io
import json
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse

from mydocker_hub.auth import provider_errors as pe
from mydocker_hub.auth.errors import LoginRefused

URL = "https://satosa.univ.fr/OIDC/token"


def self_signed(tmp_path, host="127.0.0.1"):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Université de Test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "server.pem", tmp_path / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


class Listener:
    """A loopback socket: TLS with a certificate no one trusts, or silent, or closed."""

    def __init__(self, tls_files=None, listen=True):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.tls_files = tls_files
        self.held = []
        if listen:
            self.sock.listen()
            threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)  # silent: never answers
            if self.tls_files:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(*self.tls_files)
                try:
                    self.held.append(context.wrap_socket(conn, server_side=True))
                except (ssl.SSLError, OSError):
                    pass  # the client gave up on our certificate: what is tested

    def close(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


async def failure_of(url, **kwargs):
    try:
        await AsyncHTTPClient(force_instance=True).fetch(url, **kwargs)
    except Exception as e:  # what Tornado raises is what is tested
        return e
    raise AssertionError(f"{url} answered")


async def test_a_certificate_not_trusted_is_a_tls_failure_and_names_the_ca_setting(tmp_path):
    listener = Listener(tls_files=self_signed(tmp_path))
    url = f"https://127.0.0.1:{listener.port}/.well-known/openid-configuration"
    try:
        error = await failure_of(url, request_timeout=5)
    finally:
        listener.close()
    assert pe.cause_of(error, pe.DISCOVERY) == pe.TLS
    failure = pe.explain(error, pe.DISCOVERY, url)
    # OpenSSL's words for it: "self-signed certificate" (3.x), "self signed" before
    assert failure.line.startswith(
        f"Federation login failed at the provider's discovery document {url}: certificate "
        "verify failed (self"
    )
    assert failure.line.endswith(
        "Fix: put the CA that signed the provider's certificate (PEM) in MYDOCKER_CA_FILE "
        "and run `make up` again."
    )
    refusal = failure.refusal
    assert refusal.status_code == 502
    assert "could not verify the certificate" in refusal.jupyterhub_message
    assert "n'a pas pu vérifier le certificat" in refusal.jupyterhub_message
    assert "try again" not in refusal.jupyterhub_message.lower()


async def test_a_silent_provider_is_a_timeout(tmp_path):
    listener = Listener()
    url = f"http://127.0.0.1:{listener.port}/OIDC/userinfo"
    try:
        error = await failure_of(url, request_timeout=0.3)
    finally:
        listener.close()
    assert pe.cause_of(error, pe.USERINFO) == pe.TIMEOUT
    failure = pe.explain(error, pe.USERINFO, url)
    assert failure.refusal.status_code == 504
    assert "took too long to answer" in failure.refusal.jupyterhub_message
    assert "check that the hub reaches 127.0.0.1" in failure.line
    assert "MYDOCKER_OIDC_DISCOVERY_URL" in failure.line


async def test_a_port_that_refuses_is_unreachable(tmp_path):
    listener = Listener(listen=False)
    url = f"http://127.0.0.1:{listener.port}/.well-known/openid-configuration"
    try:
        error = await failure_of(url, request_timeout=5)
    finally:
        listener.close()
    assert pe.cause_of(error, pe.DISCOVERY) == pe.UNREACHABLE
    failure = pe.explain(error, pe.DISCOVERY, url)
    assert failure.refusal.status_code == 502
    assert "does not answer; try again in a few minutes" in failure.refusal.jupyterhub_message
    assert "Fix: check MYDOCKER_OIDC_DISCOVERY_URL and that the hub reaches 127.0.0.1" in (
        failure.line
    )


def http_error(code, body, url=URL):
    text = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = HTTPResponse(
        HTTPRequest(url, method="POST", body=b""), code, buffer=io.BytesIO(text)
    )
    return HTTPClientError(code, response=response)


CLIENT_REFUSALS = {
    "satosa-wrong-method": (
        401,
        {
            "error": "invalid_client",
            "error_description": "Wrong authentication method used, MUST use 'client_secret_basic'",
        },
    ),
    "wrong-secret-401": (401, {"error": "invalid_client", "error_description": "bad secret"}),
    "invalid-client-400": (400, {"error": "invalid_client"}),
    "unauthorized-client-400": (400, {"error": "unauthorized_client"}),
    "401-without-json": (401, b"Unauthorized"),
}


@pytest.mark.parametrize("code, body", list(CLIENT_REFUSALS.values()), ids=list(CLIENT_REFUSALS))
def test_a_client_the_token_endpoint_refuses(code, body):
    error = http_error(code, body)
    assert pe.cause_of(error, pe.TOKEN) == pe.CLIENT_REFUSED
    failure = pe.explain(
        error, pe.TOKEN, URL, client_id="hub", auth_method="client_secret_post", offered_auth=None
    )
    assert failure.refusal.status_code == 502
    assert "refused this platform" in failure.refusal.jupyterhub_message
    assert f"Federation login failed at the provider's token endpoint {URL}: HTTP {code}" in (
        failure.line
    )
    assert "The hub sent client hub with client_secret_post; the provider lists (not listed)." in (
        failure.line
    )
    for setting in ("MYDOCKER_OIDC_CLIENT_ID", "MYDOCKER_OIDC_CLIENT_SECRET"):
        assert setting in failure.line
    assert "MYDOCKER_OIDC_TOKEN_AUTH_METHOD" in failure.line
    assert "\n" not in failure.line


def test_satosas_own_words_are_in_the_line():
    error = http_error(*CLIENT_REFUSALS["satosa-wrong-method"])
    line = pe.explain(error, pe.TOKEN, URL, "hub", "client_secret_post", ["client_secret_basic"])
    assert (
        "HTTP 401 invalid_client: Wrong authentication method used, MUST use "
        "'client_secret_basic'. The hub sent client hub with client_secret_post; the provider "
        "lists client_secret_basic."
    ) in line.line


def test_a_used_or_late_code_is_not_the_platforms_fault():
    error = http_error(400, {"error": "invalid_grant", "error_description": "expired"})
    assert pe.cause_of(error, pe.TOKEN) == pe.CODE_REFUSED
    failure = pe.explain(error, pe.TOKEN, URL)
    assert failure.refusal.status_code == 400
    assert "Start again from the platform's login page" in failure.refusal.jupyterhub_message
    assert "MYDOCKER_OIDC_CALLBACK_URL" in failure.line


@pytest.mark.parametrize(
    "error, step",
    [
        (http_error(401, {"error": "invalid_token"}), pe.USERINFO),
        (http_error(404, b"<html>Not Found</html>"), pe.DISCOVERY),
        (http_error(500, b"oops"), pe.TOKEN),
        (ValueError("Expecting value: line 1 column 1 (char 0)"), pe.DISCOVERY),
        (KeyError("token_type"), pe.TOKEN),
    ],
    ids=["userinfo-401", "discovery-404", "token-500", "not-json", "field-missing"],
)
def test_other_answers_are_a_bad_answer(error, step):
    assert pe.cause_of(error, step) == pe.BAD_ANSWER
    failure = pe.explain(error, step, URL)
    assert failure.refusal.status_code == 502
    assert "an answer the platform cannot use" in failure.refusal.jupyterhub_message
    assert "Fix: see the provider's log" in failure.line


def test_a_401_at_the_userinfo_endpoint_is_not_a_refused_client():
    assert pe.cause_of(http_error(401, {"error": "invalid_client"}), pe.USERINFO) == pe.BAD_ANSWER


def certificate_error(message):
    error = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] {message}")
    error.verify_message = message
    return error


@pytest.mark.parametrize(
    "message, fix",
    [
        ("unable to get local issuer certificate", "MYDOCKER_CA_FILE"),
        ("Hostname mismatch, certificate is not valid for 'satosa.univ.fr'.", "does not name"),
        ("IP address mismatch, certificate is not valid for '10.0.0.5'.", "does not name"),
        ("certificate has expired", "its administrators must renew it"),
    ],
    ids=["unknown-ca", "hostname", "ip-address", "expired"],
)
def test_each_certificate_failure_names_its_own_fix(message, fix):
    failure = pe.explain(certificate_error(message), pe.TOKEN, URL)
    assert failure.cause == pe.TLS
    assert f"certificate verify failed ({message})" in failure.line
    assert fix in failure.line


def test_a_certificate_failure_inside_another_error_is_found():
    try:
        try:
            raise certificate_error("unable to get local issuer certificate")
        except ssl.SSLError as e:
            raise OSError("stream closed") from e
    except OSError as wrapped:
        assert pe.cause_of(wrapped, pe.DISCOVERY) == pe.TLS


def test_a_missing_claim_names_the_scopes_and_the_setting():
    failure = pe.missing_claim(
        "eduPersonPrincipalName",
        {"sub": "x", "email": "a@univ.fr"},
        ["openid", "email", "profile"],
        "mydocker-hub",
    )
    assert failure.line == (
        "Federation login refused: the provider sent no eduPersonPrincipalName (claims "
        "received: email, sub; scopes asked: openid email profile). Fix: ask the provider's "
        "team to release eduPersonPrincipalName to client mydocker-hub under a scope of "
        "MYDOCKER_OIDC_SCOPES (with SATOSA: the scope of its extra_scopes that lists the "
        "claim), or set MYDOCKER_OIDC_USERNAME_CLAIM to a claim it sends."
    )
    refusal = failure.refusal
    assert isinstance(refusal, LoginRefused) and refusal.status_code == 403
    assert "did not send your eduPersonPrincipalName" in refusal.jupyterhub_message
    assert "Prévenez les administrateurs" in refusal.jupyterhub_message


def test_every_message_is_in_both_languages_and_says_whom_to_tell_or_what_to_do():
    for cause, (status, message) in pe.MESSAGES.items():
        english, french = message.split(" / ")
        assert status in (400, 502, 504), cause
        assert ("administrators" in english) or ("Start again" in english), cause
        assert ("administrateurs" in french) or ("Recommencez" in french), cause


def test_what_comes_from_outside_stays_on_one_short_line():
    error = http_error(500, b"line one\nline two\r\n" + b"x" * 1000)
    line = pe.explain(error, pe.TOKEN, URL).line
    assert "\n" not in line and "\r" not in line
    assert "line one line two" in line
    assert len(line) < 600


async def test_an_lms_key_set_behind_a_certificate_not_trusted_names_the_ca_setting(tmp_path):
    from mydocker_hub.auth.platform_keys import PlatformKeys

    listener = Listener(tls_files=self_signed(tmp_path))
    url = f"https://127.0.0.1:{listener.port}/mod/lti/certs.php"
    try:
        with pytest.raises(LoginRefused) as refused:
            await PlatformKeys().key(url, "kid-1")
    finally:
        listener.close()
    assert refused.value.status_code == 502
    assert "does not trust the LMS's certificate" in refused.value.jupyterhub_message
    assert "MYDOCKER_CA_FILE" in refused.value.jupyterhub_message


async def test_an_lms_key_set_that_cannot_be_reached_names_no_ca(tmp_path):
    from mydocker_hub.auth.platform_keys import PlatformKeys

    listener = Listener(listen=False)
    try:
        with pytest.raises(LoginRefused) as refused:
            await PlatformKeys().key(f"http://127.0.0.1:{listener.port}/certs", "kid-1")
    finally:
        listener.close()
    assert "could not be fetched" in refused.value.jupyterhub_message
    assert "MYDOCKER_CA_FILE" not in refused.value.jupyterhub_message
