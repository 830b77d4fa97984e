"""The HTTP transport against what a real network does to it: a hub that answers garbage (a
captive portal, a proxy error page), 5xx, typed JSON errors, a cut connection, a stalled
server, a certificate it must not trust. The server here is a scripted stand-in for those
intermediaries, on loopback; the real hub is exercised in tests/e2e."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.sync import wire
from app.sync.errors import (
    AuthError,
    CursorExpired,
    InsecureHubAddress,
    NotEnrolled,
    RateLimited,
    RequestRejected,
    TransportError,
    UpgradeRequired,
)
from app.sync.transport import Backoff, HttpTransport, normalize_hub_url

STATUS_OK = {
    "epoch": "e1",
    "server_time": "2026-01-01T00:00:00Z",
    "seq": 3,
    "device_id": "d",
    "mediator_id": "m",
    "hub_name": "Hub",
}


class Scripted(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: deque[dict[str, Any]] = deque()
        self.seen: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Scripted

    _fixed_date: str | None = None

    def log_message(self, *args: Any) -> None:
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        return self._fixed_date or super().date_time_string(timestamp)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        step = self.server.script.popleft()
        if step.get("close"):
            self.close_connection = True
            self.connection.close()
            return
        if step.get("sleep"):
            time.sleep(step["sleep"])
        payload = step.get("body", b"")
        if not isinstance(payload, bytes):
            payload = json.dumps(payload).encode()
        headers = dict(step.get("headers", {}))
        self._fixed_date = headers.pop("Date", None)
        self.send_response(step.get("status", 200))
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve


@pytest.fixture
def server() -> Iterator[Scripted]:
    srv = Scripted()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": {}}}


def test_headers_gzip_epoch_and_date(server: Scripted):
    server.script.append(
        {
            "body": {"epoch": "e1", "results": []},
            "headers": {"X-Carnet-Epoch": "e1", "Date": "Wed, 01 Jan 2031 10:00:00 GMT"},
        }
    )
    server.script.append({"body": STATUS_OK})
    t = HttpTransport(server.url, "jeton-secret")
    big = wire.dumps({"batch_id": "b", "ops": [], "pad": "x" * 5000})
    t.push(big)
    assert t.last_epoch == "e1"
    assert t.last_server_date == dt.datetime(2031, 1, 1, 10, tzinfo=dt.UTC)
    t.status()
    first, second = server.seen
    assert first["headers"]["X-Carnet-Protocol"] == "1"
    assert first["headers"]["User-Agent"].startswith("Carnet/")
    assert first["headers"]["Authorization"] == "Bearer jeton-secret"
    assert first["headers"]["Content-Encoding"] == "gzip"
    assert gzip.decompress(first["body"]) == big
    assert second["body"] == b""
    assert t.requests_made == 2 and t.bytes_sent < len(big)
    assert "jeton-secret" not in repr(t)


@pytest.mark.parametrize(
    "step, error, fragment",
    [
        ({"body": b"<html>Portail Wi-Fi</html>"}, TransportError, "illisible"),
        ({"status": 502, "body": b"<h1>Bad gateway</h1>"}, TransportError, "HTTP 502"),
        (
            {"status": 500, "body": _error("internal_error", "Erreur interne")},
            TransportError,
            "500",
        ),
        ({"status": 404, "body": b"Not found"}, TransportError, "illisible"),
        ({"status": 200, "body": {"epoch": 3}}, TransportError, "type invalide"),
        ({"close": True}, TransportError, "interrompue"),
    ],
)
def test_garbage_and_failures_are_retryable_transport_errors(server, step, error, fragment):
    server.script.append(step)
    t = HttpTransport(server.url, "jeton")
    with pytest.raises(error) as info:
        t.status()
    assert fragment in str(info.value)
    if isinstance(info.value, TransportError):
        assert info.value.retryable and "réessaiera" in info.value.message


def test_wrongly_shaped_answers_are_retryable_transport_errors(server):
    server.script.append({"body": {"epoch": "e", "results": "non"}})
    with pytest.raises(TransportError) as info:
        HttpTransport(server.url, "t").push(b"{}")
    assert "results" in info.value.message and info.value.retryable


@pytest.mark.parametrize(
    "status, code, error",
    [
        (401, "device_revoked", AuthError),
        (401, "token_invalid", AuthError),
        (426, "protocol_unsupported", UpgradeRequired),
        (410, "cursor_expired", CursorExpired),
        (422, "invalid_request", RequestRejected),
        (413, "body_too_large", RequestRejected),
    ],
)
def test_json_errors_become_typed_errors_with_the_hub_message(server, status, code, error):
    server.script.append({"status": status, "body": _error(code, "Message du hub.")})
    with pytest.raises(error) as info:
        HttpTransport(server.url, "t").pull(0, 10)
    assert info.value.code == code and info.value.message == "Message du hub."
    assert not info.value.retryable


def test_rate_limit_carries_retry_after(server):
    server.script.append(
        {
            "status": 429,
            "body": _error("rate_limited", "Patientez."),
            "headers": {"Retry-After": "7"},
        }
    )
    with pytest.raises(RateLimited) as info:
        HttpTransport(server.url).enrol(server.url, wire.EnrolRequest("ABCD", "PC", "0.1"))
    assert info.value.retry_after == 7.0 and info.value.retryable
    assert "Authorization" not in server.seen[0]["headers"]


def test_a_stalled_hub_times_out(server):
    server.script.append({"sleep": 1.5, "body": STATUS_OK})
    t = HttpTransport(server.url, "t", timeout=(1, 0.3))
    with pytest.raises(TransportError) as info:
        t.status()
    assert "dans les temps" in info.value.message


def test_304_catalogue_means_unchanged(server):
    server.script.append({"status": 304})
    server.script.append({"body": {"version": 2, "paths": []}, "headers": {"ETag": '"2-abc"'}})
    t = HttpTransport(server.url, "t")
    assert t.catalogue('"1-xyz"') is None
    assert server.seen[0]["headers"]["If-None-Match"] == '"1-xyz"'
    snapshot = t.catalogue(None)
    assert snapshot is not None and snapshot.etag == '"2-abc"' and snapshot.version == "2"


def test_not_enrolled_without_address_or_token(server):
    with pytest.raises(NotEnrolled):
        HttpTransport().status()
    with pytest.raises(NotEnrolled):
        HttpTransport(server.url).status()
    assert server.seen == []


def test_hub_addresses():
    assert normalize_hub_url(" hub.exemple.fr/ ") == "https://hub.exemple.fr"
    assert normalize_hub_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert normalize_hub_url("http://localhost:8080") == "http://localhost:8080"
    for bad in ("http://hub.exemple.fr", "http://192.0.2.10", "ftp://hub", ""):
        with pytest.raises(InsecureHubAddress) as info:
            normalize_hub_url(bad)
        assert info.value.message


def test_tls_verification_cannot_be_skipped(tmp_path: Path):
    """A hub with a certificate nobody vouches for is refused (and nothing is sent)."""
    with tls_hub(tmp_path) as (srv, url, cert):
        srv.script.append({"body": STATUS_OK})
        with pytest.raises(TransportError) as info:
            HttpTransport(url, "jeton").status()
        assert "certificat" in info.value.message
        assert srv.seen == []
        # The hub's own authority, given explicitly, is trusted.
        assert HttpTransport(url, "jeton", ca_bundle=str(cert)).status().hub_name == "Hub"


def test_the_environment_ca_bundle_is_honoured(tmp_path: Path, monkeypatch):
    """``REQUESTS_CA_BUNDLE`` is read as ``requests`` would (once, by the transport)."""
    with tls_hub(tmp_path) as (srv, url, cert):
        srv.script.append({"body": STATUS_OK})
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        assert HttpTransport(url, "jeton").status().hub_name == "Hub"


@pytest.mark.parametrize("bypass", [False, True])
def test_the_environment_proxy_is_used_unless_bypassed(monkeypatch, bypass):
    """``HTTPS_PROXY`` carries the requests (a CONNECT to the hub), ``NO_PROXY`` skips it."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []

    def proxy() -> None:
        listener.settimeout(5)
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with conn:
                seen.append(conn.recv(4096))  # then closed: the request fails

    thread = threading.Thread(target=proxy, daemon=True)
    thread.start()
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{listener.getsockname()[1]}")
    if bypass:
        monkeypatch.setenv("NO_PROXY", "hub.invalid")
    transport = HttpTransport("https://hub.invalid", "jeton", timeout=(3, 3))
    with pytest.raises(TransportError):
        transport.status()
    listener.close()
    thread.join(5)
    if bypass:
        assert seen == []
    else:
        assert seen and seen[0].startswith(b"CONNECT hub.invalid:443 ")


@contextlib.contextmanager
def tls_hub(folder: Path) -> Iterator[tuple[Scripted, str, Path]]:
    """A scripted hub over TLS with a self-signed certificate: (server, its URL, the cert)."""
    cert, key = _self_signed(folder)
    srv = Scripted()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv, f"https://localhost:{srv.server_address[1]}", cert
    finally:
        srv.shutdown()
        srv.server_close()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "hub.pem", folder / "hub.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_backoff_has_full_jitter_and_a_cap():
    import random

    backoff = Backoff(base=0.5, cap=4.0, rng=random.Random(3))
    delays = [backoff.next_delay() for _ in range(8)]
    ceilings = [min(4.0, 0.5 * 2**n) for n in range(8)]
    assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == 8  # jittered, not a fixed schedule
    backoff.reset()
    assert backoff.next_delay() <= 0.5
