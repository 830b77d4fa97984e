"""Cursor expiry, reconcile, status, catalogue by ETag, schema upgrades, desktop payloads."""

from __future__ import annotations

import datetime as dt

from app.models.ids import new_id
from hub import catalogue
from hub.pull import purge_tombstones
from tests.hub.helpers import enrol, op, outbox_ops, pull_all, push, session_payload


def test_cursor_older_than_purged_tombstones_gets_410(client, device, hub_db):
    payloads = [session_payload() for _ in range(5)]
    push(client, device, [op(p) for p in payloads])
    _, cursor_before = pull_all(client, device)
    assert cursor_before == 5
    old_cursor = 2
    deleted = dict(payloads[0], deleted_at="2025-04-01T00:00:00Z")
    push(client, device, [op(deleted, base_version=1, kind="delete")])
    # Nothing old enough yet: nothing purged, every cursor still works.
    with hub_db.write() as s:
        assert purge_tombstones(s, older_than_days=30) == 0
    with hub_db.write() as s:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
        assert purge_tombstones(s, older_than_days=30, now=later) == 1
    r = client.get("/api/v1/sync/pull", params={"since": old_cursor}, headers=device.auth)
    assert r.status_code == 410
    err = r.json()["error"]
    assert err["code"] == "cursor_expired"
    assert err["details"] == {"since": old_cursor, "horizon": 6}
    assert "tout recharger" in err["message"]
    # Starting again from zero works, and the purged row is simply absent.
    changes, cursor = pull_all(client, device, since=0)
    assert sorted(c["entity_id"] for c in changes) == sorted(p["id"] for p in payloads[1:])
    assert cursor == 6
    ok = client.get("/api/v1/sync/pull", params={"since": 6}, headers=device.auth)
    assert ok.status_code == 200 and ok.json()["changes"] == []


def test_reconcile_reports_missing_and_stale(client, device, hub_db):
    kept = session_payload()
    push(client, device, [op(kept)])
    push(client, device, [op(dict(kept, notes="v2"), base_version=1)])
    lost = new_id()
    items = [
        {"entity": "accompagnement", "entity_id": kept["id"], "version": 2},
        {"entity": "accompagnement", "entity_id": lost, "version": 1},
        {"entity": "venue", "entity_id": new_id(), "version": 3},
    ]
    r = client.post("/api/v1/sync/reconcile", json={"items": items}, headers=device.auth)
    assert r.status_code == 200
    assert sorted(r.json()["missing"]) == sorted([lost, items[2]["entity_id"]])
    assert r.json()["stale"] == []
    items[0]["version"] = 5
    r = client.post("/api/v1/sync/reconcile", json={"items": items}, headers=device.auth)
    assert r.json()["stale"] == [kept["id"]]
    # A device ahead of the hub (restored from an older backup) wins as sent.
    res = push(client, device, [op(dict(kept, notes="v5"), base_version=5)]).json()["results"][0]
    assert (res["status"], res["version"]) == ("applied", 6)


def test_status_is_cheap_and_tells_the_counter(client, device):
    r = client.get("/api/v1/sync/status", headers=device.auth)
    data = r.json()
    assert data["seq"] == 0 and data["device_id"] == device.device_id
    assert data["hub_name"] == "Hub de test" and data["protocol"] == 1
    server = dt.datetime.fromisoformat(data["server_time"].replace("Z", "+00:00"))
    assert abs((server - dt.datetime.now(dt.UTC)).total_seconds()) < 5
    push(client, device, [op(session_payload()), op(session_payload())])
    assert client.get("/api/v1/sync/status", headers=device.auth).json()["seq"] == 2


def test_catalogue_by_etag(client, device, hub_db):
    r = client.get("/api/v1/catalogue", headers=device.auth)
    assert r.status_code == 200
    body = r.json()
    assert body == {"version": 0, "referentiels_version": body["referentiels_version"], "paths": []}
    etag = r.headers["etag"]
    again = client.get("/api/v1/catalogue", headers={**device.auth, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["x-carnet-epoch"]
    with hub_db.write() as s:
        published = catalogue.publish(s, {"paths": [{"id": "p1", "title": "Débuter"}]})
    with hub_db.write() as s:  # publishing the same content again changes nothing
        assert catalogue.publish(s, {"paths": [{"id": "p1", "title": "Débuter"}]}) == published
    r = client.get("/api/v1/catalogue", headers={**device.auth, "If-None-Match": etag})
    assert r.status_code == 200
    assert r.json()["version"] == 1 and r.json()["paths"][0]["title"] == "Débuter"
    assert r.headers["etag"] != etag


def test_every_pull_announces_the_latest_catalogue_etag(client, device, hub_db):
    """The pull reads the catalogue's head with the device's authentication: its ETag is
    GET /catalogue's, before any snapshot and after each publication."""

    def announced() -> tuple[str, str]:
        pulled = client.get("/api/v1/sync/pull", headers=device.auth).json()["catalogue"]
        return pulled, client.get("/api/v1/catalogue", headers=device.auth).headers["etag"]

    seen = []
    for title in (None, "Débuter", "Aller plus loin"):
        if title is not None:
            with hub_db.write() as s:
                catalogue.publish(s, {"paths": [{"id": "p1", "title": title}]})
        pulled, served = announced()
        assert pulled == served
        seen.append(pulled)
    assert len(set(seen)) == 3


def test_old_schema_payloads_are_upgraded(client, device):
    legacy = session_payload(
        kind="demarche", themes=["papiers_elections_citoyennete"], materiels=["telephone"]
    )
    res = push(client, device, [op(legacy, schema_version=0)]).json()["results"][0]
    assert res["status"] == "applied", res
    (change,) = pull_all(client, device)[0]
    assert change["payload"]["kind"] == "individuel"
    assert change["payload"]["themes"] == (
        "|aide_aux_demarches_administratives|papiers_elections_citoyennete|"
    )
    assert change["payload"]["materiels"] == "|telephone|"


def test_payloads_from_the_real_desktop_outbox_apply_and_round_trip(client, device, notebook):
    """What the desktop queues (services + outbox) is what the hub accepts and sends back."""
    from app.services.sessions import SessionInput

    venue_id = notebook.venues.add("Centre social", "59350", "Lille", "59000")
    notebook.sessions.record(
        SessionInput(
            kind="individuel",
            place_type="lieu_activite",
            venue_id=venue_id,
            themes=["email"],
            followup_code=notebook.beneficiaries.new_code(),
            autonomy="autonome",
            genre="masculin",
        )
    )
    notebook.sessions.record(
        SessionInput(
            kind="collectif",
            place_type="lieu_activite",
            venue_id=venue_id,
            themes=["securite_numerique"],
            workshop_title="Mots de passe",
            participants=8,
            participants_returning=3,
            counters={"genre": {"feminin": 5, "masculin": 3}},
        )
    )
    ops = outbox_ops(notebook)
    assert {o["entity"] for o in ops} == {"venue", "beneficiary", "accompagnement"}
    results = push(client, device, ops).json()["results"]
    assert [r["status"] for r in results] == ["applied"] * len(ops), results
    changes, _ = pull_all(client, device)
    by_id = {c["entity_id"]: c["payload"] for c in changes}
    for o in ops:
        sent = dict(o["payload"])
        got = by_id[o["entity_id"]]
        assert got == sent
    other = enrol(client, notebook_hub_db(client), device.mediator_id, "Autre")
    assert len(pull_all(client, other)[0]) == len(ops)


def notebook_hub_db(client):
    return client.app.state.hub.db
