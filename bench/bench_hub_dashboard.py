"""Hub: the région dashboard over 5,000,000 generated sessions on PostgreSQL (target ≤ 1 s).

    .venv/bin/python -m bench.bench_hub_dashboard [--sessions 5000000] [--runs 7]

1. A fresh database ``carnet_hub_bench`` on the local PostgreSQL (``CARNET_BENCH_PG_URL``,
   default ``postgresql+psycopg://postgres@127.0.0.1:5432/test`` for the server) is migrated.
2. The sessions are generated in SQL (``generate_series``) straight into the hub's
   ``accompagnement`` table: 600 mediators in 20 structures, each working in one to three
   communes of the Hauts-de-France, 36 months (2023–2025), 5 % workshops, half the individual
   sessions with a follow-up code, one in ten tagged « Pass numérique ».
3. The aggregates are computed with the hub's own contribution code (hub/stats/maintain.py,
   ``Deltas.add_row``) applied once per group of identical sessions (``GROUP BY`` every field
   it reads, ``count(*)`` as the multiplier), written with COPY; the per-person facts and the
   distinct people per node in SQL. A check compares one mediator's aggregates and person
   facts with a row-by-row computation, and the hub's people with a distinct count.
4. Timed, median of ``--runs`` runs each, in the same run: the baseline ``SELECT count(*)``
   over the sessions, the probe every statistics page makes first for sessions waiting to be
   counted (``catch_up``: none wait here, the sessions are inserted counted), and the région
   dashboard of 2025 (``hub.stats.dashboard.build`` for the whole hub: indicators, breakdowns,
   monthly trend, départements table, venues, with the secrecy rule), as hub staff's page
   computes it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from sqlalchemy import create_engine, text

from hub.db import Database
from hub.migrate import upgrade
from hub.stats.dashboard import Scope, build
from hub.stats.maintain import Deltas, catch_up
from hub.stats.query import Period
from hub.stats.schema import MEASURES
from hub.stats.territory import shared_territories

SERVER_URL = os.environ.get(
    "CARNET_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DB_NAME = "carnet_hub_bench"
MEDIATORS = 600
STRUCTURES = 20
VARIANTS = 31  # distinct shapes of session per mediator and month

FIELDS = (
    "kind", "duration_min", "place_type", "venue_id", "commune_insee", "themes", "materiels",
    "tags", "autonomy", "oriented", "orientation", "genre", "age_bracket", "statut",
    "participants", "participants_returning", "counters",
)  # fmt: skip


def _timed(fn: Any, runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def _create_database() -> str:
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    return SERVER_URL.rsplit("/", 1)[0] + "/" + DB_NAME


def _generate(db: Database, sessions: int) -> None:
    t = shared_territories()
    communes = [c.insee for c in t.index.all() if c.region == "32"]
    with db.write() as s:
        s.execute(
            text(
                "INSERT INTO structure (id, name, kind, created_at) SELECT 'st-' || k, 'Structure ' || k, 'employeur', now() FROM generate_series(1, :n) k"
            ),
            {"n": STRUCTURES},
        )
        s.execute(
            text(
                "INSERT INTO mediator (id, display_name, structure_id, seq, purged_seq, created_at) SELECT 'med-' || k, 'Médiateur ' || k, 'st-' || (1 + k % :st), 0, 0, now() FROM generate_series(0, :n - 1) k"
            ),
            {"n": MEDIATORS, "st": STRUCTURES},
        )
        s.execute(text("CREATE TEMP TABLE bench_commune (k int PRIMARY KEY, insee text)"))
        s.execute(
            text("INSERT INTO bench_commune VALUES (:k, :insee)"),
            [{"k": k, "insee": c} for k, c in enumerate(communes)],
        )
        s.execute(
            text(
                """
INSERT INTO accompagnement (id, mediator_id, seq, version, deleted, created_at, updated_at,
  received_at, kind, date, duration_min, place_type, venue_id, commune_insee, commune_name,
  postal_code, themes, materiels, tags, notes, autonomy, oriented, orientation, beneficiary_id,
  genre, age_bracket, statut, participants, participants_returning, counters)
SELECT md5(g::text)::uuid::text, 'med-' || m, g, 1, false, now(), now(), now(),
  CASE WHEN v % 20 = 0 THEN 'collectif' ELSE 'individuel' END,
  DATE '2023-01-01' + ((g / :med) * 1095 / (:n / :med + 1))::int,
  (ARRAY[15, 30, 45, 60, 90, 120])[1 + v % 6],
  CASE WHEN v % 3 = 0 THEN 'domicile' ELSE 'lieu_activite' END,
  CASE WHEN v % 3 = 0 THEN NULL ELSE 'venue-' || m END,
  c.insee, NULL, NULL,
  (ARRAY['|email|', '|navigation_sur_internet|', '|aide_aux_demarches_administratives|social_sante|',
         '|prendre_en_main_du_materiel|', '|securite_numerique|email|'])[1 + v % 5],
  '|ordinateur|',
  CASE WHEN v % 10 = 3 THEN '|Pass numérique|' ELSE '' END,
  '',
  CASE WHEN v % 20 = 0 THEN NULL ELSE (ARRAY['entierement_accompagne', 'partiellement_autonome', 'autonome'])[1 + v % 3] END,
  CASE WHEN v % 20 = 0 THEN NULL ELSE v % 7 = 0 END,
  CASE WHEN v % 20 <> 0 AND v % 7 = 0 THEN 'administration' END,
  CASE WHEN v % 20 <> 0 AND v % 2 = 0 THEN 'p-' || m || '-' || (g / :med) % 300 END,
  CASE WHEN v % 20 = 0 THEN NULL ELSE (ARRAY['feminin', 'masculin', NULL])[1 + v % 3] END,
  CASE WHEN v % 20 = 0 THEN NULL ELSE (ARRAY['quarante_cinquante_neuf', 'soixante_soixante_neuf', 'soixante_dix_plus', NULL])[1 + v % 4] END,
  CASE WHEN v % 20 = 0 THEN NULL ELSE (ARRAY['retraite', 'sans_emploi', 'en_emploi'])[1 + v % 3] END,
  CASE WHEN v % 20 = 0 THEN 4 + v % 7 END,
  CASE WHEN v % 20 = 0 THEN 2 END,
  NULL
FROM generate_series(0, :n - 1) g
CROSS JOIN LATERAL (SELECT g % :med AS m, (g / :med) % :variants AS v) x
JOIN bench_commune c ON c.k = (x.m * 7 + (CASE WHEN x.v % 4 = 1 THEN x.m % 3 ELSE 0 END)) % :communes
"""
            ),
            {"n": sessions, "med": MEDIATORS, "variants": VARIANTS, "communes": len(communes)},
        )
        s.execute(
            text(
                "INSERT INTO venue (id, mediator_id, seq, version, deleted, received_at, name, commune_insee, itinerant) SELECT DISTINCT venue_id, mediator_id, 0, 1, false, now(), 'Lieu ' || venue_id, commune_insee, false FROM accompagnement WHERE venue_id IS NOT NULL ON CONFLICT DO NOTHING"
            )
        )


def _aggregate(db: Database) -> int:
    """The aggregates with the hub's own rules, once per group of identical sessions."""
    columns = ", ".join(FIELDS)
    deltas = Deltas()
    groups = 0
    with db.session() as s:
        result = s.execute(
            text(
                f"SELECT date_trunc('month', date)::date AS date, mediator_id, {columns}, "
                "beneficiary_id IS NULL AS anonymous, count(*) "
                f"FROM accompagnement WHERE NOT deleted GROUP BY 1, 2, {columns}, 20"
            ).execution_options(yield_per=50_000)
        )
        names = ("date", "mediator_id", *FIELDS, "anonymous", "n")
        for values in result:
            row = dict(zip(names, values, strict=True))
            row["beneficiary_id"] = None if row["anonymous"] else "x"
            deltas.add_row(row, int(row["n"]))
            groups += 1
    deltas.persons.clear()
    deltas.beneficiaries.clear()
    with db.write() as s:
        driver = s.connection().connection.driver_connection
        assert driver is not None
        with driver.cursor() as cur:
            keys = "month, mediator_id, commune, tag, dim, value"
            with cur.copy(f"COPY stat_cell ({keys}, {', '.join(MEASURES)}) FROM STDIN") as copy:
                for key, vector in deltas.cells.items():
                    copy.write_row([*key, *vector])
            keys = "level, code, month, tag, dim, value, parent"
            with cur.copy(f"COPY stat_area ({keys}, {', '.join(MEASURES)}) FROM STDIN") as copy:
                for key, vector in deltas.areas.items():
                    copy.write_row([*key, deltas.area_parent.get((key[0], key[1]), ""), *vector])
        s.execute(
            text(
                "CREATE TEMP TABLE bench_place (commune text PRIMARY KEY, piece text, departement text)"
            )
        )
        s.execute(
            text("INSERT INTO bench_place VALUES (:c, :p, :d)"),
            [
                {"c": c, "p": p, "d": d}
                for (lvl, c), p in deltas.area_parent.items()
                if lvl == "commune"
                for d in [p.rpartition(":")[2]]
            ],
        )
        s.execute(
            text(
                """
INSERT INTO stat_person (beneficiary_id, month, mediator_id, commune, tag, piece, departement, sessions)
SELECT a.beneficiary_id, per.period, a.mediator_id, a.commune_insee, t.tag, p.piece, p.departement, count(*)
FROM accompagnement a
JOIN bench_place p ON p.commune = a.commune_insee
CROSS JOIN LATERAL (SELECT '' AS tag UNION ALL SELECT x FROM unnest(string_to_array(trim(both '|' from a.tags), '|')) x WHERE x <> '') t
CROSS JOIN LATERAL (VALUES (to_char(a.date, 'YYYY-MM')), (to_char(a.date, 'YYYY'))) per(period)
WHERE NOT a.deleted AND a.beneficiary_id IS NOT NULL AND a.kind <> 'collectif'
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""
            )
        )
        s.execute(
            text(
                "INSERT INTO stat_person_first SELECT beneficiary_id, min(month) FROM stat_person WHERE tag = '' AND length(month) = 7 GROUP BY 1"
            )
        )
        s.execute(
            text(
                """
INSERT INTO stat_people (level, code, period, tag, parent, persons, returned)
SELECT n.level, n.code, p.month, p.tag, n.parent, count(DISTINCT p.beneficiary_id),
  count(DISTINCT p.beneficiary_id) FILTER (WHERE left(f.first_month, 4) < p.month)
FROM stat_person p JOIN stat_person_first f ON f.beneficiary_id = p.beneficiary_id
CROSS JOIN LATERAL (VALUES ('hub', '', ''), ('mediator', p.mediator_id, ''),
  ('departement', p.departement, ''), ('epci', p.piece, p.departement),
  ('commune', p.commune, p.piece)) n(level, code, parent)
WHERE length(p.month) = 4 AND p.sessions > 0
GROUP BY 1, 2, 3, 4, 5
"""
            )
        )
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    return groups


def _check_one_mediator(db: Database) -> None:
    """One mediator's cells, row by row with the hub's code, equal the bench's aggregates."""
    deltas = Deltas()
    with db.session() as s:
        rows = (
            s.execute(text("SELECT * FROM accompagnement WHERE mediator_id = 'med-17'"))
            .mappings()
            .all()
        )
        for row in rows:
            deltas.add_row(dict(row), 1)
        stored = {
            tuple(r[:6]): list(r[6:])
            for r in s.execute(
                text(
                    f"SELECT month, mediator_id, commune, tag, dim, value, {', '.join(MEASURES)} FROM stat_cell WHERE mediator_id = 'med-17'"
                )
            )
        }
        persons = {
            tuple(r[:5]): r[5]
            for r in s.execute(
                text(
                    "SELECT beneficiary_id, month, mediator_id, commune, tag, sessions FROM stat_person WHERE mediator_id = 'med-17'"
                )
            )
        }
    computed = {k: v for k, v in deltas.cells.items() if any(v)}
    assert computed == stored, "bench aggregates differ from the row-by-row computation"
    assert {k: n for k, n in deltas.persons.items() if n} == persons, "person facts differ"
    with db.session() as s:
        distinct = s.execute(
            text(
                "SELECT count(DISTINCT beneficiary_id) FROM stat_person WHERE tag = '' AND month = '2025' AND sessions > 0"
            )
        ).scalar()
        counted = s.execute(
            text(
                "SELECT persons FROM stat_people WHERE level = 'hub' AND tag = '' AND period = '2025'"
            )
        ).scalar()
    assert distinct == counted, f"people per node differ: {distinct} != {counted}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse the generated database")
    args = parser.parse_args()
    url = SERVER_URL.rsplit("/", 1)[0] + "/" + DB_NAME
    if not args.keep:
        url = _create_database()
    db = Database(url)
    if not args.keep:
        upgrade(db.engine)
        start = time.perf_counter()
        _generate(db, args.sessions)
        generated = time.perf_counter() - start
        groups = _aggregate(db)
        aggregated = time.perf_counter() - start - generated
        _check_one_mediator(db)
        print(
            f"génération : {generated:.0f} s ; agrégats : {aggregated:.0f} s ({groups} groupes de séances identiques)"
        )
    with db.session() as s:
        counts = {
            t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("accompagnement", "stat_cell", "stat_area", "stat_person")
        }
    print("lignes :", ", ".join(f"{k} {v:,}".replace(",", " ") for k, v in counts.items()))
    t = shared_territories()
    t.index.load()

    def baseline() -> int:
        with db.snapshot() as s:
            return int(s.execute(text("SELECT count(*) FROM accompagnement")).scalar() or 0)

    def dashboard(tag: str = "") -> Any:
        with db.snapshot() as s:
            return build(s, t, Scope("hub"), Period(2025), tag)

    def departement() -> Any:
        with db.snapshot() as s:
            return build(s, t, Scope("departement", "59"), Period(2025))

    base_ms, n = _timed(baseline, args.runs)
    # What every page does first: count the sessions waiting for the statistics (none here).
    probe_ms, waiting = _timed(lambda: catch_up(db), args.runs)
    dash_ms, d = _timed(dashboard, args.runs)
    tag_ms, _ = _timed(lambda: dashboard("Pass numérique"), args.runs)
    dep_ms, _ = _timed(departement, args.runs)
    print(f"séances : {n:,}".replace(",", " "))
    print(f"référence count(*) sur les séances : {base_ms:.0f} ms (médiane de {args.runs})")
    print(
        f"séances en attente de comptage, sondées avant chaque page : {probe_ms:.1f} ms ({waiting})"
    )
    print(
        f"tableau de bord région 2025 : {dash_ms:.0f} ms — {d.indicators['accomp']:,} accompagnements, {d.indicators['people']:,} personnes".replace(
            ",", " "
        )
    )
    print(f"  même chose, étiquette « Pass numérique » : {tag_ms:.0f} ms")
    print(f"tableau de bord du Nord (59) : {dep_ms:.0f} ms")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
