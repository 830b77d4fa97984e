"""``insert_rows``, given a first sync's fresh records straight from the wire's text or typed
values, stores what the ORM stores (``payload_values`` then model instances added to a
session), byte for byte."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.models.bulk import _stored_date, _stored_datetime, insert_rows
from app.models.entities import Accompagnement, Beneficiary, Venue
from app.models.ids import new_id
from app.models.migrate import prepare_database
from app.models.payloads import payload_values

VENUE = {
    "id": new_id(),
    "name": "Médiathèque",
    "commune_insee": "59350",
    "commune_name": "Lille",
    "postal_code": "59000",
    "itinerant": True,
    "created_at": "2025-03-14T09:00:00Z",
    "updated_at": "2025-03-14T11:30:00+02:00",
    "deleted_at": None,
    "version": 3,
    "a_newer_hub_field": "ignoré",
}


def sessions(venue_id: str, person_id: str) -> list[dict[str, Any]]:
    base = {
        "kind": "individuel",
        "duration_min": 30,
        "place_type": "lieu_activite",
        "venue_id": venue_id,
        "themes": "|email|",
        "materiels": "|telephone|",
        "tags": "",
        "notes": "Création d'une adresse électronique",
        "oriented": False,
        "version": 1,
    }
    return [
        {
            **base,
            "id": new_id(),
            "date": "2025-03-14",
            "created_at": "2025-03-14T09:00:00.250000Z",
            "updated_at": "2025-03-14T09:00:00.250000Z",
        },
        {
            **base,
            "id": new_id(),
            "date": "2025-03-15T00:00:00",  # a date sent with a time: the day is kept
            "created_at": "2025-03-15T23:30:00-01:00",  # the next day in UTC
            "updated_at": "2025-03-16T00:30:00",  # naive: UTC
            "oriented": True,
            "orientation": "autre",
            "beneficiary_id": person_id,
        },
        {  # a workshop, columns left out take their defaults
            "id": new_id(),
            "kind": "collectif",
            "date": "2024-12-31",
            "duration_min": 90,
            "place_type": "lieu_activite",
            "venue_id": venue_id,
            "themes": "|smartphone|",
            "participants": 8,
            "counters": '{"genre": {"feminin": 4}}',
            "created_at": "2024-12-31T10:00:00Z",
            "updated_at": "2024-12-31T10:00:00Z",
            "version": 2,
        },
    ]


def stored(path: Path, table: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        con.close()


def load(path: Path, how: str, rows: dict[Any, list[dict[str, Any]]]) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        if how == "orm":
            with Session(engine) as db, db.begin():
                for model, payloads in rows.items():
                    for p in payloads:
                        db.add(model(**{**payload_values(model, p), "id": p["id"]}))
                    db.flush()
            return
        with engine.begin() as conn:
            for model, payloads in rows.items():
                table = model.__table__
                if how == "wire":
                    insert_rows(conn, table, [dict(p) for p in payloads])
                else:
                    typed = [{**payload_values(model, p), "id": p["id"]} for p in payloads]
                    insert_rows(conn, table, typed)
    finally:
        engine.dispose()


def test_the_bulk_paths_store_what_the_orm_stores(tmp_path: Path):
    person = {
        "id": new_id(),
        "code": "K7M-3QX",
        "created_at": "2025-01-02T08:00:00Z",
        "updated_at": "2025-01-02T08:00:00Z",
        "version": 1,
    }
    rows = {
        Venue: [VENUE],
        Beneficiary: [person],
        Accompagnement: sessions(VENUE["id"], person["id"]),
    }
    paths = {how: tmp_path / f"{how}.db" for how in ("orm", "typed", "wire")}
    for how, path in paths.items():
        prepare_database(path)
        load(path, how, rows)
    wire = paths["wire"]
    for table in ("venue", "beneficiary", "accompagnement"):
        assert stored(paths["typed"], table) == stored(paths["orm"], table), table
        assert stored(wire, table) == stored(paths["orm"], table), table
    (venue,) = stored(wire, "venue")
    assert "2025-03-14 09:30:00.000000" in venue  # +02:00 stored as UTC, as the ORM writes it
    assert len(stored(wire, "accompagnement")) == 3


@pytest.mark.parametrize(
    "field, value",
    [
        ("date", "14/03/2025"),
        ("created_at", "hier"),
        # the shapes the payloads write, which skip the conversion, are still checked
        ("date", "2025-02-30"),
        ("created_at", "2025-13-14T09:00:00.250000Z"),
        ("updated_at", "2025-03-14T24:00:00.250000Z"),
        ("created_at", "2025-03-14T09:00:00.25000xZ"),
    ],
)
def test_a_malformed_date_is_refused_as_on_the_typed_path(tmp_path: Path, field: str, value: str):
    path = tmp_path / "c.db"
    prepare_database(path)
    bad = {**sessions(VENUE["id"], new_id())[0], field: value}
    with pytest.raises(ValueError):
        payload_values(Accompagnement, bad)
    with pytest.raises(ValueError):
        load(path, "wire", {Venue: [VENUE], Accompagnement: [bad]})
    assert stored(path, "accompagnement") == []


@pytest.mark.parametrize(
    "value",
    [
        "2025-03-14T09:00:00.250000Z",
        "2025-12-31T23:59:59.999999Z",
        "2025-03-14T09:00:00.000000Z",
        "2025-03-14T09:00:00Z",
        "2025-03-14T09:00:00.250000+00:00",
        "2025-03-14T09:00:00.250000-01:00",
        "2025-03-14T09:00:00.25Z",
        "2025-W11-5T09:00:00.250000Z",  # an ISO week date of the same length: converted
    ],
)
def test_wire_times_are_stored_as_the_conversion_stores_them(value: str):
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    assert _stored_datetime(value) == parsed.isoformat(" ", "microseconds")
    assert _stored_date(value[:10]) == dt.date.fromisoformat(value[:10]).isoformat()
