"""The desktop merge of duplicate beneficiaries (one code, two ids), on a real notebook: what a
pull writes, as the sync engine writes it, and what the services see afterwards."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.models.beneficiary_merge import BeneficiaryMerger, canonical_id
from app.models.entities import Accompagnement, Beneficiary, BeneficiaryAlias, OutboxEntry
from app.models.ids import new_id
from app.models.migrate import upgrade
from app.models.payloads import apply_payload, row_payload
from app.services.notebook import Notebook, open_notebook
from app.services.sessions import SessionInput

CODE = "KRT-4MU"


@pytest.fixture
def notebook(tmp_path: Path) -> Any:
    nb = open_notebook(tmp_path / "carnet.db")
    yield nb
    nb.close()


def record(nb: Notebook, code: str = CODE, **kw: Any) -> str:
    held = nb.venues.list()
    venue = held[0].id if held else nb.venues.add("Centre", "59350", "Lille", "59000")
    values: dict[str, Any] = {"venue_id": venue, "themes": ["email"], "followup_code": code}
    values.update(kw)
    return nb.sessions.record(SessionInput(**values))


def hub_beneficiary(entity_id: str, code: str = CODE, deleted: bool = False) -> dict[str, Any]:
    stamp = "2025-03-14T09:00:00Z"
    return {
        "id": entity_id,
        "code": code,
        "created_at": stamp,
        "updated_at": stamp,
        "deleted_at": stamp if deleted else None,
        "version": 1,
    }


def pull_beneficiary(nb: Notebook, payload: dict[str, Any], version: int = 1) -> BeneficiaryMerger:
    """Write a hub beneficiary as the sync engine's pull does (no outbox entry of its own)."""
    with nb.session_factory.begin() as db:
        merger = BeneficiaryMerger(db)
        payload = dict(payload)
        merger.before_beneficiary(payload)
        row = apply_payload(db, Beneficiary, payload)
        assert isinstance(row, Beneficiary)
        row.version = version
        merger.after_beneficiary(row)
    return merger


def pull_session(nb: Notebook, payload: dict[str, Any], version: int) -> BeneficiaryMerger:
    with nb.session_factory.begin() as db:
        merger = BeneficiaryMerger(db)
        row = apply_payload(db, Accompagnement, payload)
        assert row is not None
        row.version = version  # type: ignore[attr-defined]
        merger.after_session(row)
    return merger


def beneficiaries(nb: Notebook) -> dict[str, Beneficiary]:
    with nb.session_factory() as db:
        return {b.id: b for b in db.scalars(select(Beneficiary))}


def sessions(nb: Notebook) -> dict[str, Accompagnement]:
    with nb.session_factory() as db:
        return {s.id: s for s in db.scalars(select(Accompagnement))}


def outbox(nb: Notebook) -> list[tuple[str, str, str, int]]:
    with nb.session_factory() as db:
        return [
            (e.entity, e.entity_id, e.op, e.base_version)
            for e in db.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))
        ]


def aliases(nb: Notebook) -> dict[str, str]:
    with nb.session_factory() as db:
        return {a.alias_id: a.canonical_id for a in db.scalars(select(BeneficiaryAlias))}


def test_an_earlier_row_from_the_hub_wins_and_local_sessions_follow(notebook):
    first, second = record(notebook), record(notebook, date=dt.date(2025, 3, 1))
    (local,) = beneficiaries(notebook)
    earlier = "00000000-0000-7000-8000-000000000001"  # made before anything on this laptop
    queued = len(outbox(notebook))

    merger = pull_beneficiary(notebook, hub_beneficiary(earlier))

    rows = beneficiaries(notebook)
    assert rows[earlier].deleted_at is None and rows[earlier].version == 1
    assert rows[local].deleted_at is not None and rows[local].version == 2  # a local delete
    held = sessions(notebook)
    assert {held[first].beneficiary_id, held[second].beneficiary_id} == {earlier}
    assert held[first].version == 2 and held[second].version == 2
    # Ordinary local edits, queued for the hub; the canonical row itself is not echoed back.
    assert outbox(notebook)[queued:] == [
        ("beneficiary", local, "delete", 1),
        ("accompagnement", first, "upsert", 1),
        ("accompagnement", second, "upsert", 1),
    ]
    with notebook.session_factory() as db:
        entry = db.scalars(select(OutboxEntry).order_by(OutboxEntry.seq.desc())).first()
        assert entry is not None and json.loads(entry.payload)["beneficiary_id"] == earlier
    assert aliases(notebook) == {local: earlier}
    assert (merger.merged, merger.repointed, merger.edited) == (1, 2, {local, first, second})


def test_a_later_row_from_the_hub_is_kept_as_a_tombstone(notebook):
    mine = record(notebook)
    (local,) = beneficiaries(notebook)
    later = new_id()
    queued = len(outbox(notebook))

    pull_beneficiary(notebook, hub_beneficiary(later), version=1)

    rows = beneficiaries(notebook)
    assert rows[local].deleted_at is None and rows[local].version == 1
    assert rows[later].deleted_at is not None and rows[later].version == 2
    # Its delete goes to the hub, based on the hub's version: the hub holds one live row too.
    assert outbox(notebook)[queued:] == [("beneficiary", later, "delete", 1)]
    assert sessions(notebook)[mine].beneficiary_id == local
    assert aliases(notebook) == {later: local}


def test_sessions_pulled_on_a_merged_id_follow_the_alias(notebook):
    record(notebook)
    (local,) = beneficiaries(notebook)
    later = new_id()
    pull_beneficiary(notebook, hub_beneficiary(later))
    theirs = row_payload_for(notebook, beneficiary_id=later)
    queued = len(outbox(notebook))

    merger = pull_session(notebook, theirs, version=3)

    held = sessions(notebook)[theirs["id"]]
    assert held.beneficiary_id == local and held.version == 4
    assert outbox(notebook)[queued:] == [("accompagnement", theirs["id"], "upsert", 3)]
    assert merger.edited == {theirs["id"]}
    # A deleted one is left as the hub has it (it counts nowhere) …
    gone = row_payload_for(notebook, beneficiary_id=later, deleted_at="2025-03-15T10:00:00Z")
    assert not pull_session(notebook, gone, version=2).edited
    assert sessions(notebook)[gone["id"]].beneficiary_id == later
    # … and follows the alias if it is brought back.
    notebook.sessions.undelete(gone["id"])
    assert sessions(notebook)[gone["id"]].beneficiary_id == local


def row_payload_for(nb: Notebook, **overrides: Any) -> dict[str, Any]:
    """A session as another laptop of the mediator would have sent it to the hub."""
    venue = nb.venues.list()[0].id
    row = Accompagnement(
        id=new_id(),
        kind="individuel",
        date=dt.date(2025, 3, 14),
        duration_min=30,
        place_type="lieu_activite",
        venue_id=venue,
        themes="|email|",
        materiels="",
        tags="",
        notes="",
        created_at=dt.datetime(2025, 3, 14, 9, tzinfo=dt.UTC),
        updated_at=dt.datetime(2025, 3, 14, 9, tzinfo=dt.UTC),
        version=1,
    )
    payload = row_payload(row)
    payload.update(overrides)
    return payload


def test_a_later_merge_moves_the_aliases_in_one_hop(notebook):
    record(notebook)
    (local,) = beneficiaries(notebook)
    later, earliest = new_id(), "00000000-0000-7000-8000-000000000001"
    pull_beneficiary(notebook, hub_beneficiary(later))
    pull_beneficiary(notebook, hub_beneficiary(earliest))
    assert aliases(notebook) == {later: earliest, local: earliest}
    with notebook.session_factory() as db:
        assert canonical_id(db, later) == earliest and canonical_id(db, earliest) == earliest
    live = [b.id for b in beneficiaries(notebook).values() if b.deleted_at is None]
    assert live == [earliest]


def test_a_tombstone_from_the_hub_needs_no_merge(notebook):
    mine = record(notebook)
    (local,) = beneficiaries(notebook)
    queued = len(outbox(notebook))
    later = new_id()
    pull_beneficiary(notebook, hub_beneficiary(later, deleted=True), version=2)
    assert outbox(notebook)[queued:] == []  # already deleted on the hub: nothing to send
    assert aliases(notebook) == {later: local}
    assert sessions(notebook)[mine].beneficiary_id == local
    # An earlier id that was deleted on purpose is not an alias of the live row.
    pull_beneficiary(
        notebook, hub_beneficiary("00000000-0000-7000-8000-00000000000a", deleted=True)
    )
    assert aliases(notebook) == {later: local}


def test_the_code_is_unique_among_live_rows_only(notebook):
    record(notebook)
    with notebook.session_factory.begin() as db:
        db.add(Beneficiary(code=CODE, deleted_at=dt.datetime.now(dt.UTC)))  # a tombstone: fine
    with pytest.raises(IntegrityError), notebook.session_factory.begin() as db:
        db.add(Beneficiary(code=CODE))


def test_the_services_see_one_person_after_a_merge(notebook):
    record(notebook)
    (local,) = beneficiaries(notebook)
    earlier = "00000000-0000-7000-8000-000000000001"
    pull_beneficiary(notebook, hub_beneficiary(earlier))
    # Typing the code again goes to the live row: no third row, no error.
    again = record(notebook, code=CODE.lower())
    assert sessions(notebook)[again].beneficiary_id == earlier
    assert len(beneficiaries(notebook)) == 2
    people = notebook.beneficiaries
    assert people.known_codes("KRT") == [CODE]
    summary = people.summary(CODE)
    assert summary is not None and len(summary.sessions) == 2
    assert people.sessions_count(CODE) == 2
    assert people.new_code() != CODE


def test_migration_keeps_people_and_lets_a_tombstone_share_a_code(tmp_path: Path):
    db = tmp_path / "c.db"
    upgrade(db, "0007_sync_issue_fields")
    con = sqlite3.connect(db)
    con.execute(
        "INSERT INTO beneficiary (id, code, created_at, updated_at, version) "
        "VALUES ('b1', 'KRT-4MU', '2025-01-01 10:00:00', '2025-01-01 10:00:00', 1)"
    )
    con.execute(
        "INSERT INTO accompagnement (id, kind, date, duration_min, place_type, themes, "
        "materiels, tags, notes, beneficiary_id, created_at, updated_at, version) VALUES ('a1', "
        "'individuel', '2025-01-02', 30, 'domicile', '|email|', '', '', '', 'b1', "
        "'2025-01-02 10:00:00', '2025-01-02 10:00:00', 1)"
    )
    con.commit()
    con.close()
    upgrade(db, "0008_beneficiary_merge")
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT beneficiary_id FROM accompagnement").fetchall() == [("b1",)]
        con.execute(
            "INSERT INTO beneficiary (id, code, created_at, updated_at, deleted_at, version) "
            "VALUES ('b2', 'KRT-4MU', '2025-01-03 10:00:00', '2025-01-03 10:00:00', "
            "'2025-01-03 10:00:00', 2)"
        )
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(
                "INSERT INTO beneficiary (id, code, created_at, updated_at, version) "
                "VALUES ('b3', 'KRT-4MU', '2025-01-03 10:00:00', '2025-01-03 10:00:00', 1)"
            )
        con.commit()
    finally:
        con.close()
    # Back down: the merged duplicate goes, the live row and its session stay.
    from alembic import command

    from app.models.migrate import alembic_config

    command.downgrade(alembic_config(f"sqlite:///{db}"), "0007_sync_issue_fields")
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT id FROM beneficiary").fetchall() == [("b1",)]
        assert con.execute("SELECT beneficiary_id FROM accompagnement").fetchall() == [("b1",)]
    finally:
        con.close()
