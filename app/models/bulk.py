"""Bulk inserts straight to SQLite's driver: one ``executemany`` of plain tuples.

SQLAlchemy's ``insert()`` with a list of dicts builds and converts the parameters row by row in
Python; for the thousand rows of a sync page or batch that is most of the cost. Here the rows'
Python-side column defaults are filled and only the columns whose type converts values (dates,
times, booleans) are converted. The hub uses it for its SQLite database too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table


def fill_defaults(table: Table, rows: list[dict[str, Any]]) -> None:
    """Python-side column defaults, for the inserts that bypass SQLAlchemy's statements."""
    missing = [c for c in table.columns if c.default is not None]
    for row in rows:
        for column in missing:
            if column.name not in row:
                default: Any = column.default
                row[column.name] = default.arg(None) if default.is_callable else default.arg


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts by column name; absent columns take their default or NULL) into
    ``table`` of a SQLite database, in the caller's transaction."""
    if not rows:
        return
    fill_defaults(table, rows)
    dialect = conn.dialect
    names = [c.name for c in table.columns]
    convert = [
        (i, process)
        for i, c in enumerate(table.columns)
        if (process := c.type.bind_processor(dialect)) is not None
    ]
    params = []
    for row in rows:
        values = [row.get(name) for name in names]
        for i, process in convert:
            value = values[i]
            if value is not None:
                values[i] = process(value)
        params.append(tuple(values))
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})',
        params,
    )
