"""The hub counts a followed person by (mediator, follow-up code): two beneficiary rows that two
laptops made for one code are one person, before and after the laptops merge them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from app.models.ids import new_id
from hub.migrate import upgrade
from hub.people import person_key
from hub.stats.query import Period, hub_figures
from hub.stats.schema import STAT_PERSON
from tests.hub.helpers import beneficiary_payload, op, push, session_payload
from tests.hub.stats.fixtures import counted

CODE = "KRT-4MU"


def beneficiary(entity_id: str, code: str = CODE) -> dict:
    return beneficiary_payload(entity_id, code)


def push_ok(client, device, ops: list[dict]) -> None:
    r = push(client, device, ops)
    assert r.status_code == 200, r.text
    assert {x["status"] for x in r.json()["results"]} == {"applied"}, r.json()


def people(hub_db, year: int = 2025) -> tuple[int, int]:
    with counted(hub_db) as s:
        figures = hub_figures(s, Period(year))
    return figures["codes"], figures["codes_returning"]


def facts(hub_db) -> dict[str, int]:
    with counted(hub_db) as s:
        rows = s.execute(
            select(STAT_PERSON.c.beneficiary_id, func.sum(STAT_PERSON.c.sessions))
            .where(STAT_PERSON.c.tag == "", func.length(STAT_PERSON.c.month) == 7)
            .group_by(STAT_PERSON.c.beneficiary_id)
        )
        return {b: int(n) for b, n in rows}


def test_two_rows_of_one_code_are_one_person(client, device, hub_db):
    first, second = new_id(), new_id()
    push_ok(
        client,
        device,
        [
            op(beneficiary(first), entity="beneficiary"),
            op(session_payload(date="2024-11-05", beneficiary_id=first)),
        ],
    )
    # The other laptop's row for the same code, and its session, before any merge.
    push_ok(
        client,
        device,
        [
            op(beneficiary(second), entity="beneficiary"),
            op(session_payload(date="2025-03-10", beneficiary_id=second)),
        ],
    )
    assert people(hub_db) == (1, 1)  # one person, met before 2025: returning
    assert people(hub_db, 2024) == (1, 0)
    assert facts(hub_db) == {person_key(device.mediator_id, CODE): 2}


def test_a_session_before_its_beneficiary_is_filed_again_when_it_arrives(client, device, hub_db):
    known, late = new_id(), new_id()
    push_ok(
        client,
        device,
        [
            op(beneficiary(known), entity="beneficiary"),
            op(session_payload(date="2025-03-10", beneficiary_id=known)),
        ],
    )
    early = session_payload(date="2025-04-02", beneficiary_id=late)
    push_ok(client, device, [op(early)])  # its beneficiary comes in a later batch
    assert set(facts(hub_db)) == {person_key(device.mediator_id, CODE), late}
    push_ok(client, device, [op(beneficiary(late), entity="beneficiary")])
    assert facts(hub_db) == {person_key(device.mediator_id, CODE): 2}
    assert people(hub_db) == (1, 0)
    # Edits and deletions of that session still add up (no fact left under the id).
    moved = dict(early, date="2025-05-02", version=2)
    push_ok(client, device, [op(moved, base_version=1)])
    push_ok(client, device, [op(dict(moved, version=3), base_version=2, kind="delete")])
    assert facts(hub_db) == {person_key(device.mediator_id, CODE): 1}
    with hub_db.session() as s:
        assert s.scalar(select(func.min(STAT_PERSON.c.sessions))) >= 0


def test_upgrade_files_existing_facts_by_person(tmp_path: Path):
    """A hub whose facts were filed by beneficiary id (before 0004) is filed by person."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = create_engine(url)
    upgrade(engine, "0003_training")
    mediator, first, second = new_id(), new_id(), new_id()
    with engine.begin() as conn:
        for seq, entity_id in enumerate((first, second), start=1):
            conn.execute(
                text(
                    "INSERT INTO beneficiary (id, mediator_id, seq, version, deleted, code, "
                    "received_at) VALUES (:id, :m, :seq, 1, false, :code, '2025-03-01')"
                ),
                {"id": entity_id, "m": mediator, "seq": seq, "code": CODE},
            )
        facts_before = [
            (first, "2024-11", 1),
            (first, "2025-03", 1),
            (second, "2025-03", 2),
            ("sans-fiche", "2025-04", 1),  # a beneficiary the hub never got: left as it is
        ]
        for beneficiary_id, month, sessions in facts_before:
            conn.execute(
                text(
                    "INSERT INTO stat_person (beneficiary_id, month, mediator_id, commune, tag, "
                    "piece, departement, sessions) VALUES (:b, :mo, :m, '59350', '', "
                    "'245900410:59', '59', :n)"
                ),
                {"b": beneficiary_id, "mo": month, "m": mediator, "n": sessions},
            )
        conn.execute(
            text(
                "INSERT INTO stat_person_first (beneficiary_id, first_month) VALUES "
                "(:a, '2024-11'), (:b, '2025-03'), ('sans-fiche', '2025-04')"
            ),
            {"a": first, "b": second},
        )
    upgrade(engine)
    key = person_key(mediator, CODE)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT beneficiary_id, month, sessions FROM stat_person ORDER BY 1, 2")
        ).all()
        first_months = dict(
            conn.execute(text("SELECT beneficiary_id, first_month FROM stat_person_first")).all()
        )
    engine.dispose()
    assert sorted(rows) == sorted(
        [(key, "2024-11", 1), (key, "2025-03", 3), ("sans-fiche", "2025-04", 1)]
    )
    assert first_months == {key: "2024-11", "sans-fiche": "2025-04"}
