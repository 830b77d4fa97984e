"""Pull under faults, commit order on the hub, and what two devices of one mediator do to the
same record (concurrent edits, edit against delete, clocks that lie)."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

import pytest

from app.models.entities import Accompagnement
from app.models.payloads import outbox_entry, row_payload
from tests.e2e.faults import SimulatedCrash
from tests.e2e.harness import assert_cursor_not_ahead, check_invariants, crash_then_restart


def _pair(hub, make_device, **options):
    mediator = hub.new_mediator()
    a, b = make_device("a", **options), make_device("b", **options)
    a.enrol(hub, mediator)
    b.enrol(hub, mediator)
    return mediator, a, b


@pytest.mark.parametrize("point", ["pull.page_received", "pull.page_applied"])
def test_pull_interrupted_mid_way_resumes_without_gap_or_double(hub, make_device, point):
    mediator, a, b = _pair(hub, make_device, pull_limit=40)
    ids = [a.record(notes=f"séance {i}") for i in range(130)]
    a.sync()
    crash_then_restart(b, point, nth=2)
    b.engine.pull_limit = 40
    with pytest.raises(SimulatedCrash):
        b.sync()
    # The page being applied is either all in with its cursor, or not at all: the records
    # held are exactly the hub's changes up to the cursor.
    pages_applied = 1 if point == "pull.page_received" else 2
    cursor = int(b.state("cursor") or 0)
    held = set(b.rows()) | set(b.rows("venue"))
    up_to_cursor = {
        i
        for entity in ("accompagnement", "venue")
        for i, p in hub.records(mediator, entity).items()
        if p["_seq"] <= cursor
    }
    assert held == up_to_cursor and len(held) == 40 * pages_applied
    assert_cursor_not_ahead(hub, b)
    b.restart(pull_limit=40)
    report = b.sync()
    assert set(b.rows()) == set(ids)
    assert report.pulled == 131 - len(held)
    check_invariants(hub, [a, b])


def test_lost_pull_response_is_fetched_again(hub, make_device):
    mediator, a, b = _pair(hub, make_device)
    ids = [a.record() for _ in range(10)]
    a.sync()
    b.transport.plan("pull", "drop_response", "drop_request")
    b.sync()
    assert set(b.rows()) == set(ids)
    check_invariants(hub, [a, b])


def test_out_of_order_commits_never_make_a_reader_skip_a_change(any_hub, make_device):
    """Two devices push small batches at the same time while a third pulls in a loop: seq order
    is commit order, so the reader's cursor never passes a change it has not applied."""
    hub = any_hub
    mediator = hub.new_mediator()
    writers = [make_device(n, max_batch_ops=3) for n in ("a", "b")]
    reader = make_device("c", pull_limit=7)
    for d in (*writers, reader):
        d.enrol(hub, mediator)
    created: dict[str, list[str]] = {}
    for w in writers:
        created[w.name] = [w.record(notes=f"{w.name} {i}") for i in range(45)]
    done = threading.Event()
    errors: list[BaseException] = []

    def push(device) -> None:
        try:
            device.sync()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=push, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    pulls = 0
    while any(t.is_alive() for t in threads) or not done.is_set():
        reader.sync()
        pulls += 1
        assert_cursor_not_ahead(hub, reader)
        if not any(t.is_alive() for t in threads):
            done.set()
    for t in threads:
        t.join()
    assert not errors, errors
    reader.sync()
    for w in writers:
        w.sync()
    assert set(reader.rows()) == set(created["a"]) | set(created["b"])
    assert pulls >= 2
    check_invariants(hub, [*writers, reader])


def test_two_devices_edit_disjoint_fields_both_kept(any_hub, make_device):
    hub = any_hub
    mediator, a, b = _pair(hub, make_device)
    sid = a.record(notes="début", duration_min=30)
    a.sync()
    b.sync()
    a.edit(sid, notes="notes de A")
    b.edit(sid, duration_min=75)
    a.sync()
    report = b.sync()  # merged on the hub, B receives the merged row right away
    assert report.applied == 1 and report.conflicts == 0
    assert b.rows()[sid]["notes"] == "notes de A" and b.rows()[sid]["duration_min"] == 75
    a.sync()
    assert a.rows()[sid]["duration_min"] == 75
    assert a.engine.issues() == [] and b.engine.issues() == []
    check_invariants(hub, [a, b])


def test_two_devices_edit_the_same_field_conflict_is_shown_and_resolvable(any_hub, make_device):
    hub = any_hub
    mediator, a, b = _pair(hub, make_device)
    sid = a.record(notes="début")
    a.sync()
    b.sync()
    a.edit(sid, notes="version de A")
    b.edit(sid, notes="version de B")
    a.sync()
    report = b.sync()
    assert report.conflicts == 1
    [issue] = b.engine.issues()
    assert issue.kind == "conflict" and "notes" in issue.reason
    assert issue.local_payload["notes"] == "version de B"
    assert issue.hub_payload is not None and issue.hub_payload["notes"] == "version de A"
    # Never silent: the hub kept its value, both devices show it, B's text is in the review.
    assert b.session_notes(sid) == "version de A"
    check_invariants(hub, [a, b])
    # B decides to keep its own text: it goes to the hub and to A.
    b.engine.resolve_issue(issue.id, "keep_mine")
    b.sync()
    a.sync()
    assert a.session_notes(sid) == "version de B" == hub.records(mediator)[sid]["notes"]
    assert b.engine.issues() == []
    check_invariants(hub, [a, b])


def test_edit_against_delete_delete_wins_and_the_editor_is_told(hub, make_device):
    mediator, a, b = _pair(hub, make_device)
    first, second = a.record(notes="un"), a.record(notes="deux")
    a.sync()
    b.sync()
    # 1. A deletes and syncs first; B edits the old version: "gone".
    a.delete(first)
    a.sync()
    b.edit(first, notes="modifié après suppression")
    report = b.sync()
    assert report.gone == 1
    [issue] = b.engine.issues()
    assert issue.kind == "gone" and issue.local_payload["notes"] == "modifié après suppression"
    assert b.rows()[first]["deleted_at"] is not None
    # 2. B edits and syncs first; A deletes from the older version: the delete still wins.
    b.edit(second, notes="modifié avant suppression")
    b.sync()
    a.delete(second)
    a.sync()
    b.sync()
    assert b.rows()[second]["deleted_at"] is not None
    assert hub.records(mediator)[second]["_deleted"]
    check_invariants(hub, [a, b])


def test_clock_a_year_off_and_timezone_change_order_nothing(hub, make_device):
    a_year = dt.timedelta(days=365)
    mediator = hub.new_mediator()
    a = make_device("a", clock=lambda: dt.datetime.now(dt.UTC) + a_year)
    b = make_device("b")
    a.enrol(hub, mediator)
    b.enrol(hub, mediator)
    sid = a.record(notes="horloge en avance")
    # The laptop's clock is a year ahead: its timestamps say so.
    with a.notebook.session_factory.begin() as db:
        row = db.get(Accompagnement, sid)
        row.created_at = row.created_at + a_year
        row.updated_at = row.updated_at + a_year
        base = row.version
        row.version = base + 1
        db.flush()
        db.add(outbox_entry(row, "upsert", base))
    report = a.sync()
    assert report.clock_warning is not None and "en avance" in report.clock_warning
    assert report.clock_skew_s is not None and report.clock_skew_s > 364 * 86400
    assert a.engine.status().clock_skew_s > 364 * 86400
    # B, with a right clock but in another time zone, edits later in real time: B's edit is the
    # newer one for the hub, whatever the timestamps say.
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Kiritimati"
    time.tzset()
    try:
        b.sync()
        b.edit(sid, notes="corrigé par B")
        report_b = b.sync()
        assert report_b.clock_warning is None
    finally:
        if old_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old_tz
        time.tzset()
    a.sync()
    assert a.session_notes(sid) == "corrigé par B"
    stored = hub.records(mediator)[sid]
    assert stored["notes"] == "corrigé par B" and stored["updated_at"].endswith("Z")
    with b.notebook.session_factory() as db:
        assert row_payload(db.get(Accompagnement, sid))["created_at"] == stored["created_at"]
    check_invariants(hub, [a, b])


def test_hub_change_skipped_by_a_pull_is_applied_once_the_local_edit_is_answered(hub, make_device):
    """A pull meets a record the user is editing: the hub's newer state is held back, not
    dropped. The edit then conflicts and its answer is lost; the replayed answer carries no
    row, so the held-back state is what brings the device back in line with the hub."""
    mediator, a, b = _pair(hub, make_device)
    sid = a.record(notes="début")
    a.sync()
    b.sync()
    b.edit(sid, notes="version de B")
    b.sync()
    # A's user saves an edit just as A's pull starts: B's version is held back.
    a.transport.before["pull"] = lambda: a.edit(sid, notes="version de A")
    report = a.sync()
    assert report.skipped_pending == 1
    assert a.session_notes(sid) == "version de A"
    # Next sync: the conflict answer is lost, the retry gets the stored answer (no row).
    a.transport.plan("push", "drop_response")
    report = a.sync()
    assert report.conflicts == 1
    assert a.session_notes(sid) == "version de B" == hub.records(mediator)[sid]["notes"]
    [issue] = a.engine.issues()
    assert issue.local_payload["notes"] == "version de A"
    check_invariants(hub, [a, b])


def test_conflict_settled_with_the_hub_value_is_reported_to_the_hub(hub, make_device):
    from sqlalchemy import select

    from hub.models import Conflict

    mediator, a, b = _pair(hub, make_device)
    sid = a.record(notes="début")
    a.sync()
    b.sync()
    a.edit(sid, notes="version de A")
    b.edit(sid, notes="version de B")
    a.sync()
    b.sync()

    def open_on_hub() -> int:
        with hub.db.session() as s:
            rows = s.scalars(select(Conflict).where(Conflict.mediator_id == mediator)).all()
            return sum(1 for c in rows if c.resolved_at is None)

    assert open_on_hub() == 1
    [issue] = b.engine.issues()
    b.engine.resolve_issue(issue.id)  # keep the hub's version: nothing to send but the news
    assert b.engine.issues() == []
    b.transport.plan("resolve", "drop_response")
    b.sync()
    assert open_on_hub() == 0
    assert b.engine.issues(include_resolved=True)[0].resolution == "keep_hub_sent"
    assert b.session_notes(sid) == "version de A"
    check_invariants(hub, [a, b])
