"""Keep the aggregate tables (hub/stats/schema.py) equal to the records.

Invariant: the aggregates are exactly the sum of the contributions of the accompagnement rows
whose ``uncounted`` flag is NULL ("counted"), as those rows are stored. Rows flagged TRUE wait
for the drain.

- The push (hub/push.py) calls :func:`set_aside` before writing its accompagnement rows: a new
  row is written flagged (no statistics work at all); an edited or deleted row that was counted
  has its old contribution subtracted there, in the push's transaction, and is flagged again
  (unless its :class:`Footprint` is unchanged, or it now counts for nothing: a tombstone).
- :func:`drain` (:func:`count_waiting` per chunk) adds the contributions of flagged rows and
  clears their flags, one mediator's rows per chunk, each chunk in its own write transaction.
  It first locks that mediator's change counter (``hub.push.lock_counter``, the lock every push
  takes first), so that no push of the mediator reads or writes those rows in between: every
  row is counted exactly as stored, once. On PostgreSQL an advisory lock keeps one drain at a
  time in the whole hub; on SQLite the write transaction already does.
- The hub server drains in a background thread while it is quiet (hub/stats/drainer.py), and
  every reader of the aggregates calls :func:`catch_up` first (the pages, exports and partners'
  API: hub/web/pages.py), so the figures shown include every session received.
- :func:`rebuild` recomputes everything from the records and clears every flag
  (``carnet-hub rebuild-aggregates``); ``carnet-hub drain-aggregates`` drains now.

Deltas of a chunk are summed in memory first, then written with one upsert per key
(``INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x``, on SQLite and PostgreSQL alike), in
key order so that concurrent writers always lock rows in the same order. Rows that fall back to
zero are kept (they add nothing; deleting them would cost a scan). The rules mirror the
desktop's national counting rules (app/services/stats.py).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any, NamedTuple

from sqlalchemy import Select, Table, delete, func, select, text, update
from sqlalchemy.orm import Session

from app.models import referentiels as ref
from hub.db import Database
from hub.models import RECORD_TABLES
from hub.people import by_person
from hub.stats.schema import (
    MEASURES,
    STAT_AREA,
    STAT_CELL,
    STAT_PEOPLE,
    STAT_PERSON,
    STAT_PERSON_FIRST,
)
from hub.stats.territory import NO_PLACE, Territories, shared_territories

NC = ref.NON_COMMUNIQUE
NOT_ORIENTED = "non_oriente"
TOTAL = "total"
COUNTER_GROUPS = {"genre": ref.GENRES, "age": ref.TRANCHES_AGE, "statut": ref.STATUTS}
COUNTER_ALIASES = {"age_bracket": "age", "tranche_age": "age"}
_M = {name: i for i, name in enumerate(MEASURES)}

Vector = list[int]
CellKey = tuple[str, str, str, str, str, str]  # month, mediator, commune, tag, dim, value
AreaKey = tuple[str, str, str, str, str, str]  # level, code, month, tag, dim, value
PersonKey = tuple[str, str, str, str, str]  # beneficiary, month, mediator, commune, tag


def _split(value: Any) -> list[str]:
    return [v for v in str(value or "").split("|") if v]


def _counters(raw: Any, participants: int) -> dict[str, dict[str, int]]:
    """A workshop's valid counters per group; never more than the participants in total."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    for alias, key in COUNTER_ALIASES.items():
        if alias in data:
            data.setdefault(key, data[alias])
    out: dict[str, dict[str, int]] = {}
    for group in COUNTER_GROUPS:
        counts = data.get(group)
        known = 0
        kept: dict[str, int] = {}
        if isinstance(counts, dict):
            for code, n in counts.items():
                valid = isinstance(n, int) and not isinstance(n, bool) and n > 0
                if valid and known + n <= participants:
                    kept[code or NC] = kept.get(code or NC, 0) + n
                    known += n
        out[group] = kept
    return out


def session_cells(row: Mapping[str, Any]) -> tuple[str, list[tuple[str, str, Vector]]]:
    """(month, [(dim, value, measures)]) of one non-deleted accompagnement row."""
    date = row["date"]
    month = date.isoformat()[:7] if isinstance(date, dt.date) else str(date)[:7]
    minutes = int(row["duration_min"] or 0)
    workshop = row["kind"] == "collectif"
    participants = max(int(row["participants"] or 0), 0) if workshop else 0
    accomp = participants if workshop else 1
    base = [1, accomp, minutes] + [0] * 6
    total = list(base)
    if workshop:
        total[_M["workshops"]] = 1
        total[_M["participants"]] = participants
        returning = row["participants_returning"]
        if returning is None:
            total[_M["ws_unknown"]] = participants
        else:
            total[_M["ws_returning"]] = min(int(returning), participants)
    else:
        total[_M["individual"]] = 1
        if not row["beneficiary_id"]:
            total[_M["anonymous"]] = 1
    cells: list[tuple[str, str, Vector]] = [(TOTAL, TOTAL, total)]
    add = cells.append
    add(("type", row["kind"], list(base)))
    add(("place_type", row["place_type"] or NC, list(base)))
    add(("duration", ref.duration_bucket(minutes), list(base)))
    for code in _split(row["themes"]):
        add(("theme", code, list(base)))
    for code in _split(row["materiels"]):
        add(("materiel", code, list(base)))
    if row["venue_id"]:
        add(("venue", row["venue_id"], list(base)))
    if workshop:
        counters = _counters(row["counters"], participants) if row["counters"] else {}
        for group in COUNTER_GROUPS:
            kept = counters.get(group, {})
            missing = participants - sum(kept.values())
            if missing:
                kept = {**kept, NC: kept.get(NC, 0) + missing}
            for code, n in kept.items():
                add((group, code, [0, n, 0] + [0] * 6))
    else:
        one = [0, 1, 0] + [0] * 6
        add(("autonomy", row["autonomy"] or NC, [1, 1, minutes] + [0] * 6))
        orientation = NOT_ORIENTED if row["oriented"] is False else row["orientation"] or NC
        add(("orientation", orientation, [1, 1, minutes] + [0] * 6))
        add(("genre", row["genre"] or NC, list(one)))
        add(("age", row["age_bracket"] or NC, list(one)))
        add(("statut", row["statut"] or NC, list(one)))
    return month, cells


class Footprint(NamedTuple):
    """Everything of a session that its contribution to the aggregates depends on (with the
    person key of its beneficiary, looked up when the contribution is written)."""

    month: str
    cells: list[tuple[str, str, Vector]]
    mediator: str
    commune: str
    tags: tuple[str, ...]
    beneficiary: str | None  # individual sessions only


def counts(row: Mapping[str, Any] | None) -> bool:
    """Whether the session contributes anything (not a tombstone, dated)."""
    return row is not None and not row.get("deleted") and row.get("date") is not None


def footprint(row: Mapping[str, Any] | None) -> Footprint | None:
    """The session's footprint; None when it counts for nothing (a tombstone, no date)."""
    if row is None or not counts(row):
        return None
    month, cells = session_cells(row)
    individual = row["kind"] != "collectif"
    return Footprint(
        month,
        cells,
        row["mediator_id"],
        row["commune_insee"] or NO_PLACE,
        tuple(sorted(set(_split(row["tags"])))),
        (row["beneficiary_id"] or None) if individual else None,
    )


class Deltas:
    """Summed changes of the aggregate tables, written in one go."""

    def __init__(self, territories: Territories | None = None) -> None:
        self.territories = territories or shared_territories()
        self.cells: dict[CellKey, Vector] = defaultdict(lambda: [0] * len(MEASURES))
        self.areas: dict[AreaKey, Vector] = defaultdict(lambda: [0] * len(MEASURES))
        self.area_parent: dict[tuple[str, str], str] = {}
        self.persons: dict[PersonKey, int] = defaultdict(int)
        self.person_place: dict[str, tuple[str, str]] = {}
        self.beneficiaries: set[str] = set()

    def add_row(self, row: Mapping[str, Any] | None, sign: int) -> None:
        self.add(footprint(row), sign)

    def add(self, fp: Footprint | None, sign: int) -> None:
        if fp is None:
            return
        commune = fp.commune
        place = self.territories.place(commune)
        tags = ("", *fp.tags)
        if place is None:
            areas = [("departement", NO_PLACE)]
        else:
            areas = [
                ("commune", place.commune),
                ("epci", place.piece),
                ("departement", place.departement),
            ]
            self.area_parent[("commune", place.commune)] = place.piece
            self.area_parent[("epci", place.piece)] = place.departement
        # Each contribution goes to its month ("2025-03") and to its year ("2025"): the hub
        # publishes whole years, read from the year rows (twelve times fewer).
        periods = (fp.month, fp.month[:4])
        scaled = [
            (dim, value, [(i, sign * v) for i, v in enumerate(vector) if v])
            for dim, value, vector in fp.cells
        ]
        cells, by_area, mediator = self.cells, self.areas, fp.mediator
        for tag in tags:
            for dim, value, changes in scaled:
                for period in periods:
                    target = cells[(period, mediator, commune, tag, dim, value)]
                    for i, v in changes:
                        target[i] += v
                    for level, code in areas:
                        target = by_area[(level, code, period, tag, dim, value)]
                        for i, v in changes:
                            target[i] += v
        beneficiary = fp.beneficiary
        if beneficiary:
            self.beneficiaries.add(beneficiary)
            if place is not None:
                self.person_place[commune] = (place.piece, place.departement)
            for tag in tags:
                for period in periods:
                    self.persons[(beneficiary, period, fp.mediator, commune, tag)] += sign

    def flush(self, db: Session) -> None:
        dialect = db.get_bind().dialect.name
        # Rows as tuples in each table's column order (hub/stats/schema.py), zero rows left out.
        cells = [(*k, *v) for k, v in self.cells.items() if any(v)]
        parent = self.area_parent
        areas = [(*k, parent.get((k[0], k[1]), ""), *v) for k, v in self.areas.items() if any(v)]
        _upsert_add(db, dialect, STAT_CELL, cells, MEASURES)
        _upsert_add(db, dialect, STAT_AREA, areas, MEASURES)
        persons = []
        # A person is a (mediator, code), not a beneficiary id (hub/people.py).
        facts, people = by_person(db, self.persons, self.beneficiaries)
        for key, n in facts.items():
            if n:
                persons.append((*key, *self.person_place.get(key[3], ("", "")), n))
        touched = sorted({str(p[0]) for p in persons})
        recount_people(db, touched, -1)
        _upsert_add(db, dialect, STAT_PERSON, persons, ("sessions",))
        if people:
            _refresh_first_months(db, dialect, sorted(people))
        recount_people(db, touched, +1)
        self.cells.clear()
        self.areas.clear()
        self.persons.clear()
        self.beneficiaries.clear()


def _upsert_add(
    db: Session, dialect: str, table: Table, rows: list[tuple[Any, ...]], measures: Iterable[str]
) -> None:
    """Add ``rows``' measures to the stored rows (inserted when missing). A row is a tuple of
    the table's columns in order. Rows are written in key order, so that concurrent writers
    lock them in the same order.

    PostgreSQL: the rows go by COPY into a temporary table, then one ``INSERT … SELECT …
    ORDER BY … ON CONFLICT`` (an executemany would cost a statement per row). SQLite: one
    executemany of the driver (sqlite3 loops in C; the only writer, no order needed)."""
    if not rows:
        return
    keys = ", ".join(c.name for c in table.primary_key.columns)
    columns = ", ".join(c.name for c in table.columns)
    updates = ", ".join(f"{m} = {table.name}.{m} + excluded.{m}" for m in measures)
    upsert = f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    if dialect != "postgresql":
        marks = ", ".join("?" for _ in table.columns)
        db.connection().exec_driver_sql(
            f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) {upsert}", rows
        )
        return
    scratch = f"tmp_{table.name}"
    db.execute(
        text(
            f"CREATE TEMP TABLE IF NOT EXISTS {scratch} (LIKE {table.name} INCLUDING DEFAULTS) "
            "ON COMMIT DELETE ROWS"
        )
    )
    db.execute(text(f"DELETE FROM {scratch}"))
    driver = db.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        with cursor.copy(f"COPY {scratch} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {scratch} "
            f"ORDER BY {keys} {upsert}"
        )


def first_months_query(beneficiaries: list[str]) -> Select[Any]:
    """Each of these codes' first month with a session, from their month facts."""
    return (
        select(STAT_PERSON.c.beneficiary_id, text("min(month)"))
        .where(
            STAT_PERSON.c.beneficiary_id.in_(beneficiaries),
            # ``tag || ''``: not the (tag, month) index, which SQLite's planner took for this
            # query, reading every untagged fact of the hub per chunk (a drain of 100,000
            # sessions took minutes); the primary key starts with the beneficiary.
            (STAT_PERSON.c.tag + "") == "",
            STAT_PERSON.c.sessions > 0,
            func.length(STAT_PERSON.c.month) == 7,  # months, not the year rows
        )
        .group_by(STAT_PERSON.c.beneficiary_id)
    )


def _refresh_first_months(db: Session, dialect: str, beneficiaries: list[str]) -> None:
    """Each code's first month, recomputed from its remaining person facts."""
    first: dict[str, str] = {b: m for b, m in db.execute(first_months_query(beneficiaries))}
    db.execute(
        delete(STAT_PERSON_FIRST).where(STAT_PERSON_FIRST.c.beneficiary_id.in_(beneficiaries))
    )
    if first:
        db.execute(
            STAT_PERSON_FIRST.insert(),
            [{"beneficiary_id": b, "first_month": m} for b, m in sorted(first.items())],
        )


def _person_nodes(row: Any) -> list[tuple[str, str, str]]:
    """(level, code, parent) of the nodes a person fact counts in."""
    nodes = [("hub", "", ""), ("mediator", row.mediator_id, "")]
    if row.commune:
        nodes += [
            ("departement", row.departement, ""),
            ("epci", row.piece, row.departement),
            ("commune", row.commune, row.piece),
        ]
    else:
        nodes.append(("departement", NO_PLACE, ""))
    return nodes


def recount_people(db: Session, persons: list[str], sign: int) -> None:
    """Take ``persons`` out of (``sign`` -1) or back into (+1) the distinct counts of
    ``stat_people``, from their year facts in ``stat_person`` and their first month. Called
    around every change of their facts: out with the old facts, in with the new ones."""
    if not persons:
        return
    counts: dict[tuple[str, str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for start in range(0, len(persons), 500):
        chunk = persons[start : start + 500]
        rows = db.execute(
            select(
                STAT_PERSON.c.beneficiary_id,
                STAT_PERSON.c.month,
                STAT_PERSON.c.mediator_id,
                STAT_PERSON.c.commune,
                STAT_PERSON.c.tag,
                STAT_PERSON.c.piece,
                STAT_PERSON.c.departement,
                STAT_PERSON_FIRST.c.first_month,
            )
            .select_from(
                STAT_PERSON.outerjoin(
                    STAT_PERSON_FIRST,
                    STAT_PERSON_FIRST.c.beneficiary_id == STAT_PERSON.c.beneficiary_id,
                )
            )
            .where(
                STAT_PERSON.c.beneficiary_id.in_(chunk),
                STAT_PERSON.c.sessions > 0,
                func.length(STAT_PERSON.c.month) == 4,  # the year facts
            )
        ).all()
        seen: set[tuple[str, str, str, str, str]] = set()
        for row in rows:
            returning = 1 if row.first_month and row.first_month[:4] < row.month else 0
            for level, code, parent in _person_nodes(row):
                key = (row.beneficiary_id, level, code, row.month, row.tag)
                if key in seen:
                    continue
                seen.add(key)
                target = counts[(level, code, row.month, row.tag, parent)]
                target[0] += sign
                target[1] += sign * returning
    rows_out = [(*k, *v) for k, v in counts.items() if any(v)]
    _upsert_add(db, db.get_bind().dialect.name, STAT_PEOPLE, rows_out, ("persons", "returned"))


def forget_facts(db: Session, beneficiary_ids: list[str]) -> None:
    """Take away the per-person facts filed under ``beneficiary_ids`` (hub/people.py files
    them again under the person key once the beneficiary is known)."""
    recount_people(db, beneficiary_ids, -1)
    db.execute(delete(STAT_PERSON).where(STAT_PERSON.c.beneficiary_id.in_(beneficiary_ids)))
    db.execute(
        delete(STAT_PERSON_FIRST).where(STAT_PERSON_FIRST.c.beneficiary_id.in_(beneficiary_ids))
    )


# ---- sessions waiting to be counted -----------------------------------------------------------
SESSIONS = RECORD_TABLES["accompagnement"]
WAITING = SESSIONS.c.uncounted.is_not(None)
# PostgreSQL advisory lock (any fixed key): one drain at a time in the whole hub, whatever the
# number of processes, and none while a rebuild runs.
DRAIN_LOCK = 0x636E_745F_6472
FIRST_CHUNK = 200
# How long a chunk's transaction should last. SQLite: its write lock is held that long (every
# push waits meanwhile). PostgreSQL: only the pushes of the chunk's mediator wait; larger
# chunks merge more rows (a 10,000-session drain: 16 s in chunks of 0.25 s, 13.5 s of 1 s).
CHUNK_SECONDS = {"sqlite": 0.25, "postgresql": 1.0}
MIN_CHUNK, MAX_CHUNK = 20, 5_000


def set_aside(
    db: Session, changes: Iterable[tuple[Mapping[str, Any] | None, MutableMapping[str, Any]]]
) -> None:
    """Push path hook: for each accompagnement row the push is about to write, with the row as
    the database holds it (``None`` for a new one), set the new row's ``uncounted`` flag.

    The row waits for the drain (TRUE) when it contributes; it is NULL (counted) when it
    counts for nothing (a tombstone) or when it was counted and its footprint is unchanged (an
    edit of the notes). A counted row whose footprint changes has its old contribution taken
    out of the aggregates here, in the push's transaction, before the row is written (edits are
    few and small); an uncounted one has nothing to take out. Called before the beneficiaries
    of the same batch are stored: the old contribution is found where it was filed (under the
    beneficiary id until hub/people.py adopts the facts, under the person key after)."""
    deltas: Deltas | None = None
    for old, new in changes:
        was_counted = old is not None and old.get("uncounted") is None
        if not was_counted:  # (most rows: new ones; no footprint to compute)
            new["uncounted"] = True if counts(new) else None
            continue
        before = footprint(old)
        after = footprint(new)
        if before == after:
            new["uncounted"] = None
            continue
        new["uncounted"] = True if after is not None else None
        if before is not None:
            deltas = deltas or Deltas()
            deltas.add(before, -1)
    if deltas is not None:
        deltas.flush(db)


def _serialise_drains(db: Session) -> bool:
    """Take the hub-wide drain lock (PostgreSQL; on SQLite the write transaction is already
    alone). Returns True on PostgreSQL."""
    if db.get_bind().dialect.name != "postgresql":
        return False
    db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DRAIN_LOCK})
    return True


def _next_mediator(
    db: Session, after: str, upto: Mapping[str, int] | None
) -> tuple[str | None, int | None]:
    if upto is not None:
        later = sorted(m for m in upto if m > after)
        return (later[0], upto[later[0]]) if later else (None, None)
    found = db.scalar(
        select(SESSIONS.c.mediator_id)
        .where(WAITING, SESSIONS.c.mediator_id > after)
        .order_by(SESSIONS.c.mediator_id)
        .limit(1)
    )
    return found, None


def count_waiting(db: Session, limit: int, upto: dict[str, int] | None = None) -> int:
    """Count at most ``limit`` waiting sessions of one mediator and mark them counted, in the
    caller's write transaction (commit it before the next call). Returns how many.

    The mediator's change counter is locked first (``hub.push.lock_counter``, as a push does):
    no push of that mediator runs between reading its waiting rows and marking them, so a
    session is counted exactly as stored, once. ``upto`` (mediator → seq): only those
    mediators' sessions up to that seq; a mediator found with none left is removed from it."""
    from hub.push import lock_counter  # the push imports this module

    postgres = _serialise_drains(db)
    after = ""
    while True:
        mediator, last = _next_mediator(db, after, upto)
        if mediator is None:
            return 0
        if postgres:
            lock_counter(db, mediator)
        query = select(SESSIONS).where(WAITING, SESSIONS.c.mediator_id == mediator)
        if last is not None:
            query = query.where(SESSIONS.c.seq <= last)
        rows = db.execute(query.order_by(SESSIONS.c.seq).limit(limit)).mappings().all()
        if rows:
            break
        if upto is not None:
            upto.pop(mediator, None)
        after = mediator
    deltas = Deltas()
    for row in rows:
        deltas.add_row(dict(row), +1)
    deltas.flush(db)
    ids = [row["id"] for row in rows]
    for start in range(0, len(ids), 500):
        db.execute(
            update(SESSIONS)
            .where(SESSIONS.c.id.in_(ids[start : start + 500]))
            .values(uncounted=None)
        )
    return len(rows)


def chunk_seconds(database: Database) -> float:
    return CHUNK_SECONDS.get(database.engine.dialect.name, 0.25)


def next_chunk(size: int, counted: int, elapsed: float, seconds: float) -> int:
    """The next chunk's size, aimed at ``seconds`` per chunk (at most doubled at a time)."""
    if counted < size and elapsed < seconds:
        return size  # a partial chunk says little about a full one
    wanted = int(size * seconds / max(elapsed, 1e-3))
    return max(MIN_CHUNK, min(MAX_CHUNK, 2 * size, wanted))


def drain(
    database: Database,
    limit: int | None = None,
    upto: dict[str, int] | None = None,
    seconds: float | None = None,
) -> int:
    """Count waiting sessions (at most ``limit``; ``upto`` as in :func:`count_waiting`), chunk
    by chunk, each chunk in a write transaction of its own of about ``seconds`` (by default
    :data:`CHUNK_SECONDS` of the database). Returns the number counted."""
    target = seconds or chunk_seconds(database)
    done, size = 0, FIRST_CHUNK
    while limit is None or done < limit:
        step = size if limit is None else min(size, limit - done)
        started = time.perf_counter()
        with database.write() as db:
            counted = count_waiting(db, step, upto)
        if not counted:
            break
        done += counted
        size = next_chunk(step, counted, time.perf_counter() - started, target)
    return done


def has_waiting(db: Session) -> bool:
    """Whether any session waits to be counted (one probe of the partial index)."""
    return db.scalar(select(SESSIONS.c.mediator_id).where(WAITING).limit(1)) is not None


def waiting_upto(db: Session) -> dict[str, int]:
    """Mediator → last seq of their waiting sessions (empty: nothing waits; one index probe)."""
    rows = db.execute(
        select(SESSIONS.c.mediator_id, func.max(SESSIONS.c.seq))
        .where(WAITING)
        .group_by(SESSIONS.c.mediator_id)
    )
    return {mediator: int(seq) for mediator, seq in rows}


def catch_up(database: Database) -> int:
    """Before reading the aggregates: count every session waiting now, so that the figures
    shown include every session the hub has received (those pushed meanwhile are left to the
    next reader or the background drain). Costs one index probe when nothing waits."""
    with database.session() as db:
        upto = waiting_upto(db)
    return drain(database, upto=upto) if upto else 0


def backlog(db: Session) -> tuple[int, dt.datetime | None]:
    """(sessions waiting to be counted, when the oldest of them was received)."""
    count, oldest = db.execute(
        select(func.count(), func.min(SESSIONS.c.received_at)).where(WAITING)
    ).one()
    return int(count), oldest


def rebuild(db: Session, batch: int = 20_000) -> int:
    """Empty the aggregates and recompute them from every accompagnement, leaving none
    waiting; returns the number of sessions counted. Runs alone: on PostgreSQL it takes the
    drain lock and blocks the writing of sessions and beneficiaries until it commits (pushes
    wait); on SQLite its write transaction does."""
    if _serialise_drains(db):
        db.execute(text("LOCK TABLE accompagnement, beneficiary IN SHARE MODE"))
    for table in (STAT_CELL, STAT_AREA, STAT_PERSON, STAT_PERSON_FIRST, STAT_PEOPLE):
        db.execute(delete(table))
    source = SESSIONS
    counted = 0
    deltas = Deltas()
    last = ""
    while True:
        rows = (
            db.execute(
                select(source)
                .where(source.c.deleted.is_(False), source.c.id > last)
                .order_by(source.c.id)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        for row in rows:
            deltas.add_row(dict(row), +1)
        counted += len(rows)
        last = rows[-1]["id"]
        deltas.flush(db)
    db.execute(update(SESSIONS).where(WAITING).values(uncounted=None))
    return counted
