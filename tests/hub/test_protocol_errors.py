"""Malformed, oversized and unauthorised requests get the right 4xx in JSON, and store nothing."""

from __future__ import annotations

import gzip
import json

from sqlalchemy import func, select

from app.models.ids import new_id
from hub.models import RECORD_TABLES, AppliedOp, Device
from hub.org import revoke_device
from tests.hub.helpers import PROTOCOL, enrol, new_mediator, op, push, session_payload


def _error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()["error"]
    assert body["code"] == code
    assert body["message"] and isinstance(body["details"], dict)
    assert r.headers["x-carnet-epoch"]
    return body


def _stored(hub_db) -> int:
    with hub_db.session() as s:
        return s.scalar(select(func.count()).select_from(AppliedOp)) + s.scalar(
            select(func.count()).select_from(RECORD_TABLES["accompagnement"])
        )


def _batch(ops) -> bytes:
    return json.dumps({"batch_id": new_id(), "ops": ops}).encode()


def test_wrong_or_missing_protocol_gets_426(client, device, hub_db):
    body = _batch([op(session_payload())])
    headers = {**device.auth, "Content-Type": "application/json"}
    for value in ("2", "abc", "0"):
        r = client.post(
            "/api/v1/sync/push", content=body, headers={**headers, "X-Carnet-Protocol": value}
        )
        err = _error(r, 426, "protocol_unsupported")
        assert "Mettez Carnet à jour" in err["message"]
        assert err["details"]["supported"] == [1]
    from fastapi.testclient import TestClient

    with TestClient(client.app) as bare:  # no protocol header at all
        _error(bare.get("/api/v1/sync/status", headers=device.auth), 426, "protocol_unsupported")
        _error(bare.post("/api/v1/enrol", json={"code": "x"}), 426, "protocol_unsupported")
    assert _stored(hub_db) == 0


def test_oversized_bodies_get_413(client, device, hub_db):
    big = b"{" + b" " * (1024 * 1024 + 10) + b"}"
    _error(
        client.post(
            "/api/v1/sync/push",
            content=big,
            headers={**device.auth, "Content-Type": "application/json"},
        ),
        413,
        "body_too_large",
    )
    # A gzip bomb: small on the wire, over 8 MiB once decompressed.
    bomb = gzip.compress(b'{"ops": [' + b" " * (9 * 1024 * 1024) + b"]}")
    assert len(bomb) < 1024 * 1024
    _error(
        client.post(
            "/api/v1/sync/push",
            content=bomb,
            headers={**device.auth, "Content-Type": "application/json", "Content-Encoding": "gzip"},
        ),
        413,
        "body_too_large",
    )
    too_many = [op(session_payload()) for _ in range(1001)]
    _error(push(client, device, too_many), 413, "batch_too_large")
    assert _stored(hub_db) == 0


def test_bad_gzip_truncated_body_and_bad_json_get_400(client, device, hub_db):
    headers = {**device.auth, "Content-Type": "application/json", "Content-Encoding": "gzip"}
    good = gzip.compress(_batch([op(session_payload())]))
    for broken in (b"pas du gzip", good[: len(good) // 2], good[:-6]):
        _error(client.post("/api/v1/sync/push", content=broken, headers=headers), 400, "bad_body")
    _error(
        client.post(
            "/api/v1/sync/push",
            content=b'{"ops": [',
            headers={**device.auth, "Content-Type": "application/json"},
        ),
        400,
        "bad_body",
    )
    _error(
        client.post(
            "/api/v1/sync/push",
            content=good,
            headers={**device.auth, "Content-Type": "application/json", "Content-Encoding": "br"},
        ),
        400,
        "bad_body",
    )
    # Not JSON by its standard, though Python's json module would read them: NaN, a lone
    # surrogate in a note, a body in UTF-16.
    payload = session_payload()
    nan = _batch([op({**payload, "duration_min": 30})]).replace(
        b'"duration_min": 30', b'"duration_min": NaN'
    )
    surrogate = _batch([op({**payload, "notes": "x"})]).replace(
        b'"notes": "x"', b'"notes": "\\ud800"'
    )
    utf16 = _batch([op(payload)]).decode().encode("utf-16")
    assert b"NaN" in nan and b"\\ud800" in surrogate
    plain = {**device.auth, "Content-Type": "application/json"}
    for body in (nan, surrogate, utf16):
        assert json.loads(body)  # what a lenient parser would have taken
        _error(client.post("/api/v1/sync/push", content=body, headers=plain), 400, "bad_body")
    assert _stored(hub_db) == 0


def test_gzip_request_is_accepted_and_big_answers_are_gzipped(client, device, hub_db):
    ops = [op(session_payload()) for _ in range(20)]
    r = client.post(
        "/api/v1/sync/push",
        content=gzip.compress(_batch(ops)),
        headers={
            **device.auth,
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Accept-Encoding": "gzip",
        },
    )
    assert r.status_code == 200, r.text
    assert r.headers.get("content-encoding") == "gzip"
    assert {x["status"] for x in r.json()["results"]} == {"applied"}


def test_unknown_fields_in_the_envelope_get_422_and_nothing_is_stored(client, device, hub_db):
    bad_op = dict(op(session_payload()), surprise=1)
    err = _error(push(client, device, [op(session_payload()), bad_op]), 422, "invalid_request")
    assert any("surprise" in e["loc"] for e in err["details"]["errors"])
    r = client.post("/api/v1/sync/push", json={"ops": [], "extra": True}, headers=device.auth)
    _error(r, 422, "invalid_request")
    r = client.post("/api/v1/sync/push", json={"ops": [{"op_id": new_id()}]}, headers=device.auth)
    _error(r, 422, "invalid_request")
    r = client.get("/api/v1/sync/pull", params={"since": -1}, headers=device.auth)
    _error(r, 422, "invalid_request")
    assert _stored(hub_db) == 0


def test_unknown_payload_fields_and_codes_are_rejected_per_op(client, device, hub_db):
    ops = [
        op(session_payload(couleur="bleu")),
        op(session_payload(genre="inconnu")),
        op(session_payload(duration_min="trente")),
        op(session_payload(kind=None)),
        op(session_payload(date="14/03/2025")),
        op(session_payload(commune_insee="ABCDE")),
        op(session_payload(), entity="session_secrete"),
        op(session_payload(), kind="purge"),
        op(session_payload(), schema_version=9),
        op(session_payload(materiels="|ordinateur|grille-pain|")),
        op(session_payload(notes="x" * 10)),
    ]
    results = push(client, device, ops).json()["results"]
    assert [(r["status"], r.get("code")) for r in results] == [
        ("rejected", "unknown_field"),
        ("rejected", "unknown_code"),
        ("rejected", "invalid_value"),
        ("rejected", "missing_field"),
        ("rejected", "invalid_value"),
        ("rejected", "invalid_value"),
        ("rejected", "unknown_entity"),
        ("rejected", "unknown_op"),
        ("rejected", "schema_too_new"),
        ("rejected", "unknown_code"),
        ("applied", None),
    ]
    assert "couleur" in results[0]["reason"]
    assert "genre" in results[1]["reason"]
    assert "grille-pain" in results[9]["reason"]
    with hub_db.session() as s:
        assert s.scalar(select(func.count()).select_from(RECORD_TABLES["accompagnement"])) == 1


def test_an_op_the_database_refuses_is_rejected_alone(client, device, hub_db):
    """Past validation the database has the last word: when it refuses one op of a bulk batch,
    the batch is replayed op by op in savepoints; only that op is rejected."""
    import datetime as dt

    from sqlalchemy import insert

    # A stray row holding seq 2 of this mediator makes the second op's insert fail.
    with hub_db.write() as s:
        s.execute(
            insert(RECORD_TABLES["accompagnement"]).values(
                id=new_id(),
                mediator_id=device.mediator_id,
                seq=2,
                version=1,
                deleted=False,
                received_at=dt.datetime.now(dt.UTC),
                kind="individuel",
                date=dt.date(2025, 1, 1),
                duration_min=10,
                place_type="a_distance",
            )
        )
    ops = [op(session_payload()) for _ in range(3)]
    results = push(client, device, ops).json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["code"] == "invalid_record"
    again = push(client, device, ops).json()["results"]
    assert [r["status"] for r in again] == ["duplicate", "rejected", "duplicate"]
    with hub_db.session() as s:
        assert s.scalar(select(func.count()).select_from(RECORD_TABLES["accompagnement"])) == 3


def test_nul_characters_are_refused_the_same_on_both_databases(client, device, hub_db):
    results = push(client, device, [op(session_payload(notes="a\x00b"))]).json()["results"]
    assert results[0]["status"] == "rejected" and results[0]["code"] == "invalid_value"


def test_unknown_and_revoked_tokens_get_401(client, device, hub_db):
    ops = [op(session_payload())]
    _error(client.get("/api/v1/sync/status"), 401, "token_invalid")
    r = client.get("/api/v1/sync/status", headers={"Authorization": "Bearer faux"})
    err = _error(r, 401, "token_invalid")
    assert r.headers["www-authenticate"] == "Bearer"
    assert "inscrivez-le" in err["message"]
    with hub_db.write() as s:
        revoke_device(s, device.device_id)
    for r in (
        client.get("/api/v1/sync/status", headers=device.auth),
        push(client, device, ops),
        client.get("/api/v1/sync/pull", headers=device.auth),
        client.get("/api/v1/catalogue", headers=device.auth),
    ):
        _error(r, 401, "device_revoked")
    assert _stored(hub_db) == 0


def test_unknown_path_and_method_are_json(client, device):
    _error(client.get("/api/v1/nulle-part", headers=device.auth), 404, "not_found")
    _error(client.get("/api/v1/sync/push", headers=device.auth), 405, "method_not_allowed")
    _error(client.get("/ailleurs"), 404, "not_found")


def test_enrolment_is_one_time_expires_and_is_rate_limited(client, hub_db, app):
    import datetime as dt

    from hub.org import issue_enrolment_code

    mediator = new_mediator(hub_db)
    with hub_db.write() as s:
        code, _ = issue_enrolment_code(s, mediator, 3600)
        old, _ = issue_enrolment_code(
            s, mediator, 60, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        )
    r = client.post(
        "/api/v1/enrol",
        json={
            "code": code.lower().replace("-", " "),
            "device_name": "Tablette",
            "app_version": "0.1.0",
        },
    )
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["mediator_id"] == mediator and data["hub_name"] == "Hub de test"
    assert data["epoch"] == r.headers["x-carnet-epoch"]
    with hub_db.session() as s:
        stored = s.get(Device, data["device_id"])
        assert stored is not None and data["token"] not in stored.token_hash
        assert len(stored.token_hash) == 64
    _error(
        client.post("/api/v1/enrol", json={"code": code, "device_name": "Autre"}),
        400,
        "enrolment_code_invalid",
    )
    _error(
        client.post("/api/v1/enrol", json={"code": old, "device_name": "Autre"}),
        400,
        "enrolment_code_invalid",
    )
    # 10 attempts a minute per address by default: 3 done, 7 more pass, the 11th is refused.
    for _ in range(7):
        _error(
            client.post("/api/v1/enrol", json={"code": "AAAA-AAAA", "device_name": "x"}),
            400,
            "enrolment_code_invalid",
        )
    r = client.post("/api/v1/enrol", json={"code": "AAAA-AAAA", "device_name": "x"})
    err = _error(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) >= 1
    assert "réessayez" in err["message"]


def test_every_response_carries_the_epoch(client, device):
    for r in (
        client.get("/api/v1/sync/status", headers=device.auth),
        client.get("/openapi.json"),
        client.get("/docs"),
    ):
        assert r.status_code == 200
        assert len(r.headers["x-carnet-epoch"]) == 36


def test_openapi_documents_the_sync_api(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/enrol",
        "/api/v1/sync/push",
        "/api/v1/sync/pull",
        "/api/v1/sync/reconcile",
        "/api/v1/sync/status",
        "/api/v1/catalogue",
    ):
        assert path in paths
    params = {p["name"] for p in paths["/api/v1/sync/pull"]["get"]["parameters"]}
    assert {"since", "limit", "X-Carnet-Protocol"} <= params


def test_second_mediator_cannot_read_with_first_mediators_code(client, hub_db):
    a = enrol(client, hub_db, new_mediator(hub_db, "A"))
    b = enrol(client, hub_db, new_mediator(hub_db, "B"))
    push(client, a, [op(session_payload())])
    r = client.get("/api/v1/sync/pull", headers=b.auth)
    assert r.json()["changes"] == []
    assert PROTOCOL["X-Carnet-Protocol"] == "1"


def test_an_unexpected_failure_is_a_json_500_and_stores_nothing(
    client, device, hub_db, monkeypatch
):
    """Fault injection: the database disappears under a request (a failing planner)."""
    import hub.push

    def broken(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(hub.push.BatchPlanner, "plan", broken)
    err = _error(push(client, device, [op(session_payload())]), 500, "internal_error")
    assert "Rien n'a été enregistré" in err["message"]
    assert "panne" not in err["message"]  # no internals leak to devices
    assert _stored(hub_db) == 0
