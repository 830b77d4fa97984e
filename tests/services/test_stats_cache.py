"""The statistics cache of months (table stats_month): the same figures as a count from scratch,
whatever wrote the sessions, and triggers that forget exactly the months a change touches."""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import inspect
import random
import re
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.models import referentiels as ref
from app.models.entities import Accompagnement, Beneficiary
from app.models.ids import new_id
from app.models.payloads import row_payload
from app.models.schema import metadata
from app.services import stats
from app.services.notebook import Notebook, open_notebook
from app.services.sessions import SessionInput
from app.services.stats import StatsFilter, StatsService
from bench.datagen import generate_notebook
from tests.models.test_beneficiary_merge import (
    hub_beneficiary,
    pull_beneficiary,
    pull_session,
    row_payload_for,
)

D = dt.date
TODAY = dt.date.today()
FILTERS = (None, StatsFilter(kind="collectif"), StatsFilter(theme="email"))


@pytest.fixture
def generated(tmp_path: Path) -> Any:
    """A notebook of 900 generated sessions over three years (300 follow-up codes)."""
    db_path = tmp_path / "gen.db"
    generate_notebook(db_path, 900, seed=11, years=3)
    nb = open_notebook(db_path)
    yield nb
    nb.close()


def cached_months(nb: Notebook, key: str = "") -> set[str]:
    con = sqlite3.connect(nb.db_path)
    try:
        rows = con.execute("SELECT month FROM stats_month WHERE filter_key = ?", (key,))
        return {r[0] for r in rows}
    finally:
        con.close()


def sql(nb: Notebook, statement: str, *params: Any) -> None:
    """A change made by hand, outside the services (as an import or a repair tool would)."""
    con = sqlite3.connect(nb.db_path)
    try:
        con.execute(statement, params)
        con.commit()
    finally:
        con.close()


def periods(rng: random.Random, first: D) -> list[tuple[D, D]]:
    """Random periods (most cut months at both ends), then the usual ones."""
    span = (TODAY - first).days
    chosen = []
    for _ in range(5):
        start = first + dt.timedelta(days=rng.randint(-40, span))
        chosen.append((start, start + dt.timedelta(days=rng.randint(0, 500))))
    month = D(TODAY.year - 1, 3, 1)
    chosen.append((month, D(TODAY.year - 1, 3, 31)))  # one whole month
    chosen += [(D(TODAY.year, 1, 1), TODAY), (TODAY - dt.timedelta(days=365), TODAY)]
    return [*chosen, (first, TODAY)]


Periods = Sequence[tuple[D, D]]


def assert_same_figures(nb: Notebook, rng: random.Random, step: str, also: Periods = ()) -> None:
    cached = StatsService(nb.session_factory, workers=2)
    scratch = StatsService(nb.session_factory, cache=False)
    first = scratch.first_activity_date() or TODAY
    for date_from, date_to in [*also, *periods(rng, first)]:
        for flt in FILTERS:
            expected = scratch.compute(date_from, date_to, flt)
            assert cached.compute(date_from, date_to, flt) == expected, (step, date_from, flt)
            # Served from the cache the second time: still the same.
            assert cached.compute(date_from, date_to, flt) == expected, (step, date_from, flt)


def live_sessions(nb: Notebook, rng: random.Random, kind: str = "individuel") -> list[str]:
    with nb.session_factory() as db:
        ids = db.scalars(
            select(Accompagnement.id)
            .where(Accompagnement.deleted_at.is_(None), Accompagnement.kind == kind)
            .order_by(Accompagnement.id)
        ).all()
    return rng.sample(list(ids), 3)


def edit(nb: Notebook, rng: random.Random) -> None:
    for sid in live_sessions(nb, rng):
        inp = nb.sessions.get(sid)
        inp.duration_min, inp.themes, inp.genre = 120, ["sante", "email"], None
        nb.sessions.update(sid, inp)


def delete_then_undelete(nb: Notebook, rng: random.Random) -> None:
    gone = live_sessions(nb, rng)
    for sid in gone:
        nb.sessions.delete(sid)
    assert_same_figures(nb, rng, "deleted")
    nb.sessions.undelete(gone[0])


def move_across_months(nb: Notebook, rng: random.Random) -> None:
    for sid in live_sessions(nb, rng) + live_sessions(nb, rng, "collectif"):
        inp = nb.sessions.get(sid)
        inp.date -= dt.timedelta(days=rng.choice([35, 200, 400]))
        nb.sessions.update(sid, inp)


def returning_code_seen_earlier(nb: Notebook, rng: random.Random) -> None:
    """A code first met recently gets an older session: new becomes returning."""
    with nb.session_factory() as db:
        code = db.scalars(
            select(Beneficiary.code)
            .join(Accompagnement, Accompagnement.beneficiary_id == Beneficiary.id)
            .where(Accompagnement.date >= TODAY - dt.timedelta(days=60))
            .order_by(Beneficiary.code)
        ).first()
    assert code
    venue = nb.venues.list()[0].id
    day = TODAY - dt.timedelta(days=700)
    nb.sessions.record(SessionInput(venue_id=venue, date=day, themes=["email"], followup_code=code))
    nb.sessions.record(
        SessionInput(
            kind="collectif",
            venue_id=venue,
            date=day,
            duration_min=90,
            themes=["email"],
            workshop_title="Découvrir la messagerie",
            participants=6,
            participants_returning=2,
            counters={"genre": {"feminin": 4}, "age": {"60_69": 1}},
        )
    )


def merge_beneficiaries(nb: Notebook, rng: random.Random) -> Periods:
    """The hub's earlier row for a code: this laptop's sessions of the code move to its id.
    Returns periods from each code's first session on: that month is cut (counted from the
    sessions) and the others are whole (from the cache), so a month still holding the old id
    would count the person twice."""
    month = func.substr(Accompagnement.date, 1, 7)
    with nb.session_factory() as db:
        codes = db.execute(
            select(Beneficiary.code, func.min(Accompagnement.date))
            .join(Accompagnement, Accompagnement.beneficiary_id == Beneficiary.id)
            .group_by(Beneficiary.code)
            .having(func.count(func.distinct(month)) > 1)  # months the cache holds
            .order_by(Beneficiary.code)
        ).all()
    picked = rng.sample(list(codes), 3)
    for code, _first in picked:
        earlier = f"00000000-0000-7000-8000-{rng.randrange(16**12):012x}"
        pull_beneficiary(nb, hub_beneficiary(earlier, code=code))
    return [(first, TODAY) for _code, first in picked]


def synced_rows(nb: Notebook, rng: random.Random) -> None:
    """Rows written as the sync engine's pull writes them: new, moved, deleted on the hub."""
    with nb.session_factory() as db:
        someone = db.scalars(
            select(Beneficiary.id).where(Beneficiary.deleted_at.is_(None)).order_by(Beneficiary.id)
        ).first()
        rows = [db.get(Accompagnement, sid) for sid in live_sessions(nb, rng)]
        payloads = [row_payload(r) for r in rows if r is not None]
        versions = [r.version for r in rows if r is not None]
    old = TODAY - dt.timedelta(days=500)
    pull_session(nb, row_payload_for(nb, date=old.isoformat(), beneficiary_id=someone), 1)
    moved, tombstone = payloads[0], payloads[1]
    moved["date"] = (D.fromisoformat(moved["date"]) - dt.timedelta(days=90)).isoformat()
    pull_session(nb, moved, versions[0] + 1)
    tombstone["deleted_at"] = "2025-03-15T10:00:00Z"
    pull_session(nb, tombstone, versions[1] + 1)


def by_hand(nb: Notebook, rng: random.Random) -> None:
    sql(nb, "UPDATE accompagnement SET genre = 'feminin', statut = NULL WHERE rowid % 13 = 0")
    sql(nb, "DELETE FROM accompagnement WHERE rowid % 29 = 0")


def test_the_cache_gives_the_figures_of_a_count_from_scratch(generated):
    rng = random.Random(5)
    assert_same_figures(generated, rng, "cold")
    assert len(cached_months(generated)) > 30
    steps: list[Callable[[Notebook, random.Random], Periods | None]] = [
        edit,
        delete_then_undelete,
        move_across_months,
        returning_code_seen_earlier,
        merge_beneficiaries,
        synced_rows,
        by_hand,
    ]
    for step in steps:
        also = step(generated, rng) or []
        assert_same_figures(generated, rng, step.__name__, also)


def test_a_change_recounts_only_its_months(generated, monkeypatch):
    service = StatsService(generated.session_factory)
    first = service.first_activity_date()
    assert first is not None
    service.compute(first, TODAY)
    recounted: list[str] = []
    scan_months = StatsService._scan_months

    def spy(self: StatsService, months: list[str], flt: StatsFilter) -> Any:
        recounted.extend(months)
        return scan_months(self, months, flt)

    monkeypatch.setattr(StatsService, "_scan_months", spy)
    service.compute(first, TODAY)
    assert recounted == []  # everything from the cache
    sid = live_sessions(generated, random.Random(1))[0]
    inp = generated.sessions.get(sid)
    moved_from = inp.date.isoformat()[:7]
    inp.date = D(TODAY.year - 2, 6, 15)
    generated.sessions.update(sid, inp)
    service.compute(first, TODAY)
    assert sorted(recounted) == sorted({moved_from, f"{TODAY.year - 2}-06"})


# ---- the triggers ---------------------------------------------------------------------------


def _session_row(con: sqlite3.Connection, day: str) -> int:
    cur = con.execute(
        "INSERT INTO accompagnement (id, kind, date, duration_min, place_type, themes, "
        "materiels, tags, notes, created_at, updated_at, version) VALUES (?, 'individuel', ?, "
        "30, 'a_distance', '|email|', '', '', '', '2025-01-01', '2025-01-01', 1)",
        (new_id(), day),
    )
    con.commit()
    assert cur.lastrowid is not None
    return cur.lastrowid


def _fill(con: sqlite3.Connection, months: list[str]) -> None:
    for month in months:
        for key in ("", '{"kind":"collectif"}'):
            con.execute(
                "INSERT OR REPLACE INTO stats_month VALUES (?, ?, 1, '{}', '')", (month, key)
            )
    con.commit()


def _state(con: sqlite3.Connection) -> tuple[list[str], int]:
    months = sorted({r[0] for r in con.execute("SELECT month FROM stats_month")})
    (epoch,) = con.execute("SELECT epoch FROM stats_cache_state").fetchone()
    return months, epoch


def test_triggers_forget_the_old_and_new_months_of_a_changed_session(notebook):
    con = sqlite3.connect(notebook.db_path)
    all_months = ["2025-01", "2025-02", "2025-03", "2025-04"]
    _fill(con, all_months)
    _months, epoch = _state(con)

    rowid = _session_row(con, "2025-01-20")  # insert
    assert _state(con) == (["2025-02", "2025-03", "2025-04"], epoch + 1)

    _fill(con, all_months)
    con.execute("UPDATE accompagnement SET notes = 'x', version = 2 WHERE rowid = ?", (rowid,))
    con.commit()  # not read by the statistics: the cache stays
    assert _state(con) == (all_months, epoch + 1)

    con.execute("UPDATE accompagnement SET date = '2025-03-02' WHERE rowid = ?", (rowid,))
    con.commit()  # moved: both months
    assert _state(con) == (["2025-02", "2025-04"], epoch + 2)

    _fill(con, all_months)
    con.execute("UPDATE accompagnement SET deleted_at = '2025-05-01' WHERE rowid = ?", (rowid,))
    con.commit()
    assert _state(con) == (["2025-01", "2025-02", "2025-04"], epoch + 3)

    _fill(con, all_months)
    con.execute("DELETE FROM accompagnement WHERE rowid = ?", (rowid,))
    con.commit()
    assert _state(con) == (["2025-01", "2025-02", "2025-04"], epoch + 4)
    con.close()


def _string_literals(module: Any) -> list[str]:
    """The strings of a module's code (its SQL), docstrings left out."""
    tree = ast.parse(inspect.getsource(module))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_the_update_trigger_covers_every_column_the_statistics_read(notebook):
    con = sqlite3.connect(notebook.db_path)
    (trigger,) = con.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'stats_month_au'"
    ).fetchone()
    con.close()
    watched = set(re.search(r"UPDATE OF (.*?) ON", trigger).group(1).replace(",", " ").split())
    words = {w for literal in _string_literals(stats) for w in re.findall(r"\w+", literal)}
    columns = {c.name for c in metadata.tables["accompagnement"].columns} - {"id"}  # never changes
    read = columns & words
    assert read - watched == set()
    assert {"date", "deleted_at", "beneficiary_id", "counters", "themes"} <= read


# ---- stores, failures and safety ------------------------------------------------------------


def test_a_month_counted_while_a_session_is_saved_is_not_stored(generated, monkeypatch):
    service = StatsService(generated.session_factory, workers=1)
    scan_months = StatsService._scan_months
    venue = generated.venues.list()[0].id
    day = D(TODAY.year - 1, 5, 10)

    saved: list[str] = []

    def save_meanwhile(self: StatsService, months: list[str], flt: StatsFilter) -> Any:
        counted = scan_months(self, months, flt)
        if not saved:  # another window saves a session after the month was read
            session = SessionInput(venue_id=venue, date=day, themes=["email"])
            saved.append(generated.sessions.record(session))
        return counted

    monkeypatch.setattr(StatsService, "_scan_months", save_meanwhile)
    whole_month = (D(day.year, 5, 1), D(day.year, 5, 31))
    stale = service.compute(*whole_month)
    assert cached_months(generated) == set()  # nothing stored: it may be stale
    monkeypatch.undo()
    fresh = service.compute(*whole_month)
    assert fresh.indicators.activities == stale.indicators.activities + 1
    assert f"{day.year}-05" in cached_months(generated)  # with the months before (returning)
    assert service.compute(*whole_month) == fresh


def test_a_busy_database_skips_the_store_but_not_the_figures(generated):
    service = StatsService(generated.session_factory)
    scratch = StatsService(generated.session_factory, cache=False)
    blocker = sqlite3.connect(generated.db_path)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock for a long time
    try:
        report = service.compute(D(TODAY.year - 2, 1, 1), TODAY)
    finally:
        blocker.rollback()
        blocker.close()
    assert cached_months(generated) == set()
    assert report == scratch.compute(D(TODAY.year - 2, 1, 1), TODAY)
    with generated.session_factory() as db:  # the connection's own wait is back to normal
        assert db.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_without_its_triggers_the_cache_is_left_alone(generated):
    service = StatsService(generated.session_factory)
    period = (D(TODAY.year - 2, 1, 1), D(TODAY.year - 2, 12, 31))
    service.compute(*period)
    assert {f"{period[0].year}-{m:02d}" for m in range(1, 13)} <= cached_months(generated)
    # A later migration rebuilding the table would drop its triggers with it.
    sql(generated, "DROP TRIGGER stats_month_au")
    sql(
        generated,
        "UPDATE accompagnement SET duration_min = 999 WHERE date LIKE ?",
        f"{period[0].year}-03%",
    )
    report = service.compute(*period)
    assert report == StatsService(generated.session_factory, cache=False).compute(*period)
    assert report.breakdown("duration").count(ref.duration_bucket(999)) > 0


def test_months_of_another_format_are_ignored(generated):
    service = StatsService(generated.session_factory)
    period = (D(TODAY.year - 1, 2, 1), D(TODAY.year - 1, 2, 28))
    expected = service.compute(*period)
    sql(generated, "UPDATE stats_month SET format = 0, tally = 'not what this version reads'")
    assert service.compute(*period) == expected
    con = sqlite3.connect(generated.db_path)
    assert con.execute("SELECT DISTINCT format FROM stats_month").fetchall() == [
        (stats.CACHE_FORMAT,)
    ]
    con.close()


# What a cached month holds is decided by this code: when it changes, months stored by the
# previous version must not be read any more (a new CACHE_FORMAT).
FINGERPRINT = (1, "95b44646bcfa424d")


def test_a_change_of_the_counting_code_bumps_the_cache_format():
    parts = [
        stats._SCAN_SQL,
        inspect.getsource(stats._tally_from_scan),
        inspect.getsource(stats._add_counters),
        inspect.getsource(stats._Tally),
        inspect.getsource(stats.filter_conditions),
        inspect.getsource(stats._filter_key),
        inspect.getsource(ref.duration_bucket),
        repr(sorted(ref.DURATION_BUCKETS)),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
    bumped = FINGERPRINT[0] + 1
    assert (stats.CACHE_FORMAT, digest) == FINGERPRINT, (
        "The counting of a cached month changed: set stats.CACHE_FORMAT to "
        f"{bumped} and FINGERPRINT to ({bumped}, {digest!r})."
    )
