"""The engine's API as the desktop uses it: enrolment, status, progress, cancel, one sync at a
time, batch bounds, review items. Against the real hub on loopback."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from app.models.sync_tables import SyncBatch
from app.sync import wire
from app.sync.credentials import KeyringTokenStore, MemoryTokenStore
from app.sync.engine import SyncEngine, clock_warning
from app.sync.errors import NotEnrolled, RequestRejected, SyncBusy, SyncCancelled, SyncError
from tests.e2e.harness import check_invariants
from tests.sync.test_credentials import InMemoryKeyring


def test_status_before_and_after_enrolment(hub, make_device):
    device = make_device("a")
    status = device.engine.status()
    assert not status.enrolled and status.pending == 0 and status.last_sync_at is None
    with pytest.raises(NotEnrolled) as info:
        device.sync()
    assert "Relier au hub" in info.value.message
    assert device.engine.probe() is False  # no hub address yet
    mediator = hub.new_mediator("Camille Martin")
    device.enrol(hub, mediator)
    device.record()
    status = device.engine.status()
    assert status.enrolled and status.hub_name == "Hub de test"
    assert status.mediator_name == "Camille Martin" and status.pending == 2
    assert device.engine.probe()
    device.sync()
    status = device.engine.status()
    assert status.pending == 0 and status.last_sync_at is not None and status.last_error is None
    assert status.clock_skew_s is not None and abs(status.clock_skew_s) < 60


def test_a_sync_collects_young_garbage_in_larger_passes(hub, make_device):
    """A batch allocates tens of thousands of short-lived objects: during a sync the young
    generation's threshold is raised (app/collector.py), and restored after."""
    import gc

    from app.collector import BULK_THRESHOLD

    seen: list[int] = []
    device = make_device("a", checkpoint=lambda name: seen.append(gc.get_threshold()[0]))
    device.enrol(hub, hub.new_mediator())
    device.record()
    before = gc.get_threshold()
    device.sync()
    assert seen and all(t >= BULK_THRESHOLD for t in seen)
    assert gc.get_threshold() == before


def test_a_change_queued_before_the_last_batch_is_answered_goes_in_the_same_sync(hub, make_device):
    """After a batch that took everything pending, the sync still looks for entries queued
    meanwhile (here: once its answer came, before it is applied) before it stops pushing."""
    from tests.e2e.faults import CrashAt

    holder: list = []
    late = CrashAt("push.response_received", 1, action=lambda: holder[0].record(), crash=False)
    device = make_device("a", checkpoint=late)
    holder.append(device)
    device.enrol(hub, hub.new_mediator())
    device.record()
    report = device.sync()
    assert report.applied == 3 and report.batches == 2  # venue and session, then the late one
    assert device.engine.status().pending == 0


def test_wrong_enrolment_code_is_refused_in_french(hub, make_device):
    device = make_device("a")
    with pytest.raises(RequestRejected) as info:
        device.engine.enrol(hub.url, "ZZZZ-ZZZZ", "Portable")
    assert info.value.code == "enrolment_code_invalid" and "code" in info.value.message
    assert not device.engine.status().enrolled


def test_token_goes_to_the_keyring_and_survives_a_restart(hub, make_device):
    backend = InMemoryKeyring()
    device = make_device("a", token_store=KeyringTokenStore(backend))
    device.enrol(hub, hub.new_mediator())
    assert [k for k in backend.secrets] == [("Carnet Hub", "appareil:a")]
    with device.notebook.session_factory() as db:
        dump = json.dumps([tuple(r) for r in db.execute(select(SyncBatch.body))])
    token = next(iter(backend.secrets.values()))
    assert token not in dump and token not in device.notebook.db_path.read_bytes().decode("latin-1")
    device.record()
    device.restart(token_store=KeyringTokenStore(backend))
    assert device.sync().applied == 2


def test_enrolment_without_keyring_keeps_the_token_for_this_run_only(hub, make_device):
    device = make_device("a", token_store=MemoryTokenStore())
    device.enrol(hub, hub.new_mediator())
    status = device.engine.status()
    assert status.token_available and not status.token_persistent
    device.record()
    device.sync()
    # The app restarts: the token is gone with the process; the data is not.
    device.restart(token_store=MemoryTokenStore())
    device.record()
    with pytest.raises(NotEnrolled) as info:
        device.sync()
    assert "code" in info.value.message
    assert device.engine.status().pending == 1


def test_re_enrolment_for_another_mediator_is_refused(hub, make_device):
    device = make_device("a")
    device.enrol(hub, hub.new_mediator("Camille Martin"))
    with pytest.raises(SyncError) as info:
        device.enrol(hub, hub.new_mediator("Sam Durand"))
    assert info.value.code == "mediator_mismatch"
    assert device.engine.status().mediator_name == "Camille Martin"


def test_progress_is_reported_and_batches_respect_the_bounds(hub, make_device):
    device = make_device("a")
    mediator = hub.new_mediator()
    device.enrol(hub, mediator)
    big_notes = "Compte rendu détaillé, démarches et suites à donner. " * 200  # ~10 KB each
    ids = [device.record(notes=f"{i} {big_notes}") for i in range(120)]
    events = []
    report = device.engine.sync_once(progress=events.append)
    assert report.applied == 121
    pushes = [e for e in events if e.phase == "push"]
    assert pushes[0].done == 0 and pushes[0].total == 121
    assert all("Envoi au hub" in e.message for e in pushes)
    # (no pull phase: the hub wrote the batches as sent, with nothing before them)
    assert {e.phase for e in events} >= {"push", "catalogue"}
    # every batch within the op bound and under 256 KB once compressed
    for body in device.transport.bodies:
        assert len(json.loads(body)["ops"]) <= wire.MAX_OPS_PER_BATCH
        assert len(wire.gzip_bytes(body)) <= wire.MAX_BATCH_GZIP_BYTES
    assert set(hub.records(mediator)) == set(ids)


def test_a_record_too_large_for_the_hub_is_refused_visibly(hub, make_device):
    import secrets

    device = make_device("a")
    mediator = hub.new_mediator()
    device.enrol(hub, mediator)
    small = device.record(notes="normale")
    huge = device.record(notes=secrets.token_urlsafe(1_200_000))  # > 1 MiB even gzipped
    report = device.sync()
    assert report.applied == 2
    [issue] = device.engine.issues()
    assert issue.entity_id == huge and issue.code == "too_large" and "volumineuse" in issue.reason
    assert set(hub.records(mediator)) == {small}
    check_invariants(hub, [device])


def test_created_then_deleted_before_any_sync_sends_nothing(hub, make_device):
    device = make_device("a")
    mediator = hub.new_mediator()
    device.enrol(hub, mediator)
    kept = device.record(notes="gardée")
    gone = device.record(notes="supprimée aussitôt")
    device.edit(gone, notes="corrigée")
    device.delete(gone)
    device.sync()
    states = {e.entity_id: e.state for e in device.outbox()}
    assert states[gone] == "dropped" and states[kept] == "acked"
    assert set(hub.records(mediator)) == {kept}
    assert all(gone not in body.decode() for body in device.transport.bodies)
    check_invariants(hub, [device])


def test_cancel_stops_at_a_safe_point_and_a_later_sync_resumes(hub, make_device):
    device = make_device("a", max_batch_ops=10)
    mediator = hub.new_mediator()
    device.enrol(hub, mediator)
    ids = [device.record() for _ in range(45)]

    def close_app(event) -> None:  # the user closes the window during the third batch
        if event.phase == "push" and event.done >= 20:
            device.engine.cancel()

    with pytest.raises(SyncCancelled) as info:
        device.engine.sync_once(progress=close_app)
    assert "reprendra" in info.value.message
    assert 0 < len(hub.records(mediator)) < 45
    assert device.engine.status().last_error is None  # a cancel is not a problem
    device.sync()
    assert set(hub.records(mediator)) == set(ids)
    check_invariants(hub, [device])


def test_one_sync_at_a_time(hub, make_device):
    device = make_device("a")
    device.enrol(hub, hub.new_mediator())
    device.record()
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        entered.set()
        release.wait(10)

    device.transport.before["push"] = hold
    worker = threading.Thread(target=device.engine.sync_once)
    worker.start()
    assert entered.wait(10)
    with pytest.raises(SyncBusy):
        device.engine.sync_once()
    release.set()
    worker.join(10)
    assert device.engine.status().pending == 0


def test_clock_warning_wording():
    assert "en avance d'environ 365 jours" in clock_warning(365 * 86400)
    assert "en retard d'environ 15 minutes" in clock_warning(-15 * 60)
    assert "3 heures" in clock_warning(3 * 3600)


def test_engine_checkpoints_are_documented():
    assert set(SyncEngine.CHECKPOINTS) >= {"push.batch_stored", "pull.page_applied"}


def test_a_push_only_sync_moves_the_cursor_past_its_own_records(hub, make_device):
    """The device's own pushes do not come back (own=skip): the empty page's cursor is
    written with the end of the sync, and the next pull starts after them."""
    device = make_device("a")
    mediator = hub.new_mediator()
    device.enrol(hub, mediator)
    device.sync()
    before = int(device.state("cursor") or 0)
    for i in range(3):
        device.record(notes=f"séance {i}")
    report = device.sync()
    assert report.applied == 4 and report.pulled == 0  # the venue and three sessions
    after = int(device.state("cursor") or 0)
    assert after >= before + 4
    again = device.sync()
    assert again.pulled == 0 and again.applied == 0
    assert int(device.state("cursor") or 0) == after
    check_invariants(hub, [device])


def test_a_device_that_never_sent_anything_pulls_everything_plainly(hub, make_device):
    """A new laptop has no pushes of its own for the hub to leave out: it asks own=all (the
    hub skips that search); once it has sent a change, own=skip again."""
    a, b = make_device("a"), make_device("b")
    mediator = hub.new_mediator()
    a.enrol(hub, mediator)
    for i in range(3):
        a.record(notes=f"séance {i}")
    a.sync()
    assert a.transport.pulls == []  # its own pushes were all the hub had: no pull at all
    a.sync()
    assert a.transport.pulls == ["skip"]
    b.enrol(hub, mediator)
    assert b.sync().pulled == 4  # the venue and three sessions
    assert set(b.transport.pulls) == {"all"}
    b.transport.pulls.clear()
    b.record(notes="sur le nouveau portable")
    b.sync()
    b.sync()
    assert b.transport.pulls and set(b.transport.pulls) == {"skip"}
    a.sync()
    check_invariants(hub, [a, b])


def test_a_sync_with_nothing_to_do_sends_one_request_and_leaves_durable_connections(
    hub, make_device
):
    """Nothing to send, nothing new: one pull and the bookkeeping, written without waiting for
    the disk on a connection that goes back to the pool with synchronous=FULL."""
    device = make_device("a")
    device.enrol(hub, hub.new_mediator())
    device.record(notes="première séance")
    device.sync()
    device.transport.log.clear()
    report = device.sync()
    assert report.applied == 0 and report.pulled == 0
    assert device.transport.log == [("pull", "ok")]
    assert device.state("last_sync_at") == report.finished_at.isoformat()
    engine = device.notebook.session_factory.kw["bind"]
    pool = engine.pool
    connections = [engine.connect() for _ in range(pool.checkedin() + 1)]
    try:
        # (every pooled connection, the one the bookkeeping used among them)
        for conn in connections:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    finally:
        for conn in connections:
            conn.close()


def test_a_push_with_nothing_in_between_moves_the_cursor_without_a_pull(hub, make_device):
    """The hub says a batch was written exactly as sent, right after the device's cursor: the
    sync passes over those records without pulling; another device's write in between makes
    the next push pull as usual, and brings that write."""
    a, b = make_device("a"), make_device("b")
    mediator = hub.new_mediator()
    a.enrol(hub, mediator)
    a.record(notes="première")
    a.sync()
    b.enrol(hub, mediator)
    b.sync()
    a.transport.log.clear()
    for i in range(3):
        a.record(notes=f"séance {i}")
    report = a.sync()
    assert report.applied == 3 and report.pulled == 0
    assert [m for m, _ in a.transport.log] == ["push"]  # no pull, no catalogue request
    assert int(a.state("cursor") or 0) == a.http.status().seq  # the hub's counter
    # Device b writes; a's next push starts above its cursor: a pulls and gets b's session.
    b.record(notes="depuis b")
    b.sync()
    a.transport.log.clear()
    a.record(notes="encore a")
    report = a.sync()
    assert [m for m, _ in a.transport.log] == ["push", "pull"]
    assert report.pulled == 2  # b's venue and session
    assert "depuis b" in {row["notes"] for row in a.rows().values()}
    b.sync()
    check_invariants(hub, [a, b])
