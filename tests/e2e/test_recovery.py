"""The hub's accidents and the app's lifetime: a restore from an older backup, purged
tombstones, an app upgrade with unsynced data, an old client, a slow lossy link, a catalogue
that changed while a device was offline."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models.entities import Accompagnement, OutboxEntry
from app.models.migrate import HEAD_REVISION, current_revision, upgrade
from app.models.payloads import content_hash
from app.services.notebook import open_notebook
from app.sync.errors import UpgradeRequired
from app.sync.transport import HttpTransport
from hub.backup import backup, restore
from hub.db import Database
from hub.models import utcnow
from hub.pull import purge_tombstones
from tests.e2e.conftest import start_sqlite_hub
from tests.e2e.harness import HubServer, check_invariants
from tests.e2e.proxy import ThrottlingProxy


def _devices(hub, make_device, *names, **options):
    mediator = hub.new_mediator()
    devices = [make_device(n, **options) for n in names]
    for d in devices:
        d.enrol(hub, mediator)
    return mediator, devices


@pytest.fixture
def own_hub(request, hub_template, tmp_path):
    """A hub this test may stop and start again on the same address (SQLite or PostgreSQL)."""
    servers: list[HubServer] = []
    if request.param == "sqlite":
        folder = tmp_path / "hub"
        folder.mkdir()
        servers.append(start_sqlite_hub(hub_template, folder))
    else:
        servers.append(request.getfixturevalue("pg_hub"))
    yield servers
    servers[-1].stop()


@pytest.mark.parametrize("own_hub", ["sqlite", "postgresql"], indirect=True)
def test_hub_restored_from_an_older_backup_gets_everything_back(own_hub, make_device, tmp_path):
    hub = own_hub[-1]
    mediator, (a, b) = _devices(hub, make_device, "a", "b")
    early = [a.record(notes=f"avant {i}") for i in range(5)]
    a.sync()
    b.sync()
    saved = tmp_path / "sauvegarde"
    backup(hub.db, saved)
    # After the backup: new sessions on both devices, an edit, a deletion.
    late_a = [a.record(notes=f"après {i}") for i in range(4)]
    a.delete(early[4])
    a.sync()
    b.sync()
    b.edit(early[0], notes="modifié après la sauvegarde")
    late_b = b.record(notes="de B après")
    b.sync()
    a.sync()
    old_epoch = hub.epoch()
    # The operator restores the old backup: stop, restore (new epoch), start again.
    url, port, settings = hub.settings.database_url, hub.port, hub.settings
    hub.stop()
    database = Database(url)
    new_epoch = restore(database, saved)
    database.dispose()
    assert new_epoch != old_epoch
    hub = HubServer(url, port=port, data_dir=settings.data_dir)
    own_hub.append(hub)
    assert set(hub.records(mediator)) == set(early)  # what the backup held
    report_a = a.sync()
    report_b = b.sync()
    a.sync()
    assert report_a.epoch_changed and report_b.epoch_changed
    assert report_a.requeued == 8  # A held it all: 4 + 1 of B + B's venue, an edit, a delete
    on_hub = hub.records(mediator)
    assert set(on_hub) == set(early) | set(late_a) | {late_b}
    assert on_hub[early[0]]["notes"] == "modifié après la sauvegarde"
    assert on_hub[early[4]]["_deleted"]
    assert a.state("epoch") == b.state("epoch") == hub.epoch()
    check_invariants(hub, [a, b])


def test_cursor_older_than_tombstone_retention_repulls_and_keeps_pending(hub, make_device):
    mediator, (a, b) = _devices(hub, make_device, "a", "b")
    ids = [a.record(notes=f"séance {i}") for i in range(6)]
    a.sync()
    b.sync()
    # B goes offline with an edit; meanwhile A deletes three sessions and edits one.
    b.edit(ids[5], notes="modifié hors ligne")
    for sid in ids[:3]:
        a.delete(sid)
    a.edit(ids[3], notes="modifié par A")
    a.sync()
    with hub.db.write() as s:
        purged = purge_tombstones(s, 0, now=utcnow() + dt.timedelta(days=1))
    assert purged == 3
    report = b.sync()
    assert report.cursor_reset
    rows = b.rows()
    assert all(rows[sid]["deleted_at"] is not None for sid in ids[:3])
    assert rows[ids[3]]["notes"] == "modifié par A"
    assert hub.records(mediator)[ids[5]]["notes"] == "modifié hors ligne"
    a.sync()
    assert b.state("full_repull") == "0"
    check_invariants(hub, [a, b])


def _old_notebook(path: Path, source: Path) -> None:
    """The notebook of the app before the sync engine existed (schema 0003), holding what
    ``source`` holds: records and their queued outbox entries."""
    upgrade(path, "0003_list_index_fts")
    con = sqlite3.connect(path)
    con.execute("ATTACH DATABASE ? AS src", (str(source),))
    for table in ("venue", "beneficiary", "tag", "accompagnement", "outbox"):
        cols = [r[1] for r in con.execute(f"PRAGMA main.table_info({table})")]
        names = ", ".join(cols)
        con.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM src.{table}")
    con.commit()
    con.execute("DETACH DATABASE src")
    con.close()


def test_app_upgrade_with_unsynced_data_sends_the_queue_unchanged(
    hub, make_device, tmp_path, notebook_template
):
    donor = make_device("donneur")
    ids = [donor.record(notes=f"séance {i}") for i in range(12)]
    donor.edit(ids[0], notes="modifiée avant la mise à jour")
    old = tmp_path / "ancien.db"
    _old_notebook(old, donor.notebook.db_path)
    # A queued op written by an app that used schema 0 (JSON lists, a third session type).
    legacy_id = "01900000-0000-7000-8000-000000000001"
    payload = {
        **json.loads(donor.outbox()[-1].payload),
        "id": legacy_id,
        "kind": "demarche",
        "themes": ["email"],
        "materiels": [],
        "tags": [],
    }
    con = sqlite3.connect(old)
    con.execute(
        "INSERT INTO accompagnement (id, kind, date, duration_min, place_type, venue_id, themes, "
        "materiels, tags, notes, created_at, updated_at, version) VALUES (?, 'individuel', "
        "'2025-03-14', 30, 'lieu_activite', ?, '|email|aide_aux_demarches_administratives|', '', "
        "'', '', '2025-03-14 09:00:00', '2025-03-14 09:00:00', 1)",
        (legacy_id, payload["venue_id"]),
    )
    con.execute(
        "INSERT INTO outbox (op_id, entity, entity_id, op, payload, base_version, content_hash, "
        "schema_version, created_at, state) VALUES ('01900000-0000-7000-8000-0000000000aa', "
        "'accompagnement', ?, 'upsert', ?, 0, ?, 0, '2025-03-14 09:00:00', 'pending')",
        (legacy_id, json.dumps(payload), content_hash(payload)),
    )
    con.commit()
    queued = dict(con.execute("SELECT op_id, payload FROM outbox").fetchall())
    con.close()
    assert current_revision(old) == "0003_list_index_fts"
    # The new app opens it: backup, migrations, nothing rewritten in the queue.
    nb = open_notebook(old)
    assert current_revision(old) == HEAD_REVISION and nb.backup_made is not None
    with nb.session_factory() as db:
        after = {e.op_id: e.payload for e in db.scalars(select(OutboxEntry))}
    nb.close()
    assert after == queued
    mediator = hub.new_mediator()
    device = make_device("ancien")
    device.enrol(hub, mediator)
    report = device.sync()
    assert report.rejected == 0
    on_hub = hub.records(mediator)
    assert set(on_hub) == set(ids) | {legacy_id}
    assert on_hub[ids[0]]["notes"] == "modifiée avant la mise à jour"
    # The hub upgraded the schema-0 op itself.
    assert on_hub[legacy_id]["kind"] == "individuel"
    assert "aide_aux_demarches_administratives" in on_hub[legacy_id]["themes"]
    check_invariants(hub, [device])


def test_old_client_against_a_new_hub_is_told_to_update_and_keeps_its_data(
    hub_template, tmp_path, make_device
):
    folder = tmp_path / "hub2"
    folder.mkdir()
    newer = start_sqlite_hub(hub_template, folder, supported_protocols=frozenset({2}))
    try:
        mediator = newer.new_mediator()
        device = make_device("vieux")
        with pytest.raises(UpgradeRequired) as info:
            device.enrol(newer, mediator)
        assert "Mettez Carnet à jour" in info.value.message
        # Already enrolled before the hub moved on: its queue stays intact.
        device.engine._transport.configure(newer.url, "jeton")
        with device.notebook.session_factory.begin() as db:
            from app.models.entities import SyncState

            db.add(SyncState(key="hub_url", value=newer.url))
        device.tokens.set_token("vieux", "jeton")
        sid = device.record(notes="à garder")
        with pytest.raises(UpgradeRequired):
            device.sync()
        assert [e.state for e in device.outbox()] == ["inflight", "inflight"]
        assert device.engine.status().last_error and "jour" in device.engine.status().last_error
        with device.notebook.session_factory() as db:
            assert db.get(Accompagnement, sid).notes == "à garder"
    finally:
        newer.stop()


def test_old_protocol_client_gets_426_in_french(hub):
    old = HttpTransport(hub.url, "jeton", protocol_version=0)
    with pytest.raises(UpgradeRequired) as info:
        old.status()
    assert info.value.code == "protocol_unsupported"
    old.close()


def test_slow_lossy_link_delivers_each_session_once(hub, make_device):
    """64 kbit/s, 1 s round trip, connections reset at random: everything arrives, once."""
    proxy = ThrottlingProxy(
        ("127.0.0.1", hub.port),
        bits_per_second=64_000,
        rtt=1.0,
        resets_at=(4_000, 11_000, 19_000),
        reset_rate=0.01,
        seed=7,
    )
    try:
        mediator = hub.new_mediator()
        device = make_device("lent", http=HttpTransport(timeout=(5, 20)), max_tries=12)
        device.enrol(hub, mediator, url=proxy.url)
        ids = [device.record(notes=f"séance {i} " + "x" * 40) for i in range(120)]
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            try:
                report = device.sync()
                break
            except Exception:  # a sync cut too often: the next one resumes
                if attempts > 5:
                    raise
        elapsed = time.monotonic() - started
        assert proxy.resets >= 3
        assert set(hub.records(mediator)) == set(ids)
        assert len(hub.applied_ops(mediator)) == 121
        per_session = (proxy.bytes_up + proxy.bytes_down) / 120
        print(
            f"\nlien lent : {elapsed:.1f} s, {proxy.bytes_up} o montants, "
            f"{proxy.bytes_down} o descendants ({per_session:.0f} o/séance), "
            f"{proxy.resets} coupures, {report.retries} reprises, {attempts} synchro(s)"
        )
        check_invariants(hub, [device])
    finally:
        proxy.close()


def test_catalogue_entry_removed_while_offline_keeps_local_history(hub, make_device):
    mediator, (a,) = _devices(hub, make_device, "a")
    paths = [
        {"id": "p1", "title": "Débuter avec un smartphone"},
        {"id": "p2", "title": "Mon Espace Santé"},
    ]
    hub.publish_catalogue({"paths": paths})
    report = a.sync()
    assert report.catalogue_updated
    assert [p["id"] for p in a.engine.catalogue()["paths"]] == ["p1", "p2"]
    # Offline: sessions recorded; the hub withdraws "p2".
    ids = [a.record(notes=f"atelier {i}") for i in range(3)]
    hub.publish_catalogue({"paths": paths[:1]})
    report = a.sync()
    assert report.catalogue_updated and report.applied == 4  # 3 sessions and their venue
    assert [p["id"] for p in a.engine.catalogue()["paths"]] == ["p1"]
    assert set(hub.records(mediator)) == set(ids)
    # Unchanged catalogue: one 304, nothing stored again.
    assert not a.sync().catalogue_updated
    check_invariants(hub, [a])
