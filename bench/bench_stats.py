"""« Mes statistiques » on a notebook of 100,000 generated sessions (target: ≤ 300 ms).

Each figure is printed beside baselines measured in the same run, on the same database:
- a bare ``SELECT count(*)`` over the same rows (the cheapest possible pass: SQLite's floor);
- one Python pass reading the columns the statistics need into tuples (what a naive
  row-by-row implementation pays before counting anything);
- the service with its cache of months turned off (every session counted, as before the cache).
Periods: all the data (5 years, every row), the last 12 months, the last month, and all the data
for workshops only (a filter, cached apart). The service runs with its default workers (one
SQLite connection per core, at most 4):
- **cold**: the cache emptied before each run (the first computation after the migration, or the
  first with a new filter): the months are counted and stored;
- **warm**: the cache filled by the previous runs of the same period (what opening the same
  period again pays; for a period that starts after the first months, returning codes come
  from the sessions until the months before are cached too);
- **one session saved**: warm, then a session of one old month moved to another before each
  run (its two months are counted again).
After the table: the last 12 months once every month is cached (after "all" was computed).
Run: ``.venv/bin/python -m bench.bench_stats [--sessions 100000] [--runs 7]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.common import median_of, ms, timed
from bench.datagen import generate_notebook

COLUMNS = (
    "kind, date, duration_min, place_type, venue_id, commune_insee, themes, materiels, tags, "
    "autonomy, oriented, orientation, beneficiary_id, genre, age_bracket, statut, participants, "
    "participants_returning, counters"
)


def median_after(prepare: Callable[[], object], fn: Callable[[], object], runs: int) -> float:
    """Median time of ``fn`` over ``runs``, ``prepare`` run (untimed) before each."""
    times = []
    for _ in range(runs):
        prepare()
        times.append(timed(fn))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from app.models.db import make_engine, make_session_factory
    from app.services.stats import StatsFilter, StatsService

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "carnet.db"
        generate_notebook(db, args.sessions, seed=42, years=5)
        engine = make_engine(db)
        sf = make_session_factory(engine)
        service = StatsService(sf)
        scratch = StatsService(sf, cache=False)
        con = sqlite3.connect(db)
        con.execute("PRAGMA busy_timeout = 5000")

        def empty_cache() -> None:
            con.execute("DELETE FROM stats_month")
            con.commit()

        today = dt.date.today()
        old = [
            d.isoformat() for d in (dt.date(today.year - 3, 3, 10), dt.date(today.year - 3, 9, 10))
        ]
        moves = iter(range(10**6))

        def save_one_session() -> None:
            # A session of one old month moves to another: both months are forgotten.
            src, dst = old if next(moves) % 2 == 0 else old[::-1]
            con.execute(
                "UPDATE accompagnement SET date = ? WHERE rowid = (SELECT min(rowid) FROM "
                "accompagnement WHERE date = ? AND deleted_at IS NULL)",
                (dst, src),
            )
            con.commit()

        everything = dt.date(today.year - 6, 1, 1)
        periods = {
            "all (5 years)": (everything, None),
            "last 12 months": (today - dt.timedelta(days=365), None),
            "last month": (today - dt.timedelta(days=30), None),
            "all, workshops only": (everything, StatsFilter(kind="collectif")),
        }
        print(f"{args.sessions:,} sessions, {os.cpu_count()} cores, median of {args.runs} runs")
        print(
            "| period | rows | count(*) scan | Python pass | no cache | cold cache "
            "| **warm cache** | one session saved |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, (start, flt) in periods.items():
            params: tuple[str, ...] = (start.isoformat(), today.isoformat())
            where = "deleted_at IS NULL AND +date BETWEEN ? AND ?"
            if flt is not None:
                where += " AND kind = ?"
                params += (flt.kind or "",)
            rows = con.execute(f"SELECT count(*) FROM accompagnement WHERE {where}", params)
            n = rows.fetchone()[0]
            scan = median_of(
                lambda p=params, w=where: con.execute(
                    f"SELECT count(*) FROM accompagnement WHERE {w}", p
                ).fetchone(),
                args.runs,
            )
            python_pass = median_of(
                lambda p=params, w=where: con.execute(
                    f"SELECT {COLUMNS} FROM accompagnement WHERE {w}", p
                ).fetchall(),
                args.runs,
            )

            def compute(s: dt.date = start, f: StatsFilter | None = flt) -> object:
                return service.compute(s, today, f)

            no_cache = median_of(lambda s=start, f=flt: scratch.compute(s, today, f), args.runs)
            cold = median_after(empty_cache, compute, args.runs)
            warm = median_of(compute, args.runs)
            saved = median_after(save_one_session, compute, args.runs)
            print(
                f"| {name} | {n:,} | {ms(scan)} | {ms(python_pass)} | {ms(no_cache)} "
                f"| {ms(cold)} | **{ms(warm)}** | {ms(saved)} |"
            )
        service.compute(everything, today)
        year = today - dt.timedelta(days=365)
        every_month = median_of(lambda: service.compute(year, today), args.runs)
        print(f"\nlast 12 months, every month cached: {ms(every_month)}")
        con.close()
        engine.dispose()


if __name__ == "__main__":
    main()
