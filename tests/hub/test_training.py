"""Training on the hub, on SQLite and PostgreSQL: progress events (append-only) and mediators'
paths in push/pull, the catalogue hub staff author and publish (seed, import, publish, withdraw,
snapshot by ETag), proposals, and the staff's CLI commands."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.models.ids import new_id
from hub import catalogue, training
from hub.models import RECORD_TABLES, CataloguePath
from tests.hub.helpers import (
    enrol,
    event_payload,
    local_path_payload,
    new_mediator,
    op,
    outbox_ops,
    pull_all,
    push,
    session_payload,
)

SANTE = "seed-mon-espace-sante"


def _ev(payload, **kw):
    return op(payload, entity="progress_event", **kw)


def _path_op(payload, **kw):
    return op(payload, entity="training_path", **kw)


def _results(r):
    assert r.status_code == 200, r.text
    return r.json()["results"]


def _count(hub_db, entity: str) -> int:
    table = RECORD_TABLES[entity]
    with hub_db.session() as s:
        return s.scalar(select(func.count()).select_from(table))


# ---- progress events ------------------------------------------------------------------------
def test_progress_events_are_written_once_and_never_edited(client, device, hub_db):
    event = event_payload(level_before='{"4.2":1}', level_after='{"4.2":3}')
    first = _ev(event)
    assert [r["status"] for r in _results(push(client, device, [first]))] == ["applied"]
    # A retry of the same op, and the same event queued again under a new op id.
    again = _results(push(client, device, [first, _ev(event)]))
    assert [(r["status"], r["version"]) for r in again] == [("duplicate", 1), ("applied", 1)]
    # An edit or a delete of an event is refused: cancellations are new events.
    edited = _results(push(client, device, [_ev({**event, "kind": "started"})]))[0]
    deleted = _results(push(client, device, [_ev(event, kind="delete", base_version=1)]))[0]
    for result in (edited, deleted):
        assert (result["status"], result["code"]) == ("rejected", "append_only")
        assert "annulation" in result["reason"]
    changes, cursor = pull_all(client, device)
    assert cursor == 1  # one change only: the stored event
    (change,) = changes
    assert change["entity"] == "progress_event" and change["payload"] == event


def test_events_of_two_devices_merge_by_union(client, device, hub_db):
    other = enrol(client, hub_db, device.mediator_id, "Autre portable")
    mine = [event_payload(module=1), event_payload(module=2)]
    theirs = [event_payload(module=2), event_payload(module=3)]  # module 2 done on both
    push(client, device, [_ev(e) for e in mine])
    push(client, other, [_ev(e) for e in theirs])
    for dev in (device, other):
        ids = {c["entity_id"] for c in pull_all(client, dev)[0]}
        assert ids == {e["id"] for e in mine + theirs}


def test_events_are_checked_and_kept_to_their_mediator(client, device, hub_db):
    stranger = enrol(client, hub_db, new_mediator(hub_db, "Sam Durand"))
    their_session = session_payload()
    push(client, stranger, [op(their_session)])
    bad = {
        "unknown_code": event_payload(kind="terminé"),
        "missing_field": event_payload(path_title=None),
        "invalid_value": event_payload(occurred_on="14/03/2025"),
        "unknown_field": event_payload(note="texte"),
        "forbidden_record": event_payload(session_id=their_session["id"]),
    }
    results = _results(push(client, device, [_ev(p) for p in bad.values()]))
    assert [(r["status"], r["code"]) for r in results] == [("rejected", c) for c in bad]
    assert _count(hub_db, "progress_event") == 0


# ---- mediators' paths -----------------------------------------------------------------------
def test_a_mediators_path_travels_with_its_modules(client, device, hub_db):
    path = local_path_payload()
    (result,) = _results(push(client, device, [_path_op(path)]))
    assert result["status"] == "applied", result
    (change,) = pull_all(client, device)[0]
    assert change["payload"] == path  # modules come back as a JSON list, as sent
    # An edit of the modules only, from another device: a field merge, not a conflict.
    other = enrol(client, hub_db, device.mediator_id, "Autre")
    renamed = {**path, "title": "Prendre rendez-vous en ligne", "version": 2}
    longer = {**path, "modules": [*path["modules"], {**path["modules"][0], "id": new_id()}]}
    assert _results(push(client, device, [_path_op(renamed, base_version=1)]))[0]["version"] == 2
    merged = _results(push(client, other, [_path_op(longer, base_version=1)]))[0]
    assert merged["status"] == "applied"
    assert merged["hub_payload"]["title"] == renamed["title"]
    assert len(merged["hub_payload"]["modules"]) == 3


def test_a_mediators_path_follows_the_path_format(client, device, hub_db):
    path = local_path_payload()
    bad = [
        {**path, "id": new_id(), "modules": []},
        {**path, "id": new_id(), "modules": "pas une liste"},
        {
            **path,
            "id": new_id(),
            "modules": [
                {**path["modules"][0], "competences": [{"code": "9.9", "target_level": 1}]}
            ],
        },
        {**path, "id": new_id(), "audience": "tout_le_monde"},
    ]
    results = _results(push(client, device, [_path_op(p) for p in bad]))
    assert [r["code"] for r in results] == [
        "invalid_value",
        "invalid_value",
        "invalid_value",
        "unknown_code",
    ]
    assert "au moins un module" in results[0]["reason"]
    assert "compétence inconnue" in results[2]["reason"]
    assert _count(hub_db, "training_path") == 0


def test_what_the_desktop_queues_for_training_applies_and_round_trips(client, device, notebook):
    from app.models.training_format import ModuleSpec, PathSpec
    from app.services.progress import Subject
    from app.services.training import seed_snapshot

    notebook.training.apply_catalogue(seed_snapshot())
    local = notebook.training.create_path(
        PathSpec(
            title="Mes papiers en ligne",
            audience="beneficiaires",
            modules=(
                ModuleSpec(
                    title="Le coffre-fort numérique",
                    themes=("papiers_elections_citoyennete",),
                    competences=(("1.3", 2),),
                ),
            ),
        )
    )
    notebook.training.propose_path(local)
    person = Subject.person("KRT-4MU")
    notebook.training.enrol(person, SANTE, level_before={"4.2": 1})
    notebook.training.record(person, SANTE, f"{SANTE}-01", "done", level_after={"4.2": 2})
    notebook.training.enrol(Subject.myself(), "seed-devenir-facilitateur")
    ops = outbox_ops(notebook)
    assert {o["entity"] for o in ops} == {"training_path", "progress_event"}
    results = _results(push(client, device, ops))
    assert {r["status"] for r in results} == {"applied"}, results
    latest = {o["entity_id"]: o["payload"] for o in ops}
    by_id = {c["entity_id"]: c["payload"] for c in pull_all(client, device)[0]}
    assert by_id == latest


# ---- the catalogue --------------------------------------------------------------------------
def _catalogue(client, device, etag=None):
    headers = {**device.auth, **({"If-None-Match": etag} if etag else {})}
    return client.get("/api/v1/catalogue", headers=headers)


def test_seed_publish_withdraw_and_the_snapshot_by_etag(client, device, hub_db):
    with hub_db.write() as s:
        assert training.seed_catalogue(s) == 4
    with hub_db.write() as s:
        assert training.seed_catalogue(s) == 0  # only once
    r = _catalogue(client, device)
    body, etag = r.json(), r.headers["etag"]
    assert body["version"] == 1
    assert {p["id"] for p in body["paths"]} == {
        "seed-debuter-smartphone",
        "seed-devenir-facilitateur",
        "seed-demarches-securite",
        SANTE,
    }
    titles = [p["title"].casefold() for p in body["paths"]]
    assert titles == sorted(titles)
    assert _catalogue(client, device, etag).status_code == 304

    # Withdrawn: still in the snapshot, flagged, so that devices keep it.
    with hub_db.write() as s:
        training.withdraw_path(s, SANTE)
    r = _catalogue(client, device, etag)
    assert r.status_code == 200 and r.json()["version"] == 2
    sante = next(p for p in r.json()["paths"] if p["id"] == SANTE)
    assert sante["withdrawn"] is True and len(sante["modules"]) == 5
    etag = r.headers["etag"]

    # An edit is not public until published; publishing raises the path's version.
    with hub_db.session() as s:
        edited = training.export_path(s, "seed-debuter-smartphone")
    edited["modules"][0]["title"] = "Allumer et déverrouiller son téléphone"
    with hub_db.write() as s:
        training.import_path(s, edited)
        entry = next(e for e in training.list_paths(s) if e.id == "seed-debuter-smartphone")
        assert (entry.state, entry.version) == ("modifie", 2)
    assert _catalogue(client, device, etag).status_code == 304
    with hub_db.write() as s:
        training.publish_path(s, "seed-debuter-smartphone")
        training.publish_path(s, SANTE)  # published again: no longer withdrawn
    r = _catalogue(client, device, etag)
    paths = {p["id"]: p for p in r.json()["paths"]}
    assert r.json()["version"] == 4
    assert paths["seed-debuter-smartphone"]["version"] == 2
    assert paths["seed-debuter-smartphone"]["modules"][0]["title"].startswith("Allumer et")
    assert "withdrawn" not in paths[SANTE]


def test_a_proposed_path_is_published_under_its_own_id(client, device, hub_db):
    proposed = local_path_payload()
    personal = local_path_payload(status="local_only")
    push(client, device, [_path_op(proposed), _path_op(personal)])
    with hub_db.session() as s:
        entries = {e.id: e for e in training.list_paths(s)}
    assert entries[proposed["id"]].state == "propose"
    assert entries[proposed["id"]].proposed_by == "Camille Martin"
    assert personal["id"] not in entries  # a mediator's own path stays theirs
    with hub_db.write() as s:
        try:
            training.publish_path(s, personal["id"])
            raise AssertionError("a personal path must not be publishable")
        except training.TrainingError as err:
            assert "personnel" in err.message
        training.publish_path(s, proposed["id"])
    (entry,) = _catalogue(client, device).json()["paths"]
    assert entry["id"] == proposed["id"] and entry["title"] == proposed["title"]
    assert [m["id"] for m in entry["modules"]] == [m["id"] for m in proposed["modules"]]
    with hub_db.session() as s:
        row = s.get(CataloguePath, proposed["id"])
        assert row is not None and row.proposed_by == device.mediator_id
    # The mediator's own record is left as they wrote it.
    assert pull_all(client, device)[0][0]["payload"]["status"] == "proposed"


def test_imports_are_checked(hub_db):
    with hub_db.write() as s:
        training.seed_catalogue(s)
    with hub_db.session() as s:
        copy = training.export_path(s, SANTE)
    cases = {
        "au moins un module": {**copy, "id": "autre", "modules": []},
        "appartient déjà au parcours « Mon Espace Santé »": {**copy, "id": "autre"},
        "thématique inconnue": {
            **copy,
            "id": "autre",
            "modules": [{**copy["modules"][0], "id": "x-1", "themes": ["astrologie"]}],
        },
        "plus récente de Carnet": {**copy, "id": "autre", "format_version": 9},
    }
    for expected, data in cases.items():
        with hub_db.write() as s:
            try:
                training.import_path(s, data)
            except training.TrainingError as err:
                assert expected in err.message, err.message
            else:
                raise AssertionError(expected)
    # Without ids, the hub gives them.
    fresh = {**copy, "modules": [{**m, "id": ""} for m in copy["modules"]]}
    del fresh["id"]
    with hub_db.write() as s:
        row = training.import_path(s, fresh)
        ids = [m["id"] for m in json.loads(row.content)["modules"]]
    # A UUID path id leaves no room for "-NN": the modules get UUIDs, valid ids all.
    assert len(set(ids)) == 5 and all(len(i) == 36 and i != row.id for i in ids)
    with hub_db.session() as s:
        assert [m["id"] for m in training.export_path(s, row.id)["modules"]] == ids
    # A readable path id gives "{id}-NN", skipping a number an existing module holds.
    named = {**fresh, "id": "atelier-sante", "modules": [*fresh["modules"][:2]]}
    named["modules"][1] = {**named["modules"][1], "id": "atelier-sante-01"}
    with hub_db.write() as s:
        row = training.import_path(s, named)
        ids = [m["id"] for m in json.loads(row.content)["modules"]]
    assert ids[1] == "atelier-sante-01" and len(ids[0]) == 36
    with hub_db.session() as s:
        assert catalogue.current(s).version == 1  # imported, not published
