"""Back up and restore the hub's database. A restore gives the hub a new epoch, so that every
device notices, re-checks what the hub holds of its records and re-sends what is missing.

SQLite: a consistent file copy through SQLite's backup API (the WAL included). PostgreSQL (or
any database): a gzip-compressed JSON-lines dump of every table, restored in one transaction.
Stop the hub before a restore.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Date, DateTime, LargeBinary, Table, delete, insert, select
from sqlalchemy.orm import Session

from hub.db import Database
from hub.migrate import HEAD_REVISION, current_revision, upgrade
from hub.models import Base, UTCDateTime
from hub.org import get_meta, new_epoch

SQLITE_MAGIC = b"SQLite format 3\x00"
DUMP_FORMAT = "carnet-hub-dump"
CHUNK = 1000


class BackupError(Exception):
    """A backup or restore that could not be done, with a French message."""


def sqlite_path(db: Database) -> Path:
    database = db.engine.url.database
    if not database:
        raise BackupError("Base SQLite en mémoire : rien à sauvegarder.")
    return Path(database)


def backup(db: Database, target: Path) -> str:
    """Write a backup to ``target``; returns its kind (``sqlite`` or ``dump``)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if db.is_sqlite:
        src = sqlite3.connect(str(sqlite_path(db)))
        try:
            dst = sqlite3.connect(str(target))
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        return "sqlite"
    with gzip.open(target, "wt", encoding="utf-8") as fh, db.snapshot() as session:
        _dump(session, fh)
    return "dump"


def restore(db: Database, source: Path) -> str:
    """Replace the hub's data with ``source`` (a backup of either kind); returns the new epoch."""
    if not source.is_file():
        raise BackupError(f"Fichier de sauvegarde introuvable : {source}.")
    with open(source, "rb") as fh:
        head = fh.read(16)
    if head == SQLITE_MAGIC:
        _check_sqlite_backup(source)
        if db.is_sqlite:
            _restore_sqlite_file(db, source)
        else:
            _restore_rows(db, _rows_from_sqlite(source), _sqlite_revision(source))
    elif head[:2] == b"\x1f\x8b":
        with gzip.open(source, "rt", encoding="utf-8") as fh:
            header = _read_header(fh)
            if db.is_sqlite:
                upgrade(db.engine)
            _restore_rows(db, _rows_from_dump(fh), header["revision"])
    else:
        raise BackupError(f"« {source} » n'est pas une sauvegarde de Carnet Hub.")
    upgrade(db.engine)  # a backup from an older hub is brought to this schema
    with db.write() as session:
        return new_epoch(session)


# ---- SQLite file ----------------------------------------------------------------------------
def _sqlite_revision(source: Path) -> str | None:
    con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError:
        return None
    finally:
        con.close()


def _check_sqlite_backup(source: Path) -> None:
    con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"alembic_version", "hub_meta", "mediator"} <= tables:
            raise BackupError(f"« {source} » n'est pas une sauvegarde de Carnet Hub.")
        if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"La sauvegarde « {source} » est endommagée.")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"La sauvegarde « {source} » est illisible ({exc}).") from exc
    finally:
        con.close()
    _check_revision(_sqlite_revision(source))


def _check_revision(revision: str | None) -> None:
    from hub.migrate import known_revisions

    if revision is None or revision not in known_revisions():
        raise BackupError(
            f"Cette sauvegarde vient d'une version de Carnet Hub que ce hub ne connaît pas "
            f"(schéma {revision}). Mettez le hub à jour avant de la restaurer."
        )


def _restore_sqlite_file(db: Database, source: Path) -> None:
    db.engine.dispose()  # no pooled connection keeps the old file open
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(sqlite_path(db)))
        try:
            src.backup(dst)  # writes through SQLite: the WAL and locks stay consistent
        finally:
            dst.close()
    finally:
        src.close()


def _rows_from_sqlite(source: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    other = Database(f"sqlite:///{source}")
    try:
        with other.snapshot() as session:
            for table in Base.metadata.sorted_tables:
                for row in session.execute(select(table)).mappings():
                    yield table.name, dict(row)
    finally:
        other.dispose()


# ---- logical dump ---------------------------------------------------------------------------
def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name not in table.c:
            raise BackupError(f"Colonne inconnue dans la sauvegarde : {table.name}.{name}.")
        column_type = table.c[name].type
        if value is not None:
            if isinstance(column_type, UTCDateTime | DateTime):
                value = dt.datetime.fromisoformat(value)
                if value.tzinfo is None:
                    value = value.replace(tzinfo=dt.UTC)
            elif isinstance(column_type, Date):
                value = dt.date.fromisoformat(value)
            elif isinstance(column_type, LargeBinary):
                value = base64.b64decode(value)
        out[name] = value
    return out


def _dump(session: Session, fh: IO[str]) -> None:
    revision = current_revision(session.get_bind())  # type: ignore[arg-type]
    header = {
        "format": DUMP_FORMAT,
        "revision": revision,
        "epoch": get_meta(session, "epoch"),
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    fh.write(json.dumps(header) + "\n")
    for table in Base.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        for row in session.execute(query.execution_options(yield_per=CHUNK)).mappings():
            line = {"t": table.name, "r": {k: _encode(v) for k, v in row.items()}}
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")


def _read_header(fh: IO[str]) -> dict[str, Any]:
    try:
        header = json.loads(fh.readline())
    except (ValueError, OSError, EOFError) as exc:
        raise BackupError(f"Sauvegarde illisible ({exc}).") from exc
    if not isinstance(header, dict) or header.get("format") != DUMP_FORMAT:
        raise BackupError("Ce fichier n'est pas une sauvegarde de Carnet Hub.")
    _check_revision(header.get("revision"))
    return header


def _rows_from_dump(fh: IO[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        for line in fh:
            if not line.strip():
                continue
            item = json.loads(line)
            yield item["t"], item["r"]
    except (ValueError, KeyError, TypeError, OSError, EOFError) as exc:
        raise BackupError(f"Sauvegarde tronquée ou endommagée ({exc}).") from exc


def _restore_rows(
    db: Database, rows: Iterator[tuple[str, dict[str, Any]]], revision: str | None
) -> None:
    """Replace every table's content in one transaction (all or nothing)."""
    if revision != HEAD_REVISION:
        raise BackupError(
            f"Cette sauvegarde a le schéma {revision} ; ce hub attend {HEAD_REVISION}. "
            "Restaurez-la avec la version de Carnet Hub qui l'a faite, puis mettez à jour."
        )
    upgrade(db.engine)
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    with db.write() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        # Rows come table by table in dependency order: stream them in chunks. Structures may
        # nest, so they are inserted parents first once all of them are read.
        structures: list[dict[str, Any]] = []
        batch: list[dict[str, Any]] = []
        batch_table: Table | None = None
        for name, row in rows:
            table = tables.get(name)
            if table is None:
                raise BackupError(f"Table inconnue dans la sauvegarde : {name}.")
            if name == "structure":
                structures.append(_decode(table, row))
                continue
            if table is not batch_table or len(batch) >= CHUNK:
                if batch_table is not None and batch:
                    session.execute(insert(batch_table), batch)
                batch, batch_table = [], table
            if structures and table.name != "structure":
                _insert_structures(session, tables["structure"], structures)
                structures = []
            batch.append(_decode(table, row))
        _insert_structures(session, tables["structure"], structures)
        if batch_table is not None and batch:
            session.execute(insert(batch_table), batch)


def _insert_structures(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    done: set[str] = set()
    remaining = rows
    while remaining:
        ready = [r for r in remaining if r.get("parent_id") in (None, *done)]
        if not ready:
            raise BackupError("Sauvegarde incohérente : structures parentes manquantes.")
        session.execute(insert(table), ready)
        done.update(r["id"] for r in ready)
        remaining = [r for r in remaining if r["id"] not in done]
