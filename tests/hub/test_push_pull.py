"""Push and pull against the real hub app, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.models.ids import new_id
from hub.models import RECORD_TABLES, AppliedOp, Conflict
from tests.hub.helpers import enrol, op, pull_all, push, session_payload

ACC = RECORD_TABLES["accompagnement"]


def _count(hub_db, table=ACC) -> int:
    with hub_db.session() as s:
        return s.scalar(select(func.count()).select_from(table))


def test_push_applies_then_a_retry_is_duplicate(client, device, hub_db):
    ops = [op(session_payload()) for _ in range(3)]
    r = push(client, device, ops)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["epoch"] == r.headers["x-carnet-epoch"]
    assert [x["status"] for x in body["results"]] == ["applied"] * 3
    assert [x["op_id"] for x in body["results"]] == [o["op_id"] for o in ops]
    assert all(x["version"] == 1 for x in body["results"])
    again = push(client, device, ops).json()
    assert [x["status"] for x in again["results"]] == ["duplicate"] * 3
    assert [x["version"] for x in again["results"]] == [1, 1, 1]
    assert _count(hub_db) == 3
    with hub_db.session() as s:
        assert s.scalar(select(func.count()).select_from(AppliedOp)) == 3


def test_same_batch_sent_concurrently_is_applied_once(client, device, hub_db):
    ops = [op(session_payload()) for _ in range(50)]
    answers: list = []
    barrier = threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        answers.append(push(client, device, ops))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [200, 200]
    statuses = sorted(tuple(sorted({x["status"] for x in a.json()["results"]})) for a in answers)
    assert statuses == [("applied",), ("duplicate",)]
    assert _count(hub_db) == 50
    changes, _ = pull_all(client, device)
    assert len(changes) == 50


def test_one_invalid_op_does_not_sink_the_batch(client, device, hub_db):
    good = [op(session_payload()) for _ in range(4)]
    bad = op(session_payload(themes="|email|theme_inexistant|"))
    ops = good[:2] + [bad] + good[2:]
    results = push(client, device, ops).json()["results"]
    assert [x["status"] for x in results] == [
        "applied",
        "applied",
        "rejected",
        "applied",
        "applied",
    ]
    assert results[2]["code"] == "unknown_code"
    assert "theme_inexistant" in results[2]["reason"]
    assert "Code national inconnu" in results[2]["reason"]
    assert _count(hub_db) == 4
    # The rejection is stored: a retry answers the same.
    again = push(client, device, [bad]).json()["results"][0]
    assert again["status"] == "rejected" and again["code"] == "unknown_code"


def test_pull_pages_in_commit_order_with_tombstones(client, device):
    payloads = [session_payload() for _ in range(25)]
    push(client, device, [op(p) for p in payloads])
    victim = dict(payloads[3], deleted_at="2025-03-15T10:00:00Z", version=2)
    r = push(client, device, [op(victim, base_version=1, kind="delete")]).json()
    assert r["results"][0]["status"] == "applied"
    assert r["results"][0]["version"] == 2
    seen: list = []
    since = 0
    pages = 0
    while True:
        data = client.get(
            "/api/v1/sync/pull", params={"since": since, "limit": 10}, headers=device.auth
        ).json()
        pages += 1
        seen.extend(data["changes"])
        assert data["next"] >= since
        since = data["next"]
        if not data["more"]:
            break
    assert pages == 3
    assert len(seen) == 25
    seqs = [c["seq"] for c in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == 25
    tomb = [c for c in seen if c["deleted"]]
    assert [c["entity_id"] for c in tomb] == [victim["id"]]
    assert tomb[0]["payload"]["deleted_at"] == "2025-03-15T10:00:00Z"
    assert tomb[0]["seq"] == max(seqs)  # the deletion is the newest change
    # Nothing new: an empty page, same cursor.
    data = client.get("/api/v1/sync/pull", params={"since": since}, headers=device.auth).json()
    # An empty page says nothing changed, and announces the catalogue's ETag (a device that
    # holds it skips GET /catalogue).
    assert data == {
        "epoch": data["epoch"],
        "changes": [],
        "next": since,
        "more": False,
        "catalogue": data["catalogue"],
    }
    assert data["catalogue"].startswith('"') and data["catalogue"].endswith('"')


def test_pull_returns_payload_as_pushed(client, device):
    payload = session_payload(notes="Rappeler pour la carte Vitale", tags="|Pass numérique|")
    push(client, device, [op(payload)])
    changes, _ = pull_all(client, device)
    (change,) = changes
    expected = dict(payload)
    assert change["payload"] == expected
    assert change["version"] == 1 and change["entity"] == "accompagnement"


def test_devices_of_one_mediator_see_each_other_and_no_one_else(client, device, hub_db):
    laptop = enrol(client, hub_db, device.mediator_id, "Deuxième portable")
    from tests.hub.helpers import new_mediator

    stranger = enrol(client, hub_db, new_mediator(hub_db, "Sam Durand"))
    payload = session_payload()
    push(client, device, [op(payload)])
    changes, _ = pull_all(client, laptop)
    assert [c["entity_id"] for c in changes] == [payload["id"]]
    assert pull_all(client, stranger)[0] == []


def test_another_mediators_ids_are_rejected(client, device, hub_db):
    from tests.hub.helpers import new_mediator

    stranger = enrol(client, hub_db, new_mediator(hub_db, "Sam Durand"))
    theirs = session_payload()
    push(client, stranger, [op(theirs)])
    venue = {
        "id": new_id(),
        "name": "Médiathèque",
        "commune_insee": "59350",
        "commune_name": "Lille",
        "postal_code": "59000",
        "itinerant": False,
        "created_at": None,
        "updated_at": None,
        "deleted_at": None,
        "version": 1,
    }
    push(client, stranger, [op(venue, entity="venue")])
    overwrite = op(dict(theirs, notes="pris"), base_version=1)
    using_venue = op(session_payload(place_type="lieu_activite", venue_id=venue["id"]))
    results = push(client, device, [overwrite, using_venue]).json()["results"]
    assert [x["status"] for x in results] == ["rejected", "rejected"]
    assert {x["code"] for x in results} == {"forbidden_record"}
    assert "autre médiateur" in results[0]["reason"]
    changes, _ = pull_all(client, stranger)
    assert [c["payload"]["notes"] for c in changes if c["entity"] == "accompagnement"] == [""]


def test_an_op_id_another_mediator_used_is_refused_not_answered_as_theirs(client, device, hub_db):
    """A notebook copied to another computer and enrolled for another mediator sends op ids
    the first one already used: the hub must not answer with the first op's result (the
    second device would think its record saved)."""
    from tests.hub.helpers import new_mediator

    stranger = enrol(client, hub_db, new_mediator(hub_db, "Sam Durand"))
    first = op(session_payload())
    assert push(client, stranger, [first]).json()["results"][0]["status"] == "applied"
    copied = dict(op(session_payload(notes="copie")), op_id=first["op_id"])
    mine = op(session_payload())
    results = push(client, device, [copied, mine]).json()["results"]
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert results[0]["code"] == "op_id_taken"
    assert "autre médiateur" in results[0]["reason"]
    again = push(client, device, [copied]).json()["results"]
    assert again[0]["code"] == "op_id_taken"  # answered the same on a retry
    changes, _ = pull_all(client, device)
    assert [c["entity_id"] for c in changes] == [mine["entity_id"]]
    assert push(client, stranger, [first]).json()["results"][0]["status"] == "duplicate"


def test_disjoint_edits_merge_and_overlapping_ones_conflict(client, device, hub_db):
    laptop = enrol(client, hub_db, device.mediator_id, "Deuxième portable")
    payload = session_payload()
    push(client, device, [op(payload)])
    # Both devices start from version 1. The laptop changes the duration first.
    r = push(client, laptop, [op(dict(payload, duration_min=45, version=2), base_version=1)])
    assert r.json()["results"][0] == {
        "op_id": r.json()["results"][0]["op_id"],
        "status": "applied",
        "version": 2,
    }
    # The first device changed the notes: a different field, so it merges.
    r = push(client, device, [op(dict(payload, notes="Très à l'aise", version=2), base_version=1)])
    assert r.json()["results"][0]["status"] == "applied"
    assert r.json()["results"][0]["version"] == 3
    changes, _ = pull_all(client, laptop)
    merged = changes[0]["payload"]
    assert (merged["duration_min"], merged["notes"], merged["version"]) == (45, "Très à l'aise", 3)
    # Now both change the duration from version 3: the second one conflicts.
    push(client, laptop, [op(dict(merged, duration_min=60), base_version=3)])
    r = push(client, device, [op(dict(merged, duration_min=90), base_version=3)]).json()
    result = r["results"][0]
    assert result["status"] == "conflict"
    assert result["fields"] == ["duration_min"]
    assert result["hub_payload"]["duration_min"] == 60
    assert "durée" in result["reason"]
    with hub_db.session() as s:
        conflict = s.scalars(select(Conflict)).one()
    assert conflict.hub_values == '{"duration_min": 60}'
    assert conflict.device_values == '{"duration_min": 90}'
    assert conflict.resolved_at is None


def test_a_chain_of_offline_edits_keeps_the_other_devices_change(client, device, hub_db):
    """Two queued edits from one device, merged over another device's change: the second edit's
    base is the device's own first edit, so the other device's change survives."""
    laptop = enrol(client, hub_db, device.mediator_id, "Deuxième portable")
    payload = session_payload()
    push(client, device, [op(payload)])
    push(client, laptop, [op(dict(payload, statut="en_emploi", version=2), base_version=1)])
    first = dict(payload, notes="un", version=2)
    second = dict(first, duration_min=50, version=3)
    results = push(client, device, [op(first, base_version=1), op(second, base_version=2)]).json()
    assert [x["status"] for x in results["results"]] == ["applied", "applied"]
    row = pull_all(client, laptop)[0][0]["payload"]
    assert (row["statut"], row["notes"], row["duration_min"]) == ("en_emploi", "un", 50)


def test_delete_beats_a_later_edit(client, device, hub_db):
    laptop = enrol(client, hub_db, device.mediator_id, "Deuxième portable")
    payload = session_payload()
    push(client, device, [op(payload)])
    gone_payload = dict(payload, deleted_at="2025-03-20T08:00:00Z", version=2)
    assert (
        push(client, device, [op(gone_payload, base_version=1, kind="delete")]).json()["results"][
            0
        ]["status"]
        == "applied"
    )
    r = push(client, laptop, [op(dict(payload, notes="modifié"), base_version=1)]).json()
    result = r["results"][0]
    assert result["status"] == "gone"
    assert result["hub_payload"]["deleted_at"] == "2025-03-20T08:00:00Z"
    assert "supprimé" in result["reason"]
    (change,) = pull_all(client, laptop)[0]
    assert change["deleted"] is True and change["payload"]["notes"] == ""


def test_conflicts_are_settled_by_a_later_choice(client, device, hub_db):
    """Open conflicts count in the operator's health view until the mediator chooses: a push
    based on the hub's version settles them, and so does the explicit resolve call."""
    laptop = enrol(client, hub_db, device.mediator_id, "Deuxième portable")

    def open_conflicts() -> int:
        with hub_db.session() as s:
            return s.scalar(
                select(func.count()).select_from(Conflict).where(Conflict.resolved_at.is_(None))
            )

    first, second = session_payload(), session_payload()
    push(client, device, [op(first), op(second)])
    push(
        client,
        laptop,
        [
            op(dict(first, duration_min=60), base_version=1),
            op(dict(second, duration_min=60), base_version=1),
        ],
    )
    results = push(
        client,
        device,
        [
            op(dict(first, duration_min=90), base_version=1),
            op(dict(second, duration_min=90), base_version=1),
        ],
    )
    conflicts = results.json()["results"]
    assert [r["status"] for r in conflicts] == ["conflict", "conflict"]
    assert open_conflicts() == 2
    # Keep the device's value for the first: a new op based on the hub's version.
    keep_mine = op(dict(first, duration_min=90), base_version=conflicts[0]["version"])
    assert push(client, device, [keep_mine]).json()["results"][0]["status"] == "applied"
    assert open_conflicts() == 1
    # Keep the hub's value for the second: nothing to push, the device says so.
    r = client.post(
        "/api/v1/sync/conflicts/resolve",
        json={"op_ids": [conflicts[1]["op_id"], new_id()]},
        headers=device.auth,
    )
    assert r.status_code == 200 and r.json()["resolved"] == 1
    assert open_conflicts() == 0
    # Another mediator cannot settle this mediator's conflicts.
    from tests.hub.helpers import new_mediator

    stranger = enrol(client, hub_db, new_mediator(hub_db, "Sam"))
    r = client.post(
        "/api/v1/sync/conflicts/resolve",
        json={"op_ids": [conflicts[0]["op_id"]]},
        headers=stranger.auth,
    )
    assert r.json()["resolved"] == 0


def test_a_device_does_not_pull_back_what_it_pushed_as_the_hub_holds_it(client, device, hub_db):
    """``own=skip`` leaves out the records whose current version is exactly this device's push;
    what the hub changed or normalised, and other devices' records, still come down; ``all``
    (a full re-pull) sends everything."""
    other = enrol(client, hub_db, device.mediator_id, "Autre portable")
    mine = session_payload()
    normalised = session_payload(themes=None)  # stored as "" by the hub: the device must see it
    edited = session_payload()
    ops = [op(mine), op(normalised), op(edited)]
    assert [x["status"] for x in push(client, device, ops).json()["results"]] == ["applied"] * 3
    theirs = session_payload()
    assert push(client, other, [op(theirs)]).json()["results"][0]["status"] == "applied"
    # The other device edits one of ours: its new version is not this device's.
    changed = {**edited, "notes": "complété depuis l'autre portable", "version": 2}
    assert push(client, other, [op(changed, base_version=1)]).json()["results"][0]["version"] == 2

    changes, cursor = pull_all(client, device, own="skip")
    got = {c["entity_id"]: c for c in changes}
    assert set(got) == {normalised["id"], theirs["id"], edited["id"]}
    assert got[normalised["id"]]["payload"]["themes"] == ""
    assert got[edited["id"]]["payload"]["notes"] == "complété depuis l'autre portable"
    everything, cursor_all = pull_all(client, device, own="all")
    assert {c["entity_id"] for c in everything} == {
        mine["id"],
        normalised["id"],
        edited["id"],
        theirs["id"],
    }
    assert cursor == cursor_all  # the cursor passes over the records left out
    assert {c["entity_id"] for c in pull_all(client, device)[0]} == set(got) | {mine["id"]}
    # A merge on the hub is not the device's push: it comes down.
    both = {**mine, "notes": "note de ce portable", "version": 2}
    assert (
        push(client, other, [op({**mine, "genre": "masculin", "version": 2}, 1)]).status_code == 200
    )
    merged = push(client, device, [op(both, base_version=1)]).json()["results"][0]
    assert merged["status"] == "applied" and merged["hub_payload"]["genre"] == "masculin"
    later, _ = pull_all(client, device, since=cursor, own="skip")
    assert mine["id"] in {c["entity_id"] for c in later}


def test_small_pages_across_entities_come_in_seq_order_each_record_once(client, device, hub_db):
    """Records of several entities pushed interleaved: whatever the page size, pages hold
    ``limit`` changes (the last fewer), in the hub's seq order, each record once; with
    own=skip, the same without the records this device pushed."""
    from app.services.followup_codes import new_code
    from tests.hub.helpers import beneficiary_payload

    other = enrol(client, hub_db, device.mediator_id, "Autre portable")
    pushed: dict[str, str] = {}  # entity id → device that pushed it
    for round_no in range(4):
        for dev, name in ((device, "device"), (other, "other")):
            person = beneficiary_payload(new_id(), new_code())
            session = session_payload(beneficiary_id=person["id"], notes=f"tour {round_no}")
            ops = [op(person, entity="beneficiary"), op(session)]
            assert {r["status"] for r in push(client, dev, ops).json()["results"]} == {"applied"}
            pushed.update({person["id"]: name, session["id"]: name})
    everything, end = pull_all(client, device, own="all", limit=1000)
    assert len(everything) == len(pushed) == 16
    assert [c["seq"] for c in everything] == sorted(c["seq"] for c in everything)
    for own, expected in (
        ("all", everything),
        ("skip", [c for c in everything if pushed[c["entity_id"]] == "other"]),
    ):
        for limit in (1, 2, 3, 5):
            pages, since = [], 0
            while True:
                r = client.get(
                    "/api/v1/sync/pull",
                    params={"since": since, "limit": limit, "own": own},
                    headers=device.auth,
                )
                data = r.json()
                pages.append(data["changes"])
                since = data["next"]
                if not data["more"]:
                    break
            got = [c for page in pages for c in page]
            assert [c["entity_id"] for c in got] == [c["entity_id"] for c in expected], (own, limit)
            assert all(len(page) == limit for page in pages[:-1]), (own, limit)
            assert since == end


def test_a_push_says_its_counter_range_only_when_written_exactly_as_sent(client, device, hub_db):
    """seq_before/seq_after come with a batch whose every write is the device's as sent (its
    pull would leave them all out); a merge with another device's change leaves them out."""
    other = enrol(client, hub_db, device.mediator_id, "Autre portable")
    first = [session_payload(), session_payload()]
    answer = push(client, device, [op(p) for p in first]).json()
    assert (answer["seq_before"], answer["seq_after"]) == (0, 2)
    assert (
        answer["catalogue"]
        == client.get("/api/v1/sync/pull", headers=device.auth).json()["catalogue"]
    )
    theirs = push(client, other, [op(session_payload())]).json()
    assert (theirs["seq_before"], theirs["seq_after"]) == (2, 3)
    # The other device changed a field of ours; our edit of another field merges: no range.
    assert (
        push(client, other, [op({**first[0], "genre": "masculin", "version": 2}, 1)]).json()[
            "seq_after"
        ]
        == 4
    )
    merged = push(client, device, [op({**first[0], "notes": "vu", "version": 2}, 1)]).json()
    assert merged["results"][0]["hub_payload"]["genre"] == "masculin"
    assert "seq_before" not in merged and "seq_after" not in merged
    # A resent batch (all duplicates) writes nothing: an empty range at the current counter.
    again = push(client, other, [op(session_payload(), op_id=merged["results"][0]["op_id"])])
    assert again.json()["results"][0]["status"] == "duplicate"
    assert again.json()["seq_before"] == again.json()["seq_after"] == 5
