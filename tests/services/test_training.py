"""Training paths and progress: catalogue snapshots by version/ETag, local paths and the outbox,
progress folding, withdrawal while offline, two devices merging by union, workshop groups."""

from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from app.models.payloads import apply_payload
from app.models.training import ProgressEvent, TrainingPath, apply_path_payload, read_paths
from app.models.training_format import ModuleSpec, PathSpec
from app.services.notebook import open_notebook
from app.services.progress import (
    DONE,
    PATH_COMPLETED,
    PATH_ENROLLED,
    PATH_IN_PROGRESS,
    STARTED,
    TODO,
    Subject,
)
from app.services.sessions import SessionInput
from app.services.training import TrainingError, seed_snapshot

D = dt.date
SMARTPHONE = "seed-debuter-smartphone"
SANTE = "seed-mon-espace-sante"
DEMARCHES = "seed-demarches-securite"
FACILITATEUR = "seed-devenir-facilitateur"
CODE = "KRT-4MU"


def _m(path_id: str, n: int) -> str:
    return f"{path_id}-{n:02d}"


def _snapshot(version: int, drop: tuple[str, ...] = ()) -> dict:
    snap = seed_snapshot()
    snap["version"] = version
    snap["paths"] = [p for p in snap["paths"] if p["id"] not in drop]
    return snap


@pytest.fixture
def training(notebook):
    notebook.training.apply_catalogue(_snapshot(1), etag='"v1"')
    return notebook.training


def _outbox(nb, entity: str) -> list[tuple[str, str, int, dict]]:
    con = sqlite3.connect(nb.db_path)
    rows = con.execute(
        "SELECT entity_id, op, base_version, payload FROM outbox WHERE entity=? ORDER BY seq",
        (entity,),
    ).fetchall()
    con.close()
    return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]


# ---- catalogue ---------------------------------------------------------------------------------


def test_snapshot_is_applied_only_when_its_version_changes(notebook):
    svc = notebook.training
    assert svc.catalogue_state() == (None, None)
    first = svc.apply_catalogue(_snapshot(1), etag='"v1"')
    assert first.applied and len(first.inserted) == 4
    assert svc.catalogue_state() == ("1", '"v1"')
    assert svc.catalogue_etag() == '"v1"'

    # Same version again (e.g. a proxy lost the ETag): nothing rewritten, new ETag kept.
    before = {p.id: p for p in svc.list_paths()}
    again = svc.apply_catalogue(_snapshot(1), etag='"v1-bis"')
    assert not again.applied and again.inserted == again.updated == ()
    assert svc.catalogue_state() == ("1", '"v1-bis"')
    assert {p.id: p for p in svc.list_paths()} == before

    # Version 2 renames a module and changes a target level: the path is updated in place.
    snap = _snapshot(2)
    sante = next(p for p in snap["paths"] if p["id"] == SANTE)
    sante["version"] = 2
    sante["modules"][0]["title"] = "Découvrir Mon Espace Santé (nouvelle version)"
    sante["modules"][0]["competences"] = [{"code": "1.1", "target_level": 2}]
    update = svc.apply_catalogue(snap, etag='"v2"')
    assert update.applied and update.updated == ("Mon Espace Santé",)
    assert update.inserted == () and update.withdrawn == ()
    spec = svc.get_path(SANTE)
    assert spec is not None and spec.version == 2
    assert spec.modules[0].title.endswith("(nouvelle version)")
    assert spec.modules[0].competences == (("1.1", 2),)
    assert svc.catalogue_state() == ("2", '"v2"')
    # Hub paths never go to the outbox.
    assert _outbox(notebook, "training_path") == []


def test_an_unreadable_path_is_skipped_and_the_others_applied(notebook):
    snap = _snapshot(1)
    snap["paths"][0] = {"id": "casse", "title": "", "modules": "rien"}
    update = notebook.training.apply_catalogue(snap)
    assert update.applied and len(update.inserted) == 3
    assert len(update.problems) == 1 and "ignoré" in update.problems[0]


def test_samples_load_once_and_the_hub_snapshot_then_takes_over(notebook):
    svc = notebook.training
    first = svc.install_samples()
    assert first is not None and len(first.inserted) == 4
    assert svc.install_samples() is None
    update = svc.apply_catalogue(_snapshot(7, drop=(FACILITATEUR,)), etag='"v7"')
    assert update.withdrawn == ("Devenir facilitateur numérique",)
    assert {p.id for p in svc.list_paths()} == {SMARTPHONE, SANTE, DEMARCHES}


# ---- the must-show: withdrawal while offline -----------------------------------------


def test_path_removed_from_catalogue_while_offline_keeps_the_history(training, notebook):
    person = Subject.person(CODE)
    training.enrol(person, SANTE, occurred_on=D(2025, 3, 3), level_before={"4.2": 1})
    training.record(person, SANTE, _m(SANTE, 1), "done", occurred_on=D(2025, 3, 3))
    training.record(
        person,
        SANTE,
        _m(SANTE, 2),
        "done",
        occurred_on=D(2025, 3, 10),
        level_after={"4.1": 2},
    )
    before = training.progress(person)
    events_before = _outbox(notebook, "progress_event")

    # Back online: the hub's new catalogue no longer has the path.
    update = training.apply_catalogue(_snapshot(2, drop=(SANTE,)), etag='"v2"')
    assert update.withdrawn == ("Mon Espace Santé",)

    after = training.progress(person)
    path = after.path(SANTE)
    assert path is not None and path.withdrawn and path.in_catalogue
    assert path.title == "Mon Espace Santé"
    assert [m.title for m in path.modules] == [m.title for m in before.path(SANTE).modules]
    assert [(m.status, m.done_on) for m in path.modules[:2]] == [
        (DONE, D(2025, 3, 3)),
        (DONE, D(2025, 3, 10)),
    ]
    assert (path.done_count, path.total) == (2, 5)
    assert [(c.code, c.latest_level) for c in after.competences if c.points] == [
        ("4.1", 2),
        ("4.2", 1),
    ]
    assert after.history == before.history
    assert _outbox(notebook, "progress_event") == events_before  # nothing rewritten
    # Not suggested any more, not open to new enrolments; the catalogue list hides it.
    assert after.next_step is None
    with pytest.raises(TrainingError, match="retiré du catalogue"):
        training.enrol(Subject.person("ACD-EFC"), SANTE)
    assert SANTE not in {p.id for p in training.list_paths()}
    assert SANTE in {p.id for p in training.list_paths(include_withdrawn=True)}
    # The person can still finish a module of it.
    training.record(person, SANTE, _m(SANTE, 3), "done", occurred_on=D(2025, 4, 1))
    assert training.progress(person).path(SANTE).done_count == 3


def test_progress_on_a_path_this_device_never_had_reads_from_the_event_snapshots(tmp_path):
    a = open_notebook(tmp_path / "a.db")
    b = open_notebook(tmp_path / "b.db")
    try:
        a.training.apply_catalogue(_snapshot(1))
        person = Subject.person(CODE)
        a.training.enrol(person, SMARTPHONE, occurred_on=D(2025, 1, 6))
        a.training.record(person, SMARTPHONE, _m(SMARTPHONE, 2), "done", occurred_on=D(2025, 1, 6))
        _sync_events(a, b)  # b has no catalogue at all
        view = b.training.progress(person)
        path = view.path(SMARTPHONE)
        assert path is not None and not path.in_catalogue
        assert path.title == "Débuter avec un smartphone"
        assert (path.done_count, path.total) == (1, 6)
        assert [(m.title, m.status) for m in path.modules] == [
            ("Les gestes tactiles et les réglages de confort", DONE)
        ]
    finally:
        a.close()
        b.close()


# ---- two devices, one person: union ------------------------------------------------------------


def _sync_events(source, target) -> int:
    """What the sync engine does with pulled progress events: apply each payload by id."""
    from sqlalchemy.orm import Session

    count = 0
    with Session(target.engine) as db, db.begin():
        for _id, _op, _base, payload in _outbox(source, "progress_event"):
            apply_payload(db, ProgressEvent, payload)
            count += 1
    return count


def test_two_devices_record_progress_for_the_same_person_and_both_events_survive(tmp_path):
    laptop = open_notebook(tmp_path / "portable.db")
    desk = open_notebook(tmp_path / "fixe.db")
    try:
        for nb in (laptop, desk):
            nb.training.apply_catalogue(_snapshot(1))
        person = Subject.person(CODE)
        # Both offline, same person, same day: each device enrols and records a module.
        laptop.training.enrol(person, DEMARCHES, occurred_on=D(2025, 5, 12))
        laptop.training.record(
            person,
            DEMARCHES,
            _m(DEMARCHES, 1),
            "done",
            occurred_on=D(2025, 5, 12),
            level_after={"4.1": 2},
        )
        desk.training.enrol(person, DEMARCHES, occurred_on=D(2025, 5, 12))
        desk.training.record(
            person,
            DEMARCHES,
            _m(DEMARCHES, 3),
            "done",
            occurred_on=D(2025, 5, 12),
            level_after={"4.1": 3},
        )
        # Sync both ways, twice (a retried pull must not duplicate anything).
        for _ in range(2):
            _sync_events(laptop, desk)
            _sync_events(desk, laptop)
        views = [nb.training.progress(person) for nb in (laptop, desk)]
        assert views[0] == views[1]
        path = views[0].path(DEMARCHES)
        assert [m.status for m in path.modules] == [DONE, TODO, DONE, TODO, TODO, TODO]
        assert len(views[0].history) == 4  # two enrolments, two modules: all kept
        # Both levels count, in (date, id) order: the later-born id wins the same day.
        (competence,) = [c for c in views[0].competences if c.code == "4.1"]
        assert [level for _, level in competence.points] == [2, 3]
        for nb in (laptop, desk):
            con = sqlite3.connect(nb.db_path)
            assert con.execute("SELECT count(*) FROM progress_event").fetchone() == (4,)
            con.close()
    finally:
        laptop.close()
        desk.close()


# ---- folding -----------------------------------------------------------------------------------


def test_folding_statuses_cancellations_and_order(training):
    person = Subject.person(CODE)
    enrol = training.enrol(person, SMARTPHONE, occurred_on=D(2024, 9, 2))
    assert training.progress(person).path(SMARTPHONE).status == PATH_ENROLLED
    training.record(person, SMARTPHONE, _m(SMARTPHONE, 1), "started", occurred_on=D(2024, 9, 2))
    done = training.record(person, SMARTPHONE, _m(SMARTPHONE, 1), "done", occurred_on=D(2024, 9, 9))
    # A "started" recorded later (dated before) does not undo "done".
    training.record(person, SMARTPHONE, _m(SMARTPHONE, 1), "started", occurred_on=D(2024, 9, 5))
    path = training.progress(person).path(SMARTPHONE)
    first = path.modules[0]
    assert (first.status, first.started_on, first.done_on) == (DONE, D(2024, 9, 2), D(2024, 9, 9))
    assert path.status == PATH_IN_PROGRESS

    # Cancel the "done": the module falls back to started; cancel the cancellation: done again.
    cancellation = training.cancel(done)
    view = training.progress(person)
    assert view.path(SMARTPHONE).modules[0].status == STARTED
    assert [h.cancelled for h in view.history if h.event.id == done] == [True]
    training.cancel(cancellation)
    assert training.progress(person).path(SMARTPHONE).modules[0].status == DONE

    for n in range(2, 7):
        training.record(person, SMARTPHONE, _m(SMARTPHONE, n), "done", occurred_on=D(2024, 10, n))
    path = training.progress(person).path(SMARTPHONE)
    assert path.status == PATH_COMPLETED and (path.done_count, path.total) == (6, 6)

    # Cancelling the enrolment alone keeps the modules' history (they are events too).
    training.cancel(enrol)
    assert training.progress(person).path(SMARTPHONE).enrolled_on == D(2024, 9, 2)


def test_competence_levels_over_time_and_targets(training):
    person = Subject.person(CODE)
    training.enrol(person, DEMARCHES, occurred_on=D(2025, 1, 6), level_before={"4.1": 1, "1.1": 1})
    training.record(
        person, DEMARCHES, None, "assessed", occurred_on=D(2025, 2, 3), level_after={"4.1": 2}
    )
    training.record(
        person,
        DEMARCHES,
        _m(DEMARCHES, 3),
        "done",
        occurred_on=D(2025, 3, 3),
        level_before={"4.1": 9 - 7},
        level_after={"4.1": 3, "4.2": 2},
    )
    comps = {c.code: c for c in training.progress(person).competences}
    assert comps["4.1"].points == ((D(2025, 1, 6), 1), (D(2025, 2, 3), 2), (D(2025, 3, 3), 3))
    assert (comps["4.1"].first_level, comps["4.1"].latest_level) == (1, 3)
    assert comps["4.1"].target_level == 2 and comps["4.1"].reached_target
    assert comps["1.1"].latest_level == 1 and not comps["1.1"].reached_target
    # Targeted but never assessed: listed without points, in CRCN order.
    assert comps["3.3"].points == () and comps["3.3"].target_level == 1
    assert list(comps) == sorted(comps, key=lambda c: tuple(map(int, c.split("."))))


def test_next_step_is_the_first_module_not_done_of_the_most_recent_active_path(training):
    person = Subject.person(CODE)
    assert training.next_step(person) is None
    training.enrol(person, SMARTPHONE, occurred_on=D(2025, 1, 6))
    training.record(person, SMARTPHONE, _m(SMARTPHONE, 1), "done", occurred_on=D(2025, 1, 6))
    training.record(person, SMARTPHONE, _m(SMARTPHONE, 3), "done", occurred_on=D(2025, 1, 13))
    step = training.next_step(person)
    assert (step.path_id, step.module_id, step.position) == (SMARTPHONE, _m(SMARTPHONE, 2), 2)
    assert (step.done_count, step.total) == (2, 6)
    training.enrol(person, SANTE, occurred_on=D(2025, 2, 3))
    assert training.next_step(person).module_id == _m(SANTE, 1)
    for n in range(1, 6):
        training.record(person, SANTE, _m(SANTE, n), "done", occurred_on=D(2025, 2, 10))
    # Santé completed: back to the smartphone path.
    assert training.next_step(person).module_id == _m(SMARTPHONE, 2)


def test_refusals_are_explained_and_nothing_is_written(training, notebook):
    person = Subject.person(CODE)
    with pytest.raises(TrainingError, match="médiateurs"):
        training.enrol(person, FACILITATEUR)
    with pytest.raises(TrainingError, match="personnes accompagnées"):
        training.enrol(Subject.myself(), SANTE)
    training.enrol(person, SANTE)
    with pytest.raises(TrainingError, match="Déjà inscrit"):
        training.enrol(person, SANTE)
    with pytest.raises(TrainingError, match="futur"):
        training.record(
            person,
            SANTE,
            _m(SANTE, 1),
            "done",
            occurred_on=D.today().replace(year=D.today().year + 1),
        )
    with pytest.raises(TrainingError, match="entre 1 et 8"):
        training.record(person, SANTE, _m(SANTE, 1), "done", level_after={"4.2": 9})
    with pytest.raises(TrainingError, match="Compétence inconnue"):
        training.record(person, SANTE, _m(SANTE, 1), "done", level_after={"6.1": 2})
    with pytest.raises(TrainingError, match="ne fait pas partie"):
        training.record(person, SANTE, _m(SMARTPHONE, 1), "done")
    with pytest.raises(TrainingError, match="pas dans le catalogue"):
        training.record(person, "inconnu", "x", "done")
    with pytest.raises(TrainingError, match="au moins un niveau"):
        training.record(person, SANTE, None, "assessed")
    with pytest.raises(TrainingError, match="code"):
        training.person("KRT-4MY")  # wrong check character
    assert len(_outbox(notebook, "progress_event")) == 1


def test_the_mediators_own_training(training, notebook):
    me = Subject.myself()
    training.enrol(me, FACILITATEUR, occurred_on=D(2025, 6, 2))
    training.record(me, FACILITATEUR, _m(FACILITATEUR, 1), "done", occurred_on=D(2025, 6, 2))
    view = training.my_training()
    assert view.path(FACILITATEUR).done_count == 1
    assert view.next_step.module_id == _m(FACILITATEUR, 2)
    payloads = [p for *_, p in _outbox(notebook, "progress_event")]
    assert {(p["subject_kind"], p["subject_id"]) for p in payloads} == {("self", "self")}


# ---- sessions and workshop groups --------------------------------------------------------------


def _workshop(notebook, venue_id: str, day: D, participants: int = 8) -> str:
    return notebook.sessions.record(
        SessionInput(
            kind="collectif",
            date=day,
            venue_id=venue_id,
            themes=["prendre_en_main_du_materiel"],
            workshop_title="Smartphone débutants",
            participants=participants,
        )
    )


def test_progress_linked_to_sessions(training, notebook, venue_id):
    sid = notebook.sessions.record(
        SessionInput(venue_id=venue_id, themes=["sante"], followup_code=CODE, date=D(2025, 3, 3))
    )
    person = training.person("krt 4mu")
    assert person == Subject.person(CODE)
    assert [s.id for s in training.sessions_for(person)] == [sid]
    training.enrol(person, SANTE, occurred_on=D(2025, 3, 3), session_id=sid)
    done = training.record(
        person, SANTE, _m(SANTE, 1), "done", occurred_on=D(2025, 3, 3), session_id=sid
    )
    assert training.progress(person).path(SANTE).modules[0].session_ids == (sid,)
    linked = training.session_events(sid)
    assert [(h.event.kind, h.cancelled) for h in linked] == [("enrolled", False), ("done", False)]
    training.cancel(done)
    assert [h.cancelled for h in training.session_events(sid)] == [False, True]


def test_workshop_group_matrix(training, notebook, venue_id):
    first = _workshop(notebook, venue_id, D(2025, 4, 1))
    second = _workshop(notebook, venue_id, D(2025, 4, 8), participants=7)
    group = Subject.workshop(first)
    with pytest.raises(TrainingError, match="d'abord le groupe"):
        training.enrol_member(first, "ACD-EFC", SMARTPHONE)
    training.enrol(group, SMARTPHONE, occurred_on=D(2025, 4, 1), session_id=first)
    training.enrol_member(first, "ACD-EFC", SMARTPHONE)
    training.enrol_member(first, CODE, SMARTPHONE)
    training.record_group(
        first, SMARTPHONE, _m(SMARTPHONE, 1), "done", ["ACD-EFC"], D(2025, 4, 1), first
    )
    training.record_group(first, SMARTPHONE, _m(SMARTPHONE, 2), "done", [], D(2025, 4, 8), second)

    matrix = training.group_matrix(first, SMARTPHONE)
    assert matrix.workshop.participants == 8 and matrix.path_title == "Débuter avec un smartphone"
    assert len(matrix.columns) == 6
    assert [r.subject for r in matrix.rows] == [
        group,
        Subject.person("ACD-EFC"),
        Subject.person(CODE),
    ]
    assert [c.status for c in matrix.rows[0].cells[:3]] == [DONE, DONE, TODO]
    assert [c.status for c in matrix.rows[1].cells[:3]] == [DONE, TODO, TODO]
    assert matrix.rows[2].done_count == 0
    # The member's own page shows the path too.
    assert training.progress(Subject.person("ACD-EFC")).path(SMARTPHONE).done_count == 1
    (listed,) = training.workshop_groups()
    assert listed.workshop.id == first and listed.member_codes == ("ACD-EFC", CODE)
    assert listed.paths == ((SMARTPHONE, "Débuter avec un smartphone"),)
    assert [w.id for w in training.workshops()] == [second, first]


# ---- local paths -------------------------------------------------------------------------------


def _local_spec(title: str = "Réparer son ordinateur") -> PathSpec:
    return PathSpec(
        title=title,
        audience="beneficiaires",
        description="Entretien de base.",
        modules=(
            ModuleSpec(
                title="Nettoyer le disque",
                objective="Libérer de la place.",
                expected_duration_min=45,
                themes=("maintenance_de_materiel",),
                competences=(("5.1", 2),),
            ),
            ModuleSpec(title="Sauvegarder ses fichiers", expected_duration_min=60),
        ),
    )


def test_local_path_create_edit_propose_and_its_outbox(training, notebook):
    pid = training.create_path(_local_spec())
    spec = training.get_path(pid)
    assert (spec.origin, spec.status, spec.version) == ("local", "local_only", 1)
    assert spec.editable and all(m.id for m in spec.modules)

    edited = PathSpec(
        title="Réparer et entretenir son ordinateur",
        audience="beneficiaires",
        modules=(*spec.modules, ModuleSpec(title="Mettre à jour", expected_duration_min=30)),
    )
    training.update_path(pid, edited)
    training.propose_path(pid)
    entries = _outbox(notebook, "training_path")
    assert [(e[1], e[2]) for e in entries] == [("upsert", 0), ("upsert", 1), ("upsert", 2)]
    last = entries[-1][3]
    assert last["status"] == "proposed" and last["path_version"] == 2
    assert [m["title"] for m in last["modules"]] == [
        "Nettoyer le disque",
        "Sauvegarder ses fichiers",
        "Mettre à jour",
    ]
    assert last["modules"][0]["id"] == spec.modules[0].id  # module ids are kept across edits

    # The same payload applied on another device of the mediator gives the same path.
    from sqlalchemy.orm import Session

    other = open_notebook(Path(notebook.db_path).with_name("autre.db"))
    try:
        with Session(other.engine) as db, db.begin():
            apply_path_payload(db, last)
        assert other.training.get_path(pid) == training.get_path(pid)
    finally:
        other.close()

    # Hub staff publish it under the same id: it becomes a hub path, read-only here.
    snap = _snapshot(5)
    snap["paths"].append(training.export_path(pid))
    update = training.apply_catalogue(snap)
    assert update.updated == ("Réparer et entretenir son ordinateur",)
    published = training.get_path(pid)
    assert (published.origin, published.status, published.editable) == ("hub", "published", False)
    with pytest.raises(TrainingError, match="publié par le hub"):
        training.update_path(pid, edited)


def test_invalid_local_path_is_refused_with_reasons(training):
    bad = PathSpec(title=" ", audience="beneficiaires", modules=())
    with pytest.raises(TrainingError) as info:
        training.create_path(bad)
    assert "titre" in info.value.message and "au moins un module" in info.value.message
    assert all(p.origin == "hub" for p in training.list_paths())


def test_export_import_makes_an_independent_local_copy(training, tmp_path):
    target = tmp_path / "parcours.json"
    training.export_path_file(SANTE, target)
    new_id = training.import_path_file(target)
    copy_spec = training.get_path(new_id)
    original = training.get_path(SANTE)
    assert new_id != SANTE and copy_spec.origin == "local" and copy_spec.editable
    assert [m.title for m in copy_spec.modules] == [m.title for m in original.modules]
    assert not {m.id for m in copy_spec.modules} & {m.id for m in original.modules}

    broken = tmp_path / "casse.json"
    broken.write_text("{pas du json", encoding="utf-8")
    with pytest.raises(TrainingError, match="JSON invalide"):
        training.import_path_file(broken)
    data = copy.deepcopy(training.export_path(SANTE))
    data["modules"][0]["competences"] = [{"code": "1.1", "target_level": 12}]
    with pytest.raises(TrainingError, match="entre 1 et 8"):
        training.import_path(data)
    with pytest.raises(TrainingError, match="ne peut pas être lu"):
        training.import_path_file(tmp_path / "absent.json")


def test_deleting_a_local_path_keeps_progress_readable(training, notebook):
    pid = training.create_path(_local_spec())
    person = Subject.person(CODE)
    spec = training.get_path(pid)
    training.enrol(person, pid)
    training.record(person, pid, spec.modules[0].id, "done")
    training.delete_path(pid)
    assert pid not in {p.id for p in training.list_paths(include_withdrawn=True)}
    path = training.progress(person).path(pid)
    assert path.title == "Réparer son ordinateur" and path.done_count == 1
    assert _outbox(notebook, "training_path")[-1][1] == "delete"
    with notebook.session_factory() as db:
        assert db.get(TrainingPath, pid).deleted_at is not None
        assert read_paths(db, [pid]) == []
