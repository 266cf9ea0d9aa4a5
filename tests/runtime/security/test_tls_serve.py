"""`tangram serve --ssl-certfile … --ssl-keyfile …` serves HTTPS itself: a client that trusts the
certificate gets /api/v1/health, responses carry HSTS, the session cookie is Secure, and plain HTTP on the
port gets no answer. The certificate is made in the test (no network)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from runtime.cli import main

ROOT = Path(__file__).resolve().parents[3]


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _trusting(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = _self_signed(tmp_path)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TANGRAM_DATA_DIR": str(tmp_path / "data"),
           "TANGRAM_DATABASE_URL": "", "TANGRAM_MIRROR": "off", "TANGRAM_ADMIN_PASSWORD": "Tls-serve-Passw0rd-93",
           "TANGRAM_EMBEDDED_WORKER": "false"}
    (tmp_path / "data").mkdir()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "runtime.cli", "serve", "--init", "--host", "127.0.0.1",
                                   "--port", str(port), "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)],
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"https://127.0.0.1:{port}"
    try:
        for _ in range(600):  # wait for start-up (migrations, the CRM template): not a timing assertion
            if server.poll() is not None:
                raise RuntimeError(f"serve exited: {log.read_text(errors='replace')}")
            try:
                httpx.get(f"{base}/api/v1/health", verify=_trusting(cert))
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, cert
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_answers_https_with_hsts_and_secure_cookies_and_no_plain_http(https_server: tuple[str, Path]) -> None:
    base, cert = https_server
    with httpx.Client(base_url=base, verify=_trusting(cert)) as client:
        health = client.get("/api/v1/health")
        assert health.status_code == 200, health.text
        assert health.headers["strict-transport-security"] == "max-age=31536000"
        login = client.post("/login", data={"username": "admin", "password": "Tls-serve-Passw0rd-93", "next": "/"})
        assert login.status_code == 303, login.text
        cookie = login.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie
    with pytest.raises(httpx.TransportError):  # plain HTTP on the TLS port: no HTTP answer
        httpx.get(base.replace("https://", "http://") + "/api/v1/health")
    with pytest.raises(httpx.ConnectError):  # a client that does not trust the certificate
        httpx.get(f"{base}/api/v1/health")


def test_serve_refuses_half_a_tls_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cert, _ = _self_signed(tmp_path)
    assert main(["serve", "--db", f"sqlite:///{tmp_path}/t.db", "--ssl-certfile", str(cert)]) == 1
    assert "both --ssl-certfile and --ssl-keyfile" in capsys.readouterr().err
    assert main(["serve", "--db", f"sqlite:///{tmp_path}/t.db", "--ssl-certfile", str(cert),
                 "--ssl-keyfile", str(tmp_path / "missing.pem")]) == 1
    assert "missing.pem: no such file" in capsys.readouterr().err
