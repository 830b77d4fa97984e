"""Bulk loads of sessions: the full-text index and the statistics cache updated once per load.

Every new session is indexed for the notes search (``accompagnement_fts``) and clears its month
from the statistics cache (``stats_month``) through insert triggers, whatever code wrote it
(migrations 0003, 0009). Row by row, that is most of the cost of a sync that brings thousands
of sessions. Inside ``deferred_indexing`` the single row of ``bulk_load`` makes both triggers
stand aside (migration 0010); on the way out the rows inserted meanwhile are indexed in one
statement and their months cleared, in the same transaction: a reader never sees the sessions
without their index, and a rolled-back load leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import Connection, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class BulkLoad(Base):
    """One row while a bulk load runs, in that load's transaction only."""

    __tablename__ = "bulk_load"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)


@contextmanager
def deferred_indexing(conn: Connection) -> Iterator[None]:
    """Insert sessions (plain INSERTs: new rowids above the current largest) in the body; they
    are indexed and their months' cached statistics cleared when it ends. Use it inside the
    caller's write transaction."""
    before = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM accompagnement").scalar()
    conn.exec_driver_sql("INSERT INTO bulk_load (id) VALUES (1)")
    try:
        yield
    except BaseException:
        # Should the caller carry on in this transaction, the triggers must be back.
        with suppress(Exception):
            conn.exec_driver_sql("DELETE FROM bulk_load")
        raise
    conn.exec_driver_sql("DELETE FROM bulk_load")
    conn.exec_driver_sql(
        "INSERT INTO accompagnement_fts(rowid, notes, workshop_title, demarche_name) "
        "SELECT rowid, notes, workshop_title, demarche_name FROM accompagnement WHERE rowid > ?",
        (before,),
    )
    cleared = conn.exec_driver_sql(
        "SELECT count(*) FROM accompagnement WHERE rowid > ?", (before,)
    ).scalar()
    if cleared:
        conn.exec_driver_sql(
            "DELETE FROM stats_month WHERE month IN "
            "(SELECT DISTINCT substr(date, 1, 7) FROM accompagnement WHERE rowid > ?)",
            (before,),
        )
        conn.exec_driver_sql("UPDATE stats_cache_state SET epoch = epoch + 1")
