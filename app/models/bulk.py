"""Bulk inserts straight to SQLite's driver: one ``executemany`` of plain tuples.

SQLAlchemy's ``insert()`` with a list of dicts builds and converts the parameters row by row in
Python; for the thousand rows of a sync page or batch that is most of the cost. Here the rows'
Python-side column defaults are filled and only the columns whose type converts values (dates,
times, booleans) are converted, each in one step to the text SQLite stores. The hub uses it for
its SQLite database too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Boolean, Connection, Date, Table

from app.models.base import UTCDateTime


def fill_defaults(table: Table, rows: list[dict[str, Any]]) -> None:
    """Python-side column defaults, for the inserts that bypass SQLAlchemy's statements."""
    missing = [c for c in table.columns if c.default is not None]
    for row in rows:
        for column in missing:
            if column.name not in row:
                default: Any = column.default
                row[column.name] = default.arg(None) if default.is_callable else default.arg


# ---- values as stored ---------------------------------------------------------------------------
# A pulled record's payload holds dates and times as ISO text; the ORM path parses them into
# date/datetime objects, which its column types and then SQLite's driver turn back into text.
# For the thousands of records of a sync, ``insert_rows`` goes from the wire's text (or from
# typed values) to the stored text in one step each (through the same parsers, so a malformed
# value still raises), and stores what the ORM stores, byte for byte
# (tests/models/test_bulk_payloads.py).


def _is_wire_utc(value: Any) -> bool:
    """The shape the payloads write (``2025-03-14T09:00:00.250000Z``): stored as the same
    digits once checked, without converting (most of a sync's times, a few µs each)."""
    return (
        type(value) is str
        and len(value) == 27
        and value[26] == "Z"
        and value[4] == "-"
        and value[7] == "-"
        and value[10] == "T"
        and value[13] == ":"
        and value[16] == ":"
        and value[19] == "."
    )


def _stored_datetime(value: Any) -> Any:
    if _is_wire_utc(value):
        dt.datetime.fromisoformat(value)  # raises on a malformed value, as below
        return f"{value[:10]} {value[11:26]}"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # as UTCDateTime: a typed value must say it is UTC
            raise ValueError("naive datetime refused: use UTC-aware datetimes")
        parsed = value
    else:
        parsed = dt.datetime.fromisoformat(value)  # wire text without an offset: UTC
    if parsed.tzinfo is not None:  # naive UTC in the database, as UTCDateTime stores it
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    # SQLAlchemy's text for SQLite, microseconds always written: times compare as text.
    return parsed.isoformat(" ", "microseconds")


def _stored_date(value: Any) -> Any:
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        dt.date.fromisoformat(value)  # checked; already the stored text
        return value
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)[:10]).isoformat()


def _converter(column: Any, dialect: Any) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _stored_datetime
    if isinstance(kind, Date):
        return _stored_date
    if isinstance(kind, Boolean):
        return int
    process: Callable[[Any], Any] | None = kind.bind_processor(dialect)
    return process


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts by column name, typed values or a sync payload's text; unknown
    keys ignored; absent columns take their default or NULL, written into the dicts) into
    ``table`` of a SQLite database, in the caller's transaction, stored as the ORM stores them."""
    if not rows:
        return
    fill_defaults(table, rows)
    dialect = conn.dialect
    columns = list(table.columns)
    names = [c.name for c in columns]
    convert = [(i, p) for i, c in enumerate(columns) if (p := _converter(c, dialect)) is not None]
    params = []
    for row in rows:
        values = [row.get(name) for name in names]
        for i, process in convert:
            if values[i] is not None:
                values[i] = process(values[i])
        params.append(tuple(values))
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})',
        params,
    )
