"""Push under faults: kills, lost responses, concurrent copies, a bad op, an edit in flight,
a revoked token. Each test ends with the invariants of sync-protocol.md."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app.models.entities import Accompagnement
from app.models.payloads import outbox_entry
from app.sync import wire
from app.sync.errors import AuthError
from app.sync.transport import HttpTransport
from tests.e2e.faults import CrashAt, SimulatedCrash
from tests.e2e.harness import check_invariants, crash_then_restart


def _enrolled(hub, make_device, *names, mediator=None):
    mediator = mediator or hub.new_mediator()
    devices = [make_device(n) for n in names]
    for d in devices:
        d.enrol(hub, mediator)
    return mediator, devices


@pytest.mark.parametrize(
    "point", ["push.batch_stored", "push.response_received", "push.results_applied"]
)
def test_kill_during_upload_resends_the_same_batch_and_nothing_doubles(hub, make_device, point):
    mediator, (a,) = _enrolled(hub, make_device, "a")
    ids = [a.record(notes=f"séance {i}") for i in range(150)]  # two batches
    crash_then_restart(a, point)
    with pytest.raises(SimulatedCrash):
        a.sync()
    sent_before = list(a.transport.bodies)
    a.restart()
    report = a.sync()
    if point == "push.response_received":
        # The hub had committed: the same bytes go again and come back "duplicate".
        assert a.transport.bodies[0] == sent_before[-1]
        assert report.duplicate >= 100
    if point == "push.batch_stored":
        assert not sent_before and report.duplicate == 0
    on_hub = hub.records(mediator)
    assert set(on_hub) == set(ids)
    assert len(hub.applied_ops(mediator)) == 151  # 150 sessions + venue, each op once
    check_invariants(hub, [a])


@pytest.mark.parametrize("resume_ops", [10, 1000])
@pytest.mark.parametrize("nth", [2, 3])
def test_kill_while_the_next_batch_is_prepared_loses_and_doubles_nothing(
    hub, make_device, nth, resume_ops
):
    """The next batch is stored while the previous one is on the wire: a kill at that moment
    leaves two stored batches (one maybe applied by the hub), resent oldest first. Resumed
    with larger batches, the first stored one is not full: the second is found by the look
    for anything left once its answer is applied."""
    mediator, (a,) = _enrolled(hub, make_device, "a")
    ids = [a.record(notes=f"séance {i}") for i in range(45)]  # venue + 45: five batches
    a.restart(checkpoint=CrashAt("push.batch_stored", nth), max_batch_ops=10)
    with pytest.raises(SimulatedCrash):
        a.sync()
    sent_before = [json.loads(body)["batch_id"] for body in a.transport.bodies]
    assert len(sent_before) == nth - 1  # the batch on the wire when the next one was stored
    a.restart(max_batch_ops=resume_ops)
    report = a.sync()
    resent = [json.loads(body)["batch_id"] for body in a.transport.bodies]
    assert resent[0] == sent_before[-1]  # the unanswered batch goes first, then the stored one
    assert resent[1] not in sent_before
    assert report.duplicate == 10  # the hub had applied it: nothing applied twice
    assert set(hub.records(mediator)) == set(ids)
    assert len(hub.applied_ops(mediator)) == 46
    check_invariants(hub, [a])


def test_a_record_changed_while_its_batch_is_on_the_wire_waits_for_the_answer(hub, make_device):
    mediator, (a,) = _enrolled(hub, make_device, "a")
    ids = [a.record(notes=f"séance {i}") for i in range(25)]
    a.restart(max_batch_ops=10)

    def edit_first() -> None:
        if len(a.transport.bodies) == 1:
            a.edit(ids[0], notes="corrigée pendant l'envoi")

    a.transport.before["push"] = edit_first
    a.sync()
    bodies = [json.loads(body) for body in a.transport.bodies]
    batches_with_first = [
        i for i, body in enumerate(bodies) if ids[0] in {op["entity_id"] for op in body["ops"]}
    ]
    # Sent twice (creation, then the edit), never in two batches on the wire at once.
    assert len(batches_with_first) == 2 and batches_with_first[1] >= 2
    assert hub.records(mediator)[ids[0]]["notes"] == "corrigée pendant l'envoi"
    check_invariants(hub, [a])


@pytest.mark.parametrize("fault", ["drop_response", "drop_request", "reset"])
def test_lost_request_or_response_is_retried_unchanged(any_hub, make_device, fault):
    hub = any_hub
    mediator, (a,) = _enrolled(hub, make_device, "a")
    for i in range(30):
        a.record(notes=f"séance {i}")
    a.transport.plan("push", fault, fault)
    report = a.sync()
    pushes = [body for body in a.transport.bodies]
    assert len(pushes) == 3 and pushes[0] == pushes[1] == pushes[2]
    assert report.retries == 2
    if fault == "drop_response":
        assert report.duplicate == 31 and report.applied == 0
    else:
        assert report.applied == 31
    assert len(hub.applied_ops(mediator)) == 31
    check_invariants(hub, [a])


def test_same_batch_sent_concurrently_is_applied_once(any_hub, make_device):
    hub = any_hub
    mediator, (a, b) = _enrolled(hub, make_device, "a", "b")
    for i in range(40):
        a.record(notes=f"séance {i}")
    a.transport.plan("push", "duplicate")
    report = a.sync()
    assert report.acknowledged == 41
    # And the stored body, fired by 4 connections at once: one answer for all.
    body = a.transport.bodies[0]
    token = a.tokens.get_token("a")

    def fire(_: int) -> list[tuple[str, str, int | None]]:
        t = HttpTransport(a.http.base_url, token)
        try:
            return [(r.op_id, r.status, r.version) for r in t.push(body).results]
        finally:
            t.close()

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(fire, range(4)))
    assert all(ans == answers[0] for ans in answers)
    assert {status for _, status, _ in answers[0]} == {"duplicate"}
    assert len(hub.records(mediator)) == 40
    assert len(hub.applied_ops(mediator)) == 41
    b.sync()
    check_invariants(hub, [a, b])


def test_one_invalid_op_does_not_sink_the_batch_and_is_shown(hub, make_device):
    mediator, (a,) = _enrolled(hub, make_device, "a")
    good = [a.record(notes=f"séance {i}") for i in range(20)]
    bad = a.record(notes="thème retiré")
    # A national code the hub does not know (a list changed while the laptop was offline).
    with a.notebook.session_factory.begin() as db:
        row = db.get(Accompagnement, bad)
        base = row.version
        row.themes = "|theme_retire|"
        row.version = base + 1
        db.flush()
        db.add(outbox_entry(row, "upsert", base))
    report = a.sync()
    assert report.rejected == 1 and report.applied == 21
    assert set(hub.records(mediator)) == set(good)
    [issue] = a.engine.issues()
    assert issue.kind == "rejected" and issue.entity_id == bad
    assert issue.code == "unknown_code" and "theme_retire" in issue.reason
    assert a.engine.status().open_issues == 1
    check_invariants(hub, [a])
    # The user corrects the session: it goes through, and the item can be dismissed.
    a.edit(bad, themes=["email"])
    assert a.sync().applied == 1
    a.engine.resolve_issue(issue.id)
    assert a.engine.issues() == [] and a.engine.status().open_issues == 0
    assert bad in hub.records(mediator)
    check_invariants(hub, [a])


def test_edit_during_an_in_flight_push_is_sent_after_and_not_lost(any_hub, make_device):
    hub = any_hub
    mediator, (a, b) = _enrolled(hub, make_device, "a", "b")
    sid = a.record(notes="avant")
    # The user saves an edit while the batch holding the creation is on the wire.
    a.transport.before["push"] = lambda: a.edit(sid, notes="pendant l'envoi")
    report = a.sync()
    assert report.batches == 2 and report.applied == 3
    assert hub.records(mediator)[sid]["notes"] == "pendant l'envoi"
    assert hub.records(mediator)[sid]["version"] == 2
    assert [e.state for e in a.outbox()] == ["acked"] * 3
    b.sync()
    assert b.session_notes(sid) == "pendant l'envoi"
    check_invariants(hub, [a, b])


def test_edit_while_the_response_is_lost_keeps_the_newer_edit(hub, make_device):
    mediator, (a,) = _enrolled(hub, make_device, "a")
    sid = a.record(notes="v1")
    a.sync()

    def edit_then_lose() -> None:
        a.edit(sid, notes="v3")

    a.edit(sid, notes="v2")
    a.transport.plan("push", "drop_response")
    a.transport.before["push"] = edit_then_lose
    a.sync()
    on_hub = hub.records(mediator)[sid]
    assert on_hub["notes"] == "v3" and on_hub["version"] == 3
    with a.notebook.session_factory() as db:
        assert db.get(Accompagnement, sid).version == 3
    check_invariants(hub, [a])


def test_device_revoked_mid_sync_keeps_everything_until_enrolled_again(hub, make_device):
    mediator, (a,) = _enrolled(hub, make_device, "a")
    ids = [a.record(notes=f"séance {i}") for i in range(250)]
    device_id = a.state("device_id")
    # Revoked once the first batch is answered, before the next one goes out.
    revoke = CrashAt("push.response_received", 1, action=lambda: hub.revoke(device_id), crash=False)
    a.restart(checkpoint=revoke, max_batch_ops=100)
    with pytest.raises(AuthError) as info:
        a.sync()
    assert info.value.code == "device_revoked"
    assert "révoqué" in info.value.message or "jeton" in info.value.message.lower()
    assert len(hub.records(mediator)) == 99  # the first batch only (venue + 99 sessions)
    status = a.engine.status()
    assert status.pending == 151 and status.last_error == info.value.message
    # A new code from the coordinator: the device resumes where it stopped.
    a.enrol(hub, mediator)
    a.sync()
    assert set(hub.records(mediator)) == set(ids)
    assert len(hub.applied_ops(mediator)) == 251
    check_invariants(hub, [a])


def test_stored_batch_survives_as_exact_bytes(hub, make_device):
    """What is resent after a crash is the stored JSON, not a rebuilt batch."""
    _, (a,) = _enrolled(hub, make_device, "a")
    a.record(notes="x")
    crash_then_restart(a, "push.batch_stored")
    with pytest.raises(SimulatedCrash):
        a.sync()
    with a.notebook.session_factory() as db:
        stored = db.execute(select(Accompagnement.id)).all()
        assert stored
    body = json.loads(_stored_body(a))
    assert wire.PushRequest.from_json(body).ops[0].base_version == 0
    a.restart()
    a.sync()
    assert json.loads(a.transport.bodies[0]) == body


def _stored_body(device) -> str:
    from app.models.sync_tables import SyncBatch

    with device.notebook.session_factory() as db:
        return db.scalars(select(SyncBatch.body)).one()
