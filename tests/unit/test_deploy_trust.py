"""MYDOCKER_CA_FILE: the checked PEM file, and the bundle the hub's container gets."""

import datetime
import io
import os
import socket
import ssl
import tarfile
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mydocker_hub.deploy import DeployError, trust


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def certificate(subject, issuer=None, issuer_key=None, ca=False, hosts=()):
    """(certificate, key): self-signed unless `issuer` and `issuer_key` are given."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.subject if issuer else _name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if hosts:
        names = [x509.DNSName(host) for host in hosts]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256()), key


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture(scope="module")
def university():
    """The university's CA, and a server certificate it signed for ``localhost``."""
    ca, ca_key = certificate("AC Université de Test", ca=True)
    server, server_key = certificate("localhost", ca, ca_key, hosts=["localhost"])
    return ca, ca_key, server, server_key


def written(tmp_path, data, name="ca.pem"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_pem_ca_is_read_and_only_its_certificates_are_kept(tmp_path, university):
    ca = pem(university[0])
    other, _ = certificate("AC intermédiaire", ca=True)
    path = written(tmp_path, b"Subject: the university's CA\n" + ca + b"\n# comment\n" + pem(other))
    assert trust.read_ca_file(path) == ca + pem(other)


def test_windows_line_ends_are_read(tmp_path, university):
    data = pem(university[0]).replace(b"\n", b"\r\n")
    assert trust.read_ca_file(written(tmp_path, data)).count(b"BEGIN CERTIFICATE") == 1


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "holds no PEM certificate"),
        (b"not a certificate\n", "holds no PEM certificate"),
        (b"0\x82\x03\x1a0\x82", "a DER file? convert it with `openssl x509 -inform der`"),
        (
            b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
            "certificate 1 cannot be read",
        ),
    ],
    ids=["empty", "text", "der", "broken-certificate"],
)
def test_a_file_without_a_readable_certificate_is_one_line_naming_the_variable(
    tmp_path, data, reason
):
    path = written(tmp_path, data)
    with pytest.raises(DeployError) as refused:
        trust.read_ca_file(path)
    message = str(refused.value)
    assert message.startswith(f"MYDOCKER_CA_FILE={path}: ")
    assert reason in message
    assert "\n" not in message


def test_a_private_key_is_refused(tmp_path, university):
    ca, ca_key = university[:2]
    path = written(tmp_path, pem(ca) + key_pem(ca_key))
    with pytest.raises(DeployError, match="holds a private key: give only the CA's certificate"):
        trust.read_ca_file(path)


def test_a_missing_file_is_one_line_naming_the_variable(tmp_path):
    path = str(tmp_path / "absent.pem")
    with pytest.raises(DeployError) as refused:
        trust.read_ca_file(path)
    assert (
        str(refused.value) == f"MYDOCKER_CA_FILE={path}: cannot be read (No such file or directory)"
    )


def test_the_admin_is_told_how_many_and_warned_of_a_certificate_that_is_no_ca(university):
    ca, _, server, _ = university
    assert trust.describe(pem(ca)) == "the hub trusts 1 more certificate(s) from MYDOCKER_CA_FILE"
    warned = trust.describe(pem(server))
    assert "none is a certificate authority" in warned


def test_the_bundle_is_the_system_bundle_then_the_extra_cas(university):
    ca = pem(university[0])
    bundle = trust.combined_bundle(b"SYSTEM-A\nSYSTEM-B", ca)
    assert bundle == b"SYSTEM-A\nSYSTEM-B\n# Added by mydocker-hub from MYDOCKER_CA_FILE\n" + ca
    assert trust.combined_bundle(b"", ca).endswith(ca)


def test_the_bundle_keeps_the_system_cas_and_verifies_a_server_the_university_signed(
    tmp_path, university
):
    """What SSL_CERT_FILE gives the hub's TLS: every system CA, plus the university's."""
    ca, _, server, server_key = university
    system = ssl.get_default_verify_paths().openssl_cafile
    if not os.path.exists(system):
        pytest.skip(f"no system bundle at {system}")
    with open(system, "rb") as f:
        system_pem = f.read()
    path = written(tmp_path, trust.combined_bundle(system_pem, pem(ca)), "bundle.pem")
    alone, combined = ssl.create_default_context(), ssl.create_default_context(cafile=path)
    alone.load_verify_locations(cadata=system_pem.decode())
    assert combined.cert_store_stats()["x509_ca"] >= alone.cert_store_stats()["x509_ca"] + 1

    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(
        written(tmp_path, pem(server), "server.pem"), written(tmp_path, key_pem(server_key), "k")
    )
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        conn, _ = listener.accept()
        try:
            with server_context.wrap_socket(conn, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            pass

    for context, trusted in ((ssl.create_default_context(cafile=system), False), (combined, True)):
        thread = threading.Thread(target=serve)
        thread.start()
        with socket.create_connection(("127.0.0.1", port)) as raw:
            if trusted:
                with context.wrap_socket(raw, server_hostname="localhost") as tls:
                    assert tls.version()
            else:
                with pytest.raises(ssl.SSLCertVerificationError):
                    context.wrap_socket(raw, server_hostname="localhost")
        thread.join(5)
    listener.close()


def test_the_archive_holds_the_bundle_under_its_name():
    with tarfile.open(fileobj=io.BytesIO(trust.bundle_archive(b"BUNDLE"))) as tar:
        [member] = tar.getmembers()
        assert member.name == os.path.basename(trust.BUNDLE_PATH)
        assert member.mode == 0o644
        assert tar.extractfile(member).read() == b"BUNDLE"


def test_the_hubs_tls_reads_the_bundle():
    assert trust.environment() == {
        "SSL_CERT_FILE": trust.BUNDLE_PATH,
        "REQUESTS_CA_BUNDLE": trust.BUNDLE_PATH,
    }
    assert os.path.dirname(trust.BUNDLE_PATH) == "/etc/mydocker"


def tar_of(name, data=b"", link=""):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        if link:
            info.type, info.linkname = tarfile.SYMTYPE, link
        else:
            info.size = len(data)
        tar.addfile(info, io.BytesIO(data) if not link else None)
    raw = buffer.getvalue()
    return [raw[:100], raw[100:]]  # docker-py streams it in chunks


class Container:
    """The created hub container: `get_archive` as docker-py answers, `put_archive` recorded."""

    def __init__(self, files):
        self.files = files
        self.put = []

    def get_archive(self, path):
        from docker.errors import NotFound

        if path not in self.files:
            raise NotFound(f"Could not find the file {path} in container")
        content = self.files[path]
        name = os.path.basename(path)
        if isinstance(content, tuple):  # ("link", target)
            return tar_of(name, link=content[1]), {}
        return tar_of(name, content), {}

    def put_archive(self, path, data):
        self.put.append((path, data))


def test_install_puts_the_images_bundle_and_the_cas_into_the_container(university):
    ca = pem(university[0])
    container = Container({trust.SYSTEM_BUNDLE: b"IMAGE-CAS\n"})
    trust.install(container, ca)
    [(folder, archive)] = container.put
    assert folder == "/etc/mydocker"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        bundle = tar.extractfile(os.path.basename(trust.BUNDLE_PATH)).read()
    assert bundle == trust.combined_bundle(b"IMAGE-CAS\n", ca)


def test_the_images_bundle_is_followed_through_a_symlink():
    container = Container(
        {
            trust.SYSTEM_BUNDLE: ("link", "../../pki/tls/cert.pem"),
            "/etc/pki/tls/cert.pem": b"IMAGE-CAS\n",
        }
    )
    assert trust.system_bundle(container) == b"IMAGE-CAS\n"


def test_an_image_without_a_bundle_stops_up_in_one_line():
    with pytest.raises(DeployError, match="cannot read the hub image's CA bundle"):
        trust.system_bundle(Container({}))
