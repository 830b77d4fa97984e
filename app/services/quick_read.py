"""Fast reads over a notebook with plain ``sqlite3``: the sessions list, its filter choices, the
counts of the status bar, the display name.

This module must not import SQLAlchemy: it is all the main window needs to appear, and start-up
time is a feature (SQLAlchemy alone costs more to import than Qt's widgets). The write side and
the rest of the services load in the background once the window is up.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from app.models import referentiels as ref
from app.models.codes import split_codes

NEW_SESSION_KEY = "session:new"


def key_for(session_id: str | None) -> str:
    """The draft key of a session form (a new session, or the edit of ``session_id``)."""
    return f"session:{session_id}" if session_id else NEW_SESSION_KEY


class SessionFilter(NamedTuple):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str | None = None
    theme: str | None = None
    venue_id: str | None = None
    tag: str | None = None
    text: str = ""


SORTABLE = {
    "date": "a.date",
    "kind": "a.kind",
    "duration": "a.duration_min",
    "venue": "v.name",
    "themes": "a.themes",
    "code": "b.code",
}


class SessionRow(NamedTuple):
    """One line of the sessions list."""

    id: str
    date: dt.date
    kind: str
    duration_min: int
    place: str
    themes: tuple[str, ...]
    code: str | None
    participants: int | None
    tags: tuple[str, ...]
    notes: str


class SessionLister(Protocol):
    """What the sessions list needs: ``NotebookReader`` and ``SessionService`` both provide it."""

    def list_rowids(
        self,
        flt: SessionFilter,
        sort: str = "date",
        descending: bool = True,
        limit: int | None = None,
    ) -> array[int]: ...

    def fetch_rows_by_rowid(self, rowids: Sequence[int]) -> dict[int, SessionRow]: ...

    def rowid_of(self, session_id: str) -> int | None: ...

    def release_thread(self) -> None: ...


class VenueInfo(NamedTuple):
    id: str
    name: str
    commune_insee: str | None
    commune_name: str | None
    postal_code: str | None
    itinerant: bool

    @property
    def display(self) -> str:
        where = f" ({self.commune_name})" if self.commune_name else ""
        return f"{self.name}{where}"


class NotebookReader:
    """Read-only queries on one connection per thread (SQLite connections are not shared).
    In WAL mode each query sees every transaction committed before it started."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._local = threading.local()
        self._open: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._lock = threading.Lock()

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.db_path, check_same_thread=False)
            con.execute("PRAGMA busy_timeout=5000")
            con.execute("PRAGMA query_only=ON")
            self._local.con = con
            with self._lock:
                self._open.append((threading.current_thread(), con))
        return con

    def release_thread(self) -> None:
        """Close the calling thread's connection (a worker calls it when its read is done)."""
        con = getattr(self._local, "con", None)
        if con is None:
            return
        self._local.con = None
        with self._lock:
            self._open = [(t, c) for t, c in self._open if c is not con]
        con.close()

    def close(self) -> None:
        """Close the connections of this thread and of finished threads. A connection still in
        use by a running worker is left to it (closing it under its feet crashes SQLite); the
        worker releases it when its read is done."""
        me = threading.current_thread()
        with self._lock:
            keep = []
            for thread, con in self._open:
                if thread is me or not thread.is_alive():
                    con.close()
                else:
                    keep.append((thread, con))
            self._open = keep
        self._local = threading.local()

    # ---- the sessions list -------------------------------------------------------------
    def list_ids(
        self,
        flt: SessionFilter,
        sort: str = "date",
        descending: bool = True,
        limit: int | None = None,
    ) -> list[str]:
        """Ids of the live sessions matching ``flt``, sorted (the first ``limit`` only, if
        given). Reads only the covering index for the usual filters, and the trigram index for
        text (3 characters or more)."""
        sql, params = self._list_query("a.id", flt, sort, descending, limit)
        return [r[0] for r in self._con().execute(sql, params).fetchall()]

    def list_rowids(
        self,
        flt: SessionFilter,
        sort: str = "date",
        descending: bool = True,
        limit: int | None = None,
    ) -> array[int]:
        """The same list as ``list_ids`` as SQLite row numbers packed in an array: 8 bytes a
        session instead of about 90 for an id string (the list model holds 100,000 of them)."""
        sql, params = self._list_query("a.rowid", flt, sort, descending, limit)
        return array("q", (r[0] for r in self._con().execute(sql, params)))

    @staticmethod
    def _list_query(
        column: str, flt: SessionFilter, sort: str, descending: bool, limit: int | None
    ) -> tuple[str, dict[str, Any]]:
        where = ["a.deleted_at IS NULL"]
        params: dict[str, Any] = {}
        if flt.date_from:
            where.append("a.date >= :date_from")
            params["date_from"] = flt.date_from.isoformat()
        if flt.date_to:
            where.append("a.date <= :date_to")
            params["date_to"] = flt.date_to.isoformat()
        if flt.kind:
            where.append("a.kind = :kind")
            params["kind"] = flt.kind
        if flt.theme:
            where.append("a.themes LIKE :theme")
            params["theme"] = f"%|{flt.theme}|%"
        if flt.venue_id:
            where.append("a.venue_id = :venue_id")
            params["venue_id"] = flt.venue_id
        if flt.tag:
            where.append("a.tags LIKE :tag")
            params["tag"] = f"%|{flt.tag}|%"
        needle = flt.text.strip()
        if len(needle) >= 3:
            where.append(
                "a.rowid IN (SELECT rowid FROM accompagnement_fts WHERE accompagnement_fts MATCH :text)"
            )
            params["text"] = '"' + needle.replace('"', '""') + '"'
        elif needle:
            where.append(
                "(a.notes LIKE :text OR a.workshop_title LIKE :text OR a.demarche_name LIKE :text)"
            )
            params["text"] = f"%{needle}%"
        order = SORTABLE.get(sort, "a.date")
        direction = "DESC" if descending else "ASC"
        joins = ""
        if order.startswith("v."):
            joins += " LEFT JOIN venue v ON v.id = a.venue_id"
        if order.startswith("b."):
            joins += " LEFT JOIN beneficiary b ON b.id = a.beneficiary_id"
        sql = (
            f"SELECT {column} FROM accompagnement a{joins} WHERE {' AND '.join(where)} "
            f"ORDER BY {order} {direction}, a.id {direction}"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return sql, params

    def fetch_rows(self, ids: list[str]) -> list[SessionRow]:
        """Rows for the given ids, in the same order."""
        found = {row.id: row for _, row in self._rows("a.id", ids)}
        return [found[i] for i in ids if i in found]

    def fetch_rows_by_rowid(self, rowids: Sequence[int]) -> dict[int, SessionRow]:
        """Rows by SQLite row number (a page of the list model); vanished rows are absent."""
        return dict(self._rows("a.rowid", list(rowids)))

    def rowid_of(self, session_id: str) -> int | None:
        rowid = self._scalar("SELECT rowid FROM accompagnement WHERE id = ?", (session_id,))
        return None if rowid is None else int(rowid)

    def _rows(self, key: str, values: list[Any]) -> list[tuple[Any, SessionRow]]:
        if not values:
            return []
        placeholders = ",".join("?" * len(values))
        sql = (
            f"SELECT {key}, a.id, a.date, a.kind, a.duration_min, a.place_type, v.name, "
            "a.commune_name, a.themes, b.code, a.participants, a.tags, a.notes "
            "FROM accompagnement a LEFT JOIN venue v ON v.id = a.venue_id "
            "LEFT JOIN beneficiary b ON b.id = a.beneficiary_id "
            f"WHERE {key} IN ({placeholders})"
        )
        out = []
        for k, *r in self._con().execute(sql, values):
            place = r[5] if r[4] == "lieu_activite" and r[5] else ref.label(ref.PLACE_TYPES, r[4])
            if r[4] in ("autre", "domicile") and r[6]:
                place = f"{place} · {r[6]}"
            row = SessionRow(
                id=r[0],
                date=dt.date.fromisoformat(r[1]),
                kind=r[2],
                duration_min=r[3],
                place=place,
                themes=tuple(split_codes(r[7])),
                code=r[8],
                participants=r[9],
                tags=tuple(split_codes(r[10])),
                notes=r[11] or "",
            )
            out.append((k, row))
        return out

    def _scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = self._con().execute(sql, params).fetchone()
        return row[0] if row else None

    def count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM accompagnement WHERE deleted_at IS NULL"))

    def known_tags(self) -> list[str]:
        values = self._con().execute(
            "SELECT DISTINCT tags FROM accompagnement WHERE tags != '' AND deleted_at IS NULL"
        )
        tags = {t for (v,) in values for t in split_codes(v)}
        return sorted(tags, key=str.casefold)

    # ---- the rest of what the main window shows ------------------------------------------
    def venues(self) -> list[VenueInfo]:
        rows = self._con().execute(
            "SELECT id, name, commune_insee, commune_name, postal_code, itinerant FROM venue "
            "WHERE deleted_at IS NULL ORDER BY name"
        )
        return [VenueInfo(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]

    def setting(self, key: str, default: str | None = None) -> str | None:
        value = self._scalar("SELECT value FROM setting WHERE key = ?", (key,))
        return default if value is None else value

    def sync_state(self, key: str) -> str | None:
        """A value of the sync bookkeeping (hub address, device id…), read without the engine."""
        value: str | None = self._scalar("SELECT value FROM sync_state WHERE key = ?", (key,))
        return value

    def display_name(self) -> str:
        return self.setting("display_name", "") or ""

    def pending_changes(self) -> int:
        """Changes not yet acknowledged by the hub (waiting, or sent and awaiting the answer)."""
        return int(
            self._scalar("SELECT count(*) FROM outbox WHERE state IN ('pending', 'inflight')")
        )

    def draft_keys(self) -> list[str]:
        rows = self._con().execute("SELECT key FROM draft ORDER BY updated_at DESC")
        return [r[0] for r in rows]
