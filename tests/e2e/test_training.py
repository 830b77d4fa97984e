"""Training paths end to end: the real hub on loopback and real devices (issue "parcours").

A path withdrawn or removed from the catalogue while a device is offline leaves the history
recorded on it intact; two devices recording progress for the same person both keep all the
events (union); the catalogue comes down by ETag (304 when unchanged); a mediator's proposed
path, once published by hub staff, reaches every device.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.models.training import ProgressEvent
from app.models.training_format import ModuleSpec, PathSpec
from app.services.progress import DONE, Subject
from hub import training
from tests.e2e.harness import check_invariants

SANTE = "seed-mon-espace-sante"
SMARTPHONE = "seed-debuter-smartphone"
CODE = "KRT-4MU"
D = dt.date


def _module(path_id: str, n: int) -> str:
    return f"{path_id}-{n:02d}"


def _devices(hub, make_device, *names):
    mediator = hub.new_mediator()
    devices = [make_device(n) for n in names]
    for d in devices:
        d.enrol(hub, mediator)
    return mediator, devices


def _seed(hub) -> None:
    with hub.db.write() as s:
        assert training.seed_catalogue(s) == 4


def _events(device) -> dict[str, dict[str, Any]]:
    with device.notebook.session_factory() as db:
        return {
            e.id: {"kind": e.kind, "module": e.module_id, "subject": e.subject_id}
            for e in db.scalars(select(ProgressEvent))
        }


def _unsent(device) -> list[str]:
    return [e.entity for e in device.outbox() if e.state in ("pending", "inflight")]


def test_a_path_leaving_the_catalogue_while_offline_keeps_its_history(any_hub, make_device):
    hub = any_hub
    _seed(hub)
    mediator, (a, b) = _devices(hub, make_device, "a", "b")
    a.sync()
    assert a.notebook.training.catalogue_state()[0] == "1"
    person = Subject.person(CODE)
    svc = a.notebook.training
    # Offline: the person works on two paths, with a session and an assessment.
    session_id = a.record(notes="")
    svc.enrol(person, SANTE, occurred_on=D(2025, 3, 3), level_before={"4.2": 1})
    svc.record(person, SANTE, _module(SANTE, 1), "done", D(2025, 3, 3), session_id=session_id)
    svc.record(person, SANTE, _module(SANTE, 2), "done", D(2025, 3, 10), level_after={"4.2": 2})
    svc.enrol(person, SMARTPHONE, occurred_on=D(2025, 3, 3))
    svc.record(person, SMARTPHONE, _module(SMARTPHONE, 1), "done", D(2025, 3, 3))
    before = svc.progress(person)
    # Meanwhile hub staff withdraw one path, and the other disappears from the snapshot.
    with hub.db.write() as s:
        training.withdraw_path(s, SANTE)
        remaining = [p for p in training.snapshot_paths(s) if p["id"] != SMARTPHONE]
    hub.publish_catalogue({"paths": remaining})

    report = a.sync()
    assert report.catalogue_updated and report.rejected == 0
    assert _unsent(a) == []
    after = svc.progress(person)
    assert after.history == before.history
    for path_id, done in ((SANTE, 2), (SMARTPHONE, 1)):
        path = after.path(path_id)
        assert path is not None and path.withdrawn, path_id
        assert path.done_count == done
        assert [m.status for m in path.modules[:done]] == [DONE] * done
        assert path.modules == before.path(path_id).modules
    assert [(c.code, c.latest_level) for c in after.competences if c.points] == [("4.2", 2)]
    assert after.next_step is None  # nothing suggested on withdrawn paths
    # The hub holds every event; the mediator's other device gets them and reads the same.
    assert len(hub.records(mediator, "progress_event")) == 5
    b.sync()
    assert _events(b) == _events(a)
    other_view = b.notebook.training.progress(person)
    assert other_view.history == after.history
    assert other_view.path(SANTE).withdrawn and other_view.path(SANTE).done_count == 2
    check_invariants(hub, [a, b])


def test_two_devices_record_progress_for_one_person_and_both_events_survive(any_hub, make_device):
    hub = any_hub
    _seed(hub)
    mediator, (a, b) = _devices(hub, make_device, "a", "b")
    a.sync()
    b.sync()
    person = Subject.person(CODE)
    # Both offline, the same person, the same path: one device enrols and records module 1,
    # the other (not knowing) enrols too and records module 2 the same day.
    a.notebook.training.enrol(person, SANTE, occurred_on=D(2025, 5, 5))
    a.notebook.training.record(person, SANTE, _module(SANTE, 1), "done", D(2025, 5, 5))
    b.notebook.training.enrol(person, SANTE, occurred_on=D(2025, 5, 5))
    b.notebook.training.record(person, SANTE, _module(SANTE, 2), "done", D(2025, 5, 5))
    b.notebook.training.record(person, SANTE, _module(SANTE, 3), "started", D(2025, 5, 6))
    a.sync()
    b.sync()
    a.sync()
    assert _unsent(a) == _unsent(b) == []
    union = _events(a)
    assert len(union) == 5 and union == _events(b)
    assert set(hub.records(mediator, "progress_event")) == set(union)
    for device in (a, b):
        path = device.notebook.training.progress(person).path(SANTE)
        assert [m.status for m in path.modules[:3]] == [DONE, DONE, "started"], device.name
    # Syncing again changes nothing: no event is sent or applied twice.
    ops = len(hub.applied_ops(mediator))
    assert a.sync().acknowledged == b.sync().acknowledged == 0
    assert len(hub.applied_ops(mediator)) == ops
    check_invariants(hub, [a, b])


def test_the_catalogue_comes_down_by_etag(hub, make_device):
    _seed(hub)
    _, (a,) = _devices(hub, make_device, "a")
    answers: list[tuple[str | None, bool]] = []  # (If-None-Match sent, changed?)
    real = a.http.catalogue

    def recording(etag):
        result = real(etag)
        answers.append((etag, result is not None))
        return result

    a.http.catalogue = recording  # type: ignore[method-assign]
    first = a.sync()
    version, etag = a.notebook.training.catalogue_state()
    assert first.catalogue_updated and version == "1" and etag
    assert len(a.notebook.training.list_paths()) == 4
    assert not a.sync().catalogue_updated
    # Unchanged: the pull announced the ETag held, so no request at all; asked anyway, a 304.
    assert answers == [(None, True)]
    assert a.http.catalogue(etag) is None
    answers.clear()
    with hub.db.write() as s:
        training.withdraw_path(s, SANTE)
    assert a.sync().catalogue_updated
    assert answers == [(etag, True)]
    assert a.notebook.training.catalogue_state()[0] == "2"
    assert SANTE not in {p.id for p in a.notebook.training.list_paths()}
    assert SANTE in {p.id for p in a.notebook.training.list_paths(include_withdrawn=True)}
    assert not a.sync().catalogue_updated
    assert len(answers) == 1


def test_a_proposed_path_published_by_hub_staff_reaches_every_device(hub, make_device):
    _seed(hub)
    _, (a, b) = _devices(hub, make_device, "a", "b")
    _, (c,) = _devices(hub, make_device, "c")  # another mediator
    path_id = a.notebook.training.create_path(
        PathSpec(
            title="Prendre rendez-vous en ligne",
            audience="beneficiaires",
            modules=(
                ModuleSpec(
                    title="Trouver le bon site", themes=("sante",), competences=(("1.1", 1),)
                ),
                ModuleSpec(title="Réserver", themes=("sante",), competences=(("4.2", 2),)),
            ),
        )
    )
    a.notebook.training.propose_path(path_id)
    a.sync()
    b.sync()  # the mediator's other device gets the proposed path with its modules
    mine = b.notebook.training.get_path(path_id)
    assert mine is not None and (mine.origin, mine.status) == ("local", "proposed")
    assert [m.title for m in mine.modules] == ["Trouver le bon site", "Réserver"]
    assert c.notebook.training.get_path(path_id) is None
    with hub.db.write() as s:
        training.publish_path(s, path_id)
    for device in (a, b, c):
        device.sync()
        spec = device.notebook.training.get_path(path_id)
        assert spec is not None, device.name
        assert (spec.origin, spec.status, spec.editable) == ("hub", "published", False)
        assert [m.title for m in spec.modules] == ["Trouver le bon site", "Réserver"]
    # A full re-pull on the mediator's device does not turn it back into a local path.
    b.restart()
    with b.notebook.session_factory.begin() as db:
        from app.models.entities import SyncState

        db.get(SyncState, "cursor").value = "0"
    b.sync()
    assert b.notebook.training.get_path(path_id).origin == "hub"
