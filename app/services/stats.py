"""« Mes statistiques »: the mediator's indicators for a period, with the national counting rules.

Counting rules (referentiels.md, "Counting rules used in national statistics"):

- **Activités**: one per recorded session, individual or workshop. Deleted sessions (tombstones)
  never count, anywhere, including when deciding whether a person is new.
- **Accompagnements**: an individual session counts 1; a workshop counts 1 **per participant**.
- **Personnes accompagnées** (people reached) is the sum of three parts, because Carnet can link
  a person across sessions only through a pseudonymous follow-up code:
  * people with a follow-up code: each distinct code seen in the period counts once;
  * individual sessions without a code: each counts as one person whose status is unknown (we
    cannot tell whether two such sessions are the same person, so this part is an upper bound);
  * workshop participants: each participant counts once (anonymous counters, same caveat).
- **Nouveaux / déjà accompagnés**:
  * a code is *nouveau* when its first accompaniment **ever** (all non-deleted sessions, before
    the period included, whatever the filters) falls in the period; otherwise *déjà accompagné*;
  * an individual session without a code is counted under *statut inconnu*;
  * a workshop uses its counter "déjà accompagnés": that many returning, the rest new; a workshop
    whose counter was left empty counts all its participants under *statut inconnu*.
- **Heures**: the sum of the sessions' durations (a workshop's duration counts once: it is the
  mediator's time, not person-hours).
- Breakdowns of what an activity is (type, theme, place type, venue, commune, material, tag,
  duration bucket) count **activités**. Themes, materials and tags are multi-valued: one activity
  counts under each of its values, so shares add up to more than 100 %.
- Breakdowns of who was accompanied (gender, age bracket, status) count **accompagnements**: an
  individual session counts 1 under its value, a workshop adds its counters, and whatever is
  missing (empty field, or participants not covered by the counters) is *non communiqué*.
  Autonomy and orientation exist for individual sessions only and count those.

A commune is labelled as most sessions of the period spell it (name and postal code).

Speed: counting is one SQL scan with ``group_concat`` aggregates (no per-row Python object, no
GROUP BY sorter), counted in C by ``collections.Counter``; workshops, a small share of the rows,
are read row by row. Counts of disjoint parts add up (codes by union), so each calendar month is
counted once and kept in a cache (table stats_month, app/models/stats_cache.py, emptied of a
month by triggers whenever a session of it changes): a period adds up its whole months from the
cache, counts and stores those missing, and counts from the sessions only the days of a month it
cuts. The "seen before the period" codes are looked up in the follow-up code index when few,
else read from the cached months before. The cold count of 5 years is about one pass over the
data, a warm one a few milliseconds: see bench/bench_stats.py.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.models import referentiels as ref
from app.models.stats_cache import STATS_TRIGGERS

NC = ref.NON_COMMUNIQUE
NOT_ORIENTED = "non_oriente"
NO_PLACE = "non_renseigne"
# Keys of a workshop's ``counters`` JSON (``{"genre": {"feminin": 3}, "age": {...}}``) and the
# national list each one uses. Older spellings of the age key are accepted.
COUNTER_GROUPS: dict[str, dict[str, str]] = {
    "genre": ref.GENRES,
    "age": ref.TRANCHES_AGE,
    "statut": ref.STATUTS,
}
COUNTER_ALIASES = {"age_bracket": "age", "tranche_age": "age"}

_SEP = "\x1f"  # between values in group_concat: no code, name or tag contains it
_FIELD = "\x1e"  # between the fields packed into one value

# Below this share of the table, the date index is faster than a full scan (measured).
_INDEX_SHARE = 0.25
# A slice worth a thread of its own.
_SLICE_ROWS = 20_000
# Above this many sessions before the period per code, index look-ups beat a range scan.
_SESSIONS_PER_CODE = 4
# With the cache, index look-ups beat reading the cached months' codes below this many
# sessions before the period per code (measured: 30 days, 200 codes: 1.6 vs 4.8 ms; 365 days,
# 5,800 codes: 33 vs 6 ms).
_CACHED_ROWS_PER_CODE = 128
# Returning codes come from the cached months before the period unless more than 1 in this
# many are missing (then the sessions are read, and the months left to a longer period).
_MISSING_SHARE = 4
# Months counted from sessions in one go: at least this many per thread.
_MONTHS_PER_THREAD = 12

# Layout of a cached month (stats_month.tally) and of the counting behind it: bump it whenever
# _SCAN_SQL, _tally_from_scan, _add_counters or _Tally.to_cache change what a month holds, so
# that months counted by an older version are counted again (tests/services/test_stats_cache.py
# fails until then).
CACHE_FORMAT = 1
# A computation waits this long at most for the write lock to store months; then skips it.
_STORE_WAIT_MS = 250
_STORE_SQL = """
INSERT OR REPLACE INTO stats_month (month, filter_key, format, tally, codes)
SELECT :month, :key, :format, :tally, :codes
WHERE (SELECT epoch FROM stats_cache_state WHERE id = 1) = :epoch
"""
_DAY = dt.timedelta(days=1)
_T = TypeVar("_T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatsFilter:
    """Optional filters on top of the period. ``None`` means everything."""

    kind: str | None = None
    venue_id: str | None = None
    theme: str | None = None
    tag: str | None = None
    place_type: str | None = None


@dataclass(frozen=True)
class BreakdownRow:
    code: str
    label: str
    count: int
    share: float  # count / breakdown total (0 when the total is 0)


@dataclass(frozen=True)
class Breakdown:
    key: str  # "type", "theme", "genre"…
    title: str  # French title
    unit: str  # "activités" or "accompagnements"
    total: int  # the base of the shares
    multi: bool  # multi-valued: shares add up to more than 100 %
    rows: tuple[BreakdownRow, ...]

    def count(self, code: str) -> int:
        return next((r.count for r in self.rows if r.code == code), 0)

    def top(self, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` largest non-zero rows as (label, count), for charts."""
        rows = sorted((r for r in self.rows if r.count), key=lambda r: -r.count)
        return [(r.label, r.count) for r in rows[:limit]]


@dataclass(frozen=True)
class MonthPoint:
    month: str  # "YYYY-MM"
    activities: int
    accompagnements: int
    minutes: int


@dataclass(frozen=True)
class Indicators:
    activities: int
    individual_sessions: int
    workshops: int
    workshop_participants: int
    accompagnements: int
    people: int
    people_with_code: int
    anonymous_sessions: int  # individual sessions without a follow-up code
    new_people: int
    returning_people: int
    unknown_status_people: int
    minutes: int

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class StatsReport:
    date_from: dt.date
    date_to: dt.date
    filters: StatsFilter
    indicators: Indicators
    breakdowns: tuple[Breakdown, ...]
    trend: tuple[MonthPoint, ...]

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)


# Breakdown order, title and unit; the UI, the XLSX and the PDF follow this order.
BREAKDOWNS: tuple[tuple[str, str, str], ...] = (
    ("type", "Type d'activité", "activités"),
    ("theme", "Thématiques", "activités"),
    ("place_type", "Type de lieu", "activités"),
    ("venue", "Lieux d'activité", "activités"),
    ("commune", "Communes", "activités"),
    ("materiel", "Matériel utilisé", "activités"),
    ("duration", "Durée", "activités"),
    ("tag", "Étiquettes", "activités"),
    ("autonomy", "Autonomie (accompagnements individuels)", "accompagnements"),
    ("orientation", "Orientation (accompagnements individuels)", "accompagnements"),
    ("age", "Tranche d'âge", "accompagnements"),
    ("genre", "Genre", "accompagnements"),
    ("statut", "Statut", "accompagnements"),
)
MULTI_VALUED = {"theme", "materiel", "tag"}


def months_between(date_from: dt.date, date_to: dt.date) -> list[str]:
    months = []
    year, month = date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def filter_conditions(flt: StatsFilter, params: dict[str, Any], alias: str = "") -> list[str]:
    """SQL conditions of ``flt`` on the accompagnement table (``alias`` e.g. "a."); fills
    ``params``. Shared by the statistics and the exports, so both select the same sessions."""
    where = []
    for column, value in (
        ("kind", flt.kind),
        ("venue_id", flt.venue_id),
        ("place_type", flt.place_type),
    ):
        if value:
            where.append(f"{alias}{column} = :{column}")
            params[column] = value
    for column, value in (("themes", flt.theme), ("tags", flt.tag)):
        if value:
            where.append(f"instr({alias}{column}, :{column}) > 0")
            params[column] = f"|{value}|"
    return where


class _Tally:
    """Counts for one slice of the period, or one cached month; parts are merged by addition
    (codes by union), so any set of slices and months adds up to the whole period."""

    SUMS = (
        "individual",
        "anonymous",
        "workshops",
        "participants",
        "returning",
        "unknown",
        "minutes",
    )

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {key: Counter() for key, _t, _u in BREAKDOWNS}
        self.month_activities: Counter[str] = Counter()
        self.month_accomp: Counter[str] = Counter()
        self.month_minutes: Counter[str] = Counter()
        # "insee, postal code, name" as the sessions spell them, with their counts (labels).
        self.communes: Counter[str] = Counter()
        self.codes: set[str] = set()
        self.individual = 0
        self.anonymous = 0
        self.workshops = 0
        self.participants = 0
        self.returning = 0
        self.unknown = 0
        self.minutes = 0

    def merge(self, other: _Tally) -> None:
        for key, counts in other.counts.items():
            self.counts[key].update(counts)
        self.month_activities.update(other.month_activities)
        self.month_accomp.update(other.month_accomp)
        self.month_minutes.update(other.month_minutes)
        self.communes.update(other.communes)
        self.codes |= other.codes
        for name in self.SUMS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    # ---- the cached form of a month (table stats_month) ----------------------------------------
    def to_cache(self) -> tuple[str, str]:
        """(tally JSON, follow-up ids joined by char(31))."""
        doc = {
            "counts": self.counts,
            "trend": [self.month_activities, self.month_accomp, self.month_minutes],
            "communes": self.communes,
            "sums": [getattr(self, name) for name in self.SUMS],
        }
        return json.dumps(doc, separators=(",", ":")), _SEP.join(self.codes)

    def merge_cached(self, tally_json: str, codes: str) -> None:
        """Add a month stored by :meth:`to_cache`."""
        doc = json.loads(tally_json)
        for key, counts in doc["counts"].items():
            self.counts[key].update(counts)
        for counter, counts in zip(
            (self.month_activities, self.month_accomp, self.month_minutes),
            doc["trend"],
            strict=True,
        ):
            counter.update(counts)
        self.communes.update(doc["communes"])
        if codes:
            self.codes.update(codes.split(_SEP))
        for name, value in zip(self.SUMS, doc["sums"], strict=True):
            setattr(self, name, getattr(self, name) + value)


def _count_codes(joined: str | None) -> Counter[str]:
    """Counts of each code in ``|a|b|`` values concatenated together."""
    counts = Counter((joined or "").split("|"))
    counts.pop("", None)
    return counts


def _split_counts(joined: str | None) -> Counter[str]:
    return Counter(joined.split(_SEP)) if joined else Counter()


def _iso(day: dt.date) -> str:
    return day.isoformat()


# One scan of a slice of the period. Fields that exist for individual sessions only (autonomy,
# orientation, genre, age, statut, follow-up code) are NULL on workshops (SessionService writes
# them so), hence plain group_concat; a NULL is not listed, so "non communiqué" is what is left.
_SCAN_SQL = """
SELECT
  count(*),
  count(beneficiary_id),
  sum(oriented = 0),
  group_concat(date || duration_min, {S}),
  group_concat(place_type, {S}),
  group_concat(venue_id, {S}),
  group_concat(commune_insee || {F} || ifnull(postal_code, '') || {F} || ifnull(commune_name, ''),
    {S}),
  group_concat(themes, ''),
  group_concat(materiels, ''),
  group_concat(tags, ''),
  group_concat(autonomy, {S}),
  group_concat(orientation, {S}),
  group_concat(genre, {S}),
  group_concat(age_bracket, {S}),
  group_concat(statut, {S}),
  group_concat(beneficiary_id, {S}),
  group_concat(CASE WHEN kind = 'collectif' THEN substr(date, 1, 7) || {F} || ifnull(participants, 0)
    || {F} || ifnull(participants_returning, '') END, {S}),
  group_concat(CASE WHEN kind = 'collectif' THEN ifnull(participants, 0) || {F} || counters END,
    {S})
FROM accompagnement WHERE {{where}}
""".format(S="char(31)", F="char(30)")


class StatsService:
    """Computes a StatsReport; safe to call from a worker thread. Its only writes go to the
    statistics cache (table stats_month), and a failed cache write never fails a computation."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        workers: int | None = None,
        cache: bool = True,
    ) -> None:
        self._sf = session_factory
        # SQLite runs a statement without holding Python's lock: slices of a long period are
        # scanned on several connections at once.
        self._workers = max(1, min(workers or os.cpu_count() or 1, 4))
        # Off: every figure is counted from the sessions (what the cache is tested against).
        self._use_cache = cache

    # ---- public --------------------------------------------------------------------------
    def compute(
        self,
        date_from: dt.date,
        date_to: dt.date,
        filters: StatsFilter | None = None,
    ) -> StatsReport:
        """Indicators, breakdowns and monthly trend for ``date_from``..``date_to`` (inclusive)."""
        if date_to < date_from:
            raise ValueError("La date de fin précède la date de début.")
        flt = filters or StatsFilter()
        # Read before any session: a change saved after this keeps what is counted out of the
        # cache (see _store).
        epoch = self._cache_epoch() if self._use_cache else None
        with self._sf() as db:
            before = self._count_dates(db, "date < :f", date_from, date_to)
            venue_names: dict[str, str] = dict(
                (r[0], r[1]) for r in db.execute(text("SELECT id, name FROM venue"))
            )
        if epoch is None:
            tally = self._count_period(date_from, date_to, flt)
        else:
            tally = self._count_by_month(date_from, date_to, flt, epoch)
        seen_before = self._codes_seen_before(date_from, tally.codes, before, epoch)
        return _report(date_from, date_to, flt, tally, seen_before, venue_names)

    def first_activity_date(self) -> dt.date | None:
        """Date of the oldest session, to offer "since the beginning" as a period."""
        with self._sf() as db:
            value = db.execute(
                text("SELECT min(date) FROM accompagnement WHERE deleted_at IS NULL")
            ).scalar()
        return dt.date.fromisoformat(value) if value else None

    # ---- counting from the sessions ------------------------------------------------------
    def _count_period(self, date_from: dt.date, date_to: dt.date, flt: StatsFilter) -> _Tally:
        """The whole period counted from its sessions."""
        with self._sf() as db:
            total = _table_size(db)
            in_period = self._count_dates(db, "date BETWEEN :f AND :t", date_from, date_to)
            max_rowid = db.execute(text("SELECT max(rowid) FROM accompagnement")).scalar() or 0
        period = (_iso(date_from), _iso(date_to))
        if in_period < total * _INDEX_SHARE:
            # A short period: walk the date index (one row lookup per session in the period).
            jobs: list[Callable[[], _Tally]] = [partial(self._scan, period, None, flt)]
        else:
            # A long one: scan the table in rowid slices, one connection each.
            n = min(self._workers, max(1, in_period // _SLICE_ROWS))
            cuts = [max_rowid * k // n for k in range(n)] + [max_rowid]
            jobs = [partial(self._scan, period, (cuts[k], cuts[k + 1]), flt) for k in range(n)]
        tally = _Tally()
        for part in self._run(jobs):
            tally.merge(part)
        return tally

    def _run(self, jobs: Sequence[Callable[[], _T]]) -> list[_T]:
        if self._workers == 1 or len(jobs) <= 1:
            return [job() for job in jobs]
        with ThreadPoolExecutor(max_workers=min(self._workers, len(jobs))) as pool:
            return list(pool.map(lambda job: job(), jobs))

    @staticmethod
    def _count_dates(db: Session, condition: str, date_from: dt.date, date_to: dt.date) -> int:
        """Rows (tombstones included) in a date range, read from the date index alone."""
        sql = f"SELECT count(*) FROM accompagnement WHERE {condition}"
        return db.execute(text(sql), {"f": _iso(date_from), "t": _iso(date_to)}).scalar() or 0

    def _scan(
        self, period: tuple[str, str], rowids: tuple[int, int] | None, flt: StatsFilter
    ) -> _Tally:
        """One pass over the period (or the rowid slice ``(lo, hi]`` of it)."""
        with self._sf() as db:
            return _scan_rows(db, period, rowids, flt)

    def _scan_months(self, months: Sequence[str], flt: StatsFilter) -> list[tuple[str, _Tally]]:
        """Each month counted from its sessions (the date index), on one connection."""
        with self._sf() as db:
            return [(m, _scan_rows(db, _month_period(m), None, flt)) for m in months]

    # ---- the cache of months -------------------------------------------------------------
    def _cache_epoch(self) -> int | None:
        """The cache's epoch; None when the cache cannot be trusted (a trigger is missing)."""
        names = ", ".join(f"'{name}'" for name in STATS_TRIGGERS)
        with self._sf() as db:
            found = db.execute(
                text(
                    f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})"
                )
            ).scalar()
            if found != len(STATS_TRIGGERS):
                log.warning("statistics cache unused: its triggers are missing")
                return None
            epoch: int | None = db.execute(
                text("SELECT epoch FROM stats_cache_state WHERE id = 1")
            ).scalar()
        return epoch

    def _count_by_month(
        self, date_from: dt.date, date_to: dt.date, flt: StatsFilter, epoch: int
    ) -> _Tally:
        """Whole months from the cache (those missing are counted and stored); the part of a
        month that the period cuts is counted from its sessions, as without the cache."""
        months = months_between(date_from, date_to)
        start, end = _month_bounds(months[0])[0], _month_bounds(months[-1])[1]
        with self._sf() as db:
            # A month the period cuts is whole all the same when no session lies outside it.
            cut_start = date_from > start and _has_rows(db, start, date_from - _DAY)
            cut_end = date_to < end and _has_rows(db, date_to + _DAY, end)
        cuts: list[tuple[dt.date, dt.date]] = []
        whole = months
        if len(months) == 1 and (cut_start or cut_end):
            cuts, whole = [(date_from, date_to)], []
        else:
            if cut_start:
                cuts.append((date_from, _month_bounds(months[0])[1]))
                whole = whole[1:]
            if cut_end:
                cuts.append((_month_bounds(months[-1])[0], date_to))
                whole = whole[:-1]
        key = _filter_key(flt)
        tally = _Tally()
        cached, missing = self._cached_months(key, whole, "tally, codes")
        for _month, tally_json, codes in cached:
            tally.merge_cached(tally_json, codes)
        edges = [partial(self._scan, (_iso(a), _iso(b)), None, flt) for a, b in cuts]
        counted, parts = self._count_months(key, missing, flt, epoch, edges)
        for part in parts + [t for _m, t in counted]:
            tally.merge(part)
        return tally

    def _cached_months(
        self, key: str, months: Sequence[str], columns: str
    ) -> tuple[Sequence[Any], list[str]]:
        """The cached rows (month, *columns) of consecutive ``months``, and the months missing."""
        if not months:
            return [], []
        with self._sf() as db:
            rows = db.execute(
                text(
                    f"SELECT month, {columns} FROM stats_month WHERE filter_key = :key "
                    "AND format = :format AND month BETWEEN :first AND :last"
                ),
                {"key": key, "format": CACHE_FORMAT, "first": months[0], "last": months[-1]},
            ).all()
        found = {row[0] for row in rows}
        return rows, [m for m in months if m not in found]

    def _count_months(
        self,
        key: str,
        months: Sequence[str],
        flt: StatsFilter,
        epoch: int,
        extra: Sequence[Callable[[], _Tally]] = (),
    ) -> tuple[list[tuple[str, _Tally]], list[_Tally]]:
        """Count ``months`` from their sessions and store them; the ``extra`` jobs run on the
        same workers. Returns the months counted and the extra jobs' results."""
        n = min(self._workers, max(1, len(months) // _MONTHS_PER_THREAD))
        size = max(1, -(-len(months) // n))
        chunks = [months[k : k + size] for k in range(0, len(months), size)]
        jobs: list[Callable[[], list[tuple[str, _Tally]] | _Tally]] = [*extra]
        jobs += [partial(self._scan_months, chunk, flt) for chunk in chunks]
        results = self._run(jobs)
        parts = [r for r in results[: len(extra)] if isinstance(r, _Tally)]
        counted = [item for r in results[len(extra) :] if isinstance(r, list) for item in r]
        self._store(key, counted, epoch)
        return counted, parts

    def _store(self, key: str, counted: Sequence[tuple[str, _Tally]], epoch: int) -> None:
        """Store months counted from sessions read after the epoch was ``epoch``. The insert
        checks the epoch: if any session changed meanwhile, nothing is stored (the months may
        be stale); the next computation counts them again. Never waits long for the lock, and
        never fails: the cache only saves time."""
        if not counted:
            return
        rows = []
        for month, part in counted:
            tally_json, codes = part.to_cache()
            rows.append(
                {
                    "month": month,
                    "key": key,
                    "format": CACHE_FORMAT,
                    "tally": tally_json,
                    "codes": codes,
                    "epoch": epoch,
                }
            )
        # One connection throughout (a session may change connections after a rollback).
        engine: Engine = self._sf.kw["bind"]
        with engine.connect() as conn:
            timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {_STORE_WAIT_MS}")
            try:
                conn.execute(text(_STORE_SQL), rows)
                conn.commit()
            except DBAPIError as exc:
                conn.rollback()
                log.info("statistics cache not written: %s", exc.orig)
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(timeout or 0)}")

    # ---- new or returning ----------------------------------------------------------------
    def _codes_seen_before(
        self,
        date_from: dt.date,
        codes: set[str],
        before: int,
        epoch: int | None,
    ) -> set[str]:
        """The codes of ``codes`` with a (non-deleted) session before the period, whatever the
        filters. Many codes, and the months before mostly cached: the codes of the cached
        months; else few codes: look each one up in the follow-up code index; many: one range
        scan."""
        if not codes or not before:
            return set()
        if epoch is not None and len(codes) * _CACHED_ROWS_PER_CODE >= before:
            found = self._codes_seen_in_months_before(date_from, codes, epoch)
            if found is not None:
                return found
        if len(codes) * _SESSIONS_PER_CODE < before:
            with self._sf() as db:
                found_ids = db.execute(
                    text(
                        "SELECT DISTINCT beneficiary_id FROM accompagnement INDEXED BY "
                        "ix_accompagnement_beneficiary WHERE beneficiary_id IN "
                        "(SELECT value FROM json_each(:codes)) "
                        "AND date < :f AND deleted_at IS NULL"
                    ),
                    {"codes": json.dumps(sorted(codes)), "f": _iso(date_from)},
                ).scalars()
                return set(found_ids)
        with self._sf() as db:
            total = _table_size(db)
        date_col = "date" if before < total * _INDEX_SHARE else "+date"
        return _codes_seen_between(self._sf, codes, None, date_from, date_col)

    def _codes_seen_in_months_before(
        self, date_from: dt.date, codes: set[str], epoch: int
    ) -> set[str] | None:
        """Codes seen before ``date_from``: in the months before its month (the unfiltered
        cache, its few missing months counted and stored), and in its month before it (the
        sessions). None when most months before are missing (the first computations after
        the migration): reading the sessions is cheaper than counting them all now."""
        start = _month_bounds(_iso(date_from)[:7])[0]
        with self._sf() as db:
            first = db.execute(text("SELECT min(date) FROM accompagnement")).scalar()
        months = []
        if first and first < _iso(start):
            months = months_between(dt.date.fromisoformat(first), start - _DAY)
        cached, missing = self._cached_months("", months, "codes")
        if len(missing) > len(months) // _MISSING_SHARE:
            return None
        found = _codes_seen_between(self._sf, codes, start, date_from, "date")
        for _month, joined in cached:
            if joined:
                found |= codes.intersection(joined.split(_SEP))
        counted, _parts = self._count_months("", missing, StatsFilter(), epoch)
        for _month, part in counted:
            found |= codes & part.codes
        return found


def _codes_seen_between(
    sf: sessionmaker[Session], codes: set[str], start: dt.date | None, end: dt.date, date_col: str
) -> set[str]:
    """The codes of ``codes`` with a live session from ``start`` (None: the first) to the day
    before ``end``, by one range scan (``date_col``: "date" walks the date index)."""
    where = [f"{date_col} < :end", "deleted_at IS NULL", "beneficiary_id IS NOT NULL"]
    params = {"end": _iso(end)}
    if start is not None:
        if start >= end:
            return set()
        where.append(f"{date_col} >= :start")
        params["start"] = _iso(start)
    with sf() as db:
        joined = db.execute(
            text(
                "SELECT group_concat(beneficiary_id, char(31)) FROM accompagnement "
                f"WHERE {' AND '.join(where)}"
            ),
            params,
        ).scalar()
    return codes.intersection(joined.split(_SEP)) if joined else set()


def _scan_rows(
    db: Session, period: tuple[str, str], rowids: tuple[int, int] | None, flt: StatsFilter
) -> _Tally:
    """One pass over the live sessions of ``period`` (or of the rowid slice ``(lo, hi]``)."""
    params: dict[str, Any] = {"date_from": period[0], "date_to": period[1]}
    if rowids is None:
        where = ["date BETWEEN :date_from AND :date_to"]
    else:
        # "+date": compare the date without walking its index.
        where = ["+date BETWEEN :date_from AND :date_to", "rowid > :lo", "rowid <= :hi"]
        params.update(lo=rowids[0], hi=rowids[1])
    where.append("deleted_at IS NULL")
    where += filter_conditions(flt, params)
    row = db.execute(text(_SCAN_SQL.format(where=" AND ".join(where))), params).one()
    return _tally_from_scan(row)


def _table_size(db: Session) -> int:
    return db.execute(text("SELECT count(*) FROM accompagnement")).scalar() or 0


def _has_rows(db: Session, first: dt.date, last: dt.date) -> bool:
    """Whether any session, deleted or not, is dated ``first``..``last`` (the date index)."""
    sql = "SELECT EXISTS (SELECT 1 FROM accompagnement WHERE date BETWEEN :a AND :b)"
    return bool(db.execute(text(sql), {"a": _iso(first), "b": _iso(last)}).scalar())


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of "YYYY-MM"."""
    year, number = int(month[:4]), int(month[5:7])
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return dt.date(year, number, 1), following - _DAY


def _month_period(month: str) -> tuple[str, str]:
    first, last = _month_bounds(month)
    return _iso(first), _iso(last)


def _filter_key(flt: StatsFilter) -> str:
    """The cache's name for a filter: "" for none."""
    if flt == StatsFilter():
        return ""
    return json.dumps(asdict(flt), sort_keys=True, separators=(",", ":"))


def _tally_from_scan(row: Any) -> _Tally:
    t = _Tally()
    activities, with_code, not_oriented = (v or 0 for v in row[0:3])
    for token, n in _split_counts(row[3]).items():
        month, minutes = token[:7], int(token[10:])
        t.month_activities[month] += n
        t.month_accomp[month] += n  # a workshop's participants are added below
        t.month_minutes[month] += minutes * n
        t.minutes += minutes * n
        t.counts["duration"][ref.duration_bucket(minutes)] += n
    t.counts["place_type"] = _split_counts(row[4])
    t.counts["venue"] = _split_counts(row[5])
    communes = _split_counts(row[6])
    for token, n in communes.items():
        t.counts["commune"][token.split(_FIELD, 1)[0]] += n
    t.communes = communes
    t.counts["commune"][NO_PLACE] += activities - communes.total()
    t.counts["theme"] = _count_codes(row[7])
    t.counts["materiel"] = _count_codes(row[8])
    t.counts["tag"] = _count_codes(row[9])
    for key, column in (("autonomy", 10), ("orientation", 11), ("genre", 12), ("age", 13)):
        t.counts[key] = _split_counts(row[column])
    t.counts["statut"] = _split_counts(row[14])
    t.codes = set(row[15].split(_SEP)) if row[15] else set()
    for token, n in _split_counts(row[16]).items():
        month, participants_text, returning = token.split(_FIELD)
        participants = max(int(participants_text), 0)
        t.workshops += n
        t.participants += participants * n
        t.month_accomp[month] += (participants - 1) * n
        if returning:
            t.returning += min(int(returning), participants) * n
        else:
            t.unknown += participants * n
    workshops_with_counters = 0
    for token, n in _split_counts(row[17]).items():
        participants_text, counters = token.split(_FIELD, 1)
        _add_counters(t, counters, max(int(participants_text), 0), n)
        workshops_with_counters += n
    t.individual = activities - t.workshops
    t.anonymous = t.individual - with_code
    t.counts["orientation"][NOT_ORIENTED] += not_oriented
    for key in ("autonomy", "orientation"):
        t.counts[key][NC] += t.individual - t.counts[key].total()
    for key in COUNTER_GROUPS:
        # Individual sessions without a value, and the participants of workshops without
        # counters (those with counters added their own remainder).
        t.counts[key][NC] += t.individual + t.participants - t.counts[key].total()
    t.counts["type"]["individuel"] = t.individual
    t.counts["type"]["collectif"] = t.workshops
    return t


def _report(
    date_from: dt.date,
    date_to: dt.date,
    flt: StatsFilter,
    tally: _Tally,
    seen_before: set[str],
    venue_names: dict[str, str],
) -> StatsReport:
    codes = tally.codes
    returning_codes = len(codes & seen_before)
    workshop_new = tally.participants - tally.returning - tally.unknown
    indicators = Indicators(
        activities=tally.individual + tally.workshops,
        individual_sessions=tally.individual,
        workshops=tally.workshops,
        workshop_participants=tally.participants,
        accompagnements=tally.individual + tally.participants,
        people=len(codes) + tally.anonymous + tally.participants,
        people_with_code=len(codes),
        anonymous_sessions=tally.anonymous,
        new_people=len(codes) - returning_codes + workshop_new,
        returning_people=returning_codes + tally.returning,
        unknown_status_people=tally.anonymous + tally.unknown,
        minutes=tally.minutes,
    )
    labels = _label_tables(_commune_labels(tally.communes), venue_names)
    totals = {"activités": indicators.activities, "accompagnements": indicators.accompagnements}
    breakdowns = []
    for key, title, unit in BREAKDOWNS:
        if key in ("autonomy", "orientation"):
            total = indicators.individual_sessions
        elif key == "venue":
            total = tally.counts["place_type"]["lieu_activite"]
        else:
            total = totals[unit]
        breakdowns.append(_breakdown(key, title, unit, total, tally.counts[key], labels[key]))
    trend = tuple(
        MonthPoint(m, tally.month_activities[m], tally.month_accomp[m], tally.month_minutes[m])
        for m in months_between(date_from, date_to)
    )
    return StatsReport(date_from, date_to, flt, indicators, tuple(breakdowns), trend)


def _add_counters(tally: _Tally, counters_json: str, participants: int, times: int) -> None:
    """``times`` workshops' counters into the gender / age / status breakdowns.

    Participants not covered by a counter are left out here: they end up "non communiqué"."""
    try:
        counters = json.loads(counters_json)
    except ValueError:
        return
    if not isinstance(counters, dict):
        return
    for alias, key in COUNTER_ALIASES.items():
        if alias in counters:
            counters.setdefault(key, counters[alias])
    for group in COUNTER_GROUPS:
        counts = counters.get(group)
        known = 0
        if isinstance(counts, dict):
            for code, n in counts.items():
                # Never more than the participants: a bad counter cannot inflate a figure.
                if isinstance(n, int) and n > 0 and known + n <= participants:
                    tally.counts[group][code or NC] += n * times
                    known += n


@dataclass
class _Labels:
    table: dict[str, str]
    missing: str = "Non communiqué"
    order: tuple[str, ...] = field(default_factory=tuple)  # national order; others by count


def _commune_labels(communes: Counter[str]) -> dict[str, str]:
    """A commune's label as most sessions of the period spell it (ties: the first in order)."""
    labels: dict[str, str] = {}
    for token, _n in sorted(communes.items(), key=lambda item: (-item[1], item[0])):
        insee, postal, name = token.split(_FIELD)
        labels.setdefault(insee, f"{name} ({postal})" if name and postal else name or insee)
    return labels


def _label_tables(place_labels: dict[str, str], venue_names: dict[str, str]) -> dict[str, _Labels]:
    nc = {NC: "Non communiqué"}
    return {
        "type": _Labels(ref.TYPES, order=tuple(ref.TYPES)),
        "theme": _Labels(ref.THEMES, order=tuple(ref.THEMES)),
        "place_type": _Labels(ref.PLACE_TYPES, order=tuple(ref.PLACE_TYPES)),
        "venue": _Labels(venue_names),
        "commune": _Labels({**place_labels, NO_PLACE: "Non renseignée (à distance…)"}),
        "materiel": _Labels(ref.MATERIELS, order=tuple(ref.MATERIELS)),
        "duration": _Labels(ref.DURATION_BUCKETS, order=tuple(ref.DURATION_BUCKETS)),
        "tag": _Labels({}),
        "autonomy": _Labels({**ref.AUTONOMIES, **nc}, order=(*ref.AUTONOMIES, NC)),
        "orientation": _Labels(
            {NOT_ORIENTED: "Pas d'orientation", **ref.ORIENTATIONS, **nc},
            order=(NOT_ORIENTED, *ref.ORIENTATIONS, NC),
        ),
        "age": _Labels(ref.TRANCHES_AGE, order=tuple(ref.TRANCHES_AGE)),
        "genre": _Labels(ref.GENRES, order=tuple(ref.GENRES)),
        "statut": _Labels(ref.STATUTS, order=tuple(ref.STATUTS)),
    }


def _breakdown(
    key: str, title: str, unit: str, total: int, counts: Counter[str], labels: _Labels
) -> Breakdown:
    """Rows in the national order for closed lists (zeros kept: a funder sees "0 at home"),
    by decreasing count for open lists (venues, communes, tags), "not given" last."""
    if labels.order:
        codes: Iterable[str] = [*labels.order, *(c for c in counts if c not in labels.order)]
    else:
        codes = sorted(
            (c for c in counts if counts[c]),
            key=lambda c: (c in (NC, NO_PLACE), -counts[c], (labels.table.get(c) or c).casefold()),
        )
    rows = tuple(
        BreakdownRow(
            code=c,
            label=labels.table.get(c, c),
            count=counts[c],
            share=counts[c] / total if total else 0.0,
        )
        for c in codes
    )
    return Breakdown(key, title, unit, total, key in MULTI_VALUED, rows)


COUNTING_RULES: tuple[str, ...] = (
    "Une activité = une séance enregistrée (accompagnement individuel ou atelier collectif).",
    "Accompagnements : 1 par accompagnement individuel, 1 par participant pour un atelier.",
    "Personnes accompagnées : chaque code de suivi compte une fois ; un accompagnement sans code "
    "et chaque participant d'atelier comptent pour une personne.",
    "Nouvelles personnes : premier accompagnement de leur code de suivi (toutes dates "
    "confondues) ; ateliers : participants non « déjà accompagnés ».",
    "Heures : somme des durées des activités (la durée d'un atelier compte une fois).",
    "Thématiques, matériel et étiquettes : une activité compte pour chacune de ses valeurs.",
    "Genre, âge, statut : compteurs des ateliers inclus ; valeur absente = « non communiqué ».",
    "Les séances supprimées ne sont jamais comptées.",
)


def describe_filters(flt: StatsFilter) -> str:
    parts = []
    if flt.kind:
        parts.append(ref.label(ref.TYPES, flt.kind))
    if flt.place_type:
        parts.append(ref.label(ref.PLACE_TYPES, flt.place_type))
    if flt.theme:
        parts.append(f"thématique « {ref.label(ref.THEMES, flt.theme)} »")
    if flt.tag:
        parts.append(f"étiquette « {flt.tag} »")
    if flt.venue_id:
        parts.append("un lieu d'activité")
    return ", ".join(parts)
