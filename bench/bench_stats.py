"""« Mes statistiques » on a notebook of 100,000 generated sessions (target: ≤ 300 ms).

Each figure is printed beside baselines measured in the same run, on the same database:
- a bare ``SELECT count(*)`` over the same rows (the cheapest possible pass: SQLite's floor);
- one Python pass reading the columns the statistics need into tuples (what a naive
  row-by-row implementation pays before counting anything).
Periods: all the data (5 years, every row), the last 12 months, the last month. The service runs
with its default workers (one SQLite connection per core, at most 4) and with one worker.
Run: ``.venv/bin/python -m bench.bench_stats [--sessions 100000] [--runs 7]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import tempfile
from pathlib import Path

from bench.common import median_of, ms
from bench.datagen import generate_notebook

COLUMNS = (
    "kind, date, duration_min, place_type, venue_id, commune_insee, themes, materiels, tags, "
    "autonomy, oriented, orientation, beneficiary_id, genre, age_bracket, statut, participants, "
    "participants_returning, counters"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from app.models.db import make_engine, make_session_factory
    from app.services.stats import StatsService

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "carnet.db"
        generate_notebook(db, args.sessions, seed=42, years=5)
        engine = make_engine(db)
        sf = make_session_factory(engine)
        parallel = StatsService(sf)
        serial = StatsService(sf, workers=1)
        con = sqlite3.connect(db)
        today = dt.date.today()
        periods = {
            "all (5 years)": dt.date(today.year - 6, 1, 1),
            "last 12 months": today - dt.timedelta(days=365),
            "last month": today - dt.timedelta(days=30),
        }
        print(f"{args.sessions:,} sessions, {os.cpu_count()} cores, median of {args.runs} runs")
        print(
            "| period | rows | count(*) scan | Python pass | stats (default) | stats (1 worker) |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for name, start in periods.items():
            params = (start.isoformat(), today.isoformat())
            where = "deleted_at IS NULL AND +date BETWEEN ? AND ?"
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
            fast = median_of(lambda s=start: parallel.compute(s, today), args.runs)
            one = median_of(lambda s=start: serial.compute(s, today), args.runs)
            print(
                f"| {name} | {n:,} | {ms(scan)} | {ms(python_pass)} | **{ms(fast)}** | {ms(one)} |"
            )
        con.close()
        engine.dispose()


if __name__ == "__main__":
    main()
