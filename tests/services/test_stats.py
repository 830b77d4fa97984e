"""Counting rules of « Mes statistiques », each on a small fixture counted by hand."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter

import pytest

from app.models import referentiels as ref
from app.services import followup_codes, stats
from app.services.sessions import SessionInput
from app.services.stats import NC, NO_PLACE, NOT_ORIENTED, StatsFilter, StatsService

D = dt.date
JAN = (D(2025, 1, 1), D(2025, 1, 31))


def _code(n: int) -> str:
    """A valid follow-up code, different for each n."""
    body = "".join(followup_codes.ALPHABET[(n * 7 + i) % 23] for i in range(5))
    return followup_codes.canonical(body + followup_codes._check_char(body)) or ""


def _ind(venue_id: str, day: D, **kw) -> SessionInput:
    base = dict(venue_id=venue_id, date=day, themes=["email"], duration_min=30)
    base.update(kw)
    return SessionInput(**base)


def _workshop(venue_id: str, day: D, participants: int, **kw) -> SessionInput:
    base = dict(
        kind="collectif",
        venue_id=venue_id,
        date=day,
        themes=["email"],
        duration_min=90,
        workshop_title="Découvrir la messagerie",
        participants=participants,
    )
    base.update(kw)
    return SessionInput(**base)


@pytest.fixture
def service(notebook) -> StatsService:
    return StatsService(notebook.session_factory)


def test_workshop_counts_one_accompagnement_per_participant(notebook, venue_id, service):
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3)))
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 4)))
    notebook.sessions.record(_workshop(venue_id, D(2025, 1, 5), 7))
    ind = service.compute(*JAN).indicators
    # 2 individual sessions + 1 workshop = 3 activités; 2 × 1 + 7 participants = 9 accompagnements.
    assert (ind.activities, ind.individual_sessions, ind.workshops) == (3, 2, 1)
    assert ind.workshop_participants == 7
    assert ind.accompagnements == 9
    # Type breakdown counts activités.
    assert service.compute(*JAN).breakdown("type").count("collectif") == 1


def test_new_and_returning_follow_the_first_accompaniment_ever(notebook, venue_id, service):
    other = notebook.venues.add("Médiathèque", "59350", "Lille", "59000")
    a, b, c, d = (_code(n) for n in range(4))
    # A: first seen in December (at another venue), again in January → returning in January.
    notebook.sessions.record(_ind(other, D(2024, 12, 10), followup_code=a))
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 5), followup_code=a))
    # B: twice in January, never before → new, counted once.
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 20), followup_code=b))
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 25), followup_code=b))
    # C: only in March → not in January at all.
    notebook.sessions.record(_ind(venue_id, D(2025, 3, 1), followup_code=c))
    # D: a December session that was deleted, then January → new (tombstones never count).
    gone = notebook.sessions.record(_ind(venue_id, D(2024, 12, 1), followup_code=d))
    notebook.sessions.delete(gone)
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 10), followup_code=d))

    jan = service.compute(*JAN).indicators
    # Codes in January: A, B, D = 3 people; new = B, D = 2; returning = A = 1.
    assert (jan.people_with_code, jan.new_people, jan.returning_people) == (3, 2, 1)
    assert jan.people == 3 and jan.unknown_status_people == 0
    # 5 individual sessions in January (A, B, B, D) … A once, B twice, D once = 4.
    assert jan.accompagnements == 4

    dec = service.compute(D(2024, 12, 1), D(2024, 12, 31)).indicators
    # December: A only (D's session is deleted) → 1 new.
    assert (dec.people_with_code, dec.new_people, dec.returning_people) == (1, 1, 0)

    # Filtering on the January venue keeps A "returning": first-ever ignores the filters.
    venue_only = service.compute(*JAN, StatsFilter(venue_id=venue_id)).indicators
    assert (venue_only.new_people, venue_only.returning_people) == (2, 1)

    # Over December + January, A's first session is inside the period → new.
    both = service.compute(D(2024, 12, 1), D(2025, 1, 31)).indicators
    assert (both.people_with_code, both.new_people, both.returning_people) == (3, 3, 0)


def test_sessions_without_code_are_people_of_unknown_status(notebook, venue_id, service):
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3)))
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 4)))
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 5), followup_code=_code(1)))
    ind = service.compute(*JAN).indicators
    # 2 sessions without code = 2 people of unknown status; 1 code = 1 new person.
    assert ind.anonymous_sessions == 2
    assert ind.people == 3
    assert (ind.new_people, ind.returning_people, ind.unknown_status_people) == (1, 0, 2)


def test_workshops_use_their_already_met_counter(notebook, venue_id, service):
    notebook.sessions.record(_workshop(venue_id, D(2025, 1, 6), 10, participants_returning=4))
    notebook.sessions.record(_workshop(venue_id, D(2025, 1, 7), 5))  # counter left empty
    notebook.sessions.record(_workshop(venue_id, D(2025, 1, 8), 3, participants_returning=0))
    ind = service.compute(*JAN).indicators
    # New: 10 - 4 = 6, plus 3 (counter 0) = 9. Returning: 4. Unknown: the 5 of the empty counter.
    assert (ind.new_people, ind.returning_people, ind.unknown_status_people) == (9, 4, 5)
    # People reached: 10 + 5 + 3 = 18 participants.
    assert ind.people == ind.workshop_participants == 18


def test_deleted_sessions_are_excluded_everywhere(notebook, venue_id, service):
    keep = notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), duration_min=45))
    gone = notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), duration_min=60, genre="feminin"))
    gone_ws = notebook.sessions.record(_workshop(venue_id, D(2025, 1, 4), 8))
    notebook.sessions.delete(gone)
    notebook.sessions.delete(gone_ws)
    report = service.compute(*JAN)
    # Only the 45-minute session is left.
    assert report.indicators.activities == 1
    assert report.indicators.accompagnements == 1
    assert report.indicators.minutes == 45
    assert report.breakdown("genre").count("feminin") == 0
    assert report.breakdown("genre").count(NC) == 1
    notebook.sessions.undelete(gone)
    assert service.compute(*JAN).indicators.minutes == 105
    assert keep


def test_duration_buckets(notebook, venue_id, service):
    for minutes in (15, 29, 30, 59, 60, 119, 120, 200):
        notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), duration_min=minutes))
    notebook.sessions.record(_workshop(venue_id, D(2025, 1, 3), 12, duration_min=120))
    b = service.compute(*JAN).breakdown("duration")
    # < 30: 15, 29 | 30–59: 30, 59 | 60–119: 60, 119 | ≥ 120: 120, 200 and the workshop (1 activité).
    assert [(r.code, r.count) for r in b.rows] == [
        ("moins_30", 2),
        ("30_60", 2),
        ("60_120", 2),
        ("plus_120", 3),
    ]
    assert b.unit == "activités" and b.total == 9


def test_missing_values_and_workshop_counters_are_non_communique(notebook, venue_id, service):
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), genre="feminin", age_bracket=None))
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), genre=None, statut="retraite"))
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), genre="non_communique"))
    counters = {"genre": {"feminin": 2, "masculin": 1}, "statut": {"en_emploi": 6}}
    notebook.sessions.record(_workshop(venue_id, D(2025, 1, 4), 6, counters=counters))
    report = service.compute(*JAN)
    genre = report.breakdown("genre")
    # Accompagnements: 3 + 6 = 9. Féminin: 1 + 2 = 3; masculin: 1;
    # non communiqué: 1 (None) + 1 (explicit) + 6 - 3 (workshop not counted) = 5.
    assert (genre.count("feminin"), genre.count("masculin"), genre.count(NC)) == (3, 1, 5)
    assert genre.total == 9 and genre.unit == "accompagnements"
    # No age anywhere: 9 non communiqué.
    assert report.breakdown("age").count(NC) == 9
    # Statut: retraité 1, en emploi 6, non communiqué 2.
    statut = report.breakdown("statut")
    assert (statut.count("retraite"), statut.count("en_emploi"), statut.count(NC)) == (1, 6, 2)
    # Closed lists keep every national code, in the national order, zeros included.
    assert [r.code for r in report.breakdown("age").rows] == list(ref.TRANCHES_AGE)


def test_themes_are_multi_counted(notebook, venue_id, service):
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), themes=["email", "sante"]))
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), themes=["email"]))
    notebook.sessions.record(_workshop(venue_id, D(2025, 1, 4), 9, themes=["email", "bureautique"]))
    themes = service.compute(*JAN).breakdown("theme")
    # Activités per theme (a workshop counts once here): e-mail 3, santé 1, bureautique 1.
    assert (themes.count("email"), themes.count("sante"), themes.count("bureautique")) == (3, 1, 1)
    # Shares on the 3 activities: e-mail 100 %, and the shares add up to more than 100 %.
    assert themes.multi and themes.total == 3
    assert next(r.share for r in themes.rows if r.code == "email") == 1.0
    assert sum(r.share for r in themes.rows) == pytest.approx(5 / 3)


def test_hours_count_a_workshop_once(notebook, venue_id, service):
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), duration_min=45))
    notebook.sessions.record(_workshop(venue_id, D(2025, 1, 4), 8, duration_min=90))
    ind = service.compute(*JAN).indicators
    # 45 + 90 = 135 minutes = 2.25 h (not 45 + 8 × 90).
    assert ind.minutes == 135 and ind.hours == 2.25


def test_monthly_trend_covers_every_month_of_the_period(notebook, venue_id, service):
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), duration_min=30))
    notebook.sessions.record(_workshop(venue_id, D(2025, 3, 4), 6, duration_min=60))
    trend = service.compute(D(2024, 12, 15), D(2025, 3, 31)).trend
    # December (empty), January (1 session), February (empty), March (1 workshop of 6).
    assert [(p.month, p.activities, p.accompagnements, p.minutes) for p in trend] == [
        ("2024-12", 0, 0, 0),
        ("2025-01", 1, 1, 30),
        ("2025-02", 0, 0, 0),
        ("2025-03", 1, 6, 60),
    ]


def test_places_venues_and_communes(notebook, venue_id, service):
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3)))
    notebook.sessions.record(
        _ind(
            None,
            D(2025, 1, 3),
            place_type="domicile",
            commune_insee="59512",
            commune_name="Roubaix",
            postal_code="59100",
        )
    )
    notebook.sessions.record(_ind(None, D(2025, 1, 3), place_type="a_distance"))
    report = service.compute(*JAN)
    place = report.breakdown("place_type")
    # One each: venue, home, remote; none "autre".
    assert [(r.code, r.count) for r in place.rows] == [
        ("lieu_activite", 1),
        ("domicile", 1),
        ("a_distance", 1),
        ("autre", 0),
    ]
    venue = report.breakdown("venue")
    assert [(r.label, r.count) for r in venue.rows] == [("Centre social Albert Camus", 1)]
    commune = report.breakdown("commune")
    # Lille (the venue's commune), Roubaix (home), and the remote session without a commune.
    assert {(r.label, r.count) for r in commune.rows} == {
        ("Lille (59000)", 1),
        ("Roubaix (59100)", 1),
        ("Non renseignée (à distance…)", 1),
    }
    assert commune.rows[-1].code == NO_PLACE


def test_material_autonomy_and_orientation(notebook, venue_id, service):
    notebook.sessions.record(
        _ind(venue_id, D(2025, 1, 3), materiels=["ordinateur", "telephone"], autonomy="autonome")
    )
    notebook.sessions.record(
        _ind(venue_id, D(2025, 1, 3), oriented=True, orientation="aide_sociale")
    )
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), oriented=False, materiels=["aucun"]))
    notebook.sessions.record(_workshop(venue_id, D(2025, 1, 4), 5, materiels=["ordinateur"]))
    report = service.compute(*JAN)
    mat = report.breakdown("materiel")
    assert (mat.count("ordinateur"), mat.count("telephone"), mat.count("aucun")) == (2, 1, 1)
    autonomy = report.breakdown("autonomy")
    # Individual sessions only (3): 1 autonome, 2 not given.
    assert autonomy.total == 3
    assert (autonomy.count("autonome"), autonomy.count(NC)) == (1, 2)
    orientation = report.breakdown("orientation")
    # 1 oriented to social aid, 1 not oriented, 1 not given.
    assert orientation.count("aide_sociale") == 1
    assert orientation.count(NOT_ORIENTED) == 1
    assert orientation.count(NC) == 1


def test_filters_and_tags(notebook, venue_id, service):
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), tags=["Pass numérique"]))
    notebook.sessions.record(_ind(venue_id, D(2025, 1, 3), themes=["sante"]))
    notebook.sessions.record(_workshop(venue_id, D(2025, 1, 4), 4, tags=["Pass numérique"]))
    tag = StatsFilter(tag="Pass numérique")
    assert service.compute(*JAN, tag).indicators.accompagnements == 1 + 4
    assert service.compute(*JAN, StatsFilter(kind="individuel")).indicators.activities == 2
    assert service.compute(*JAN, StatsFilter(kind="collectif")).indicators.accompagnements == 4
    assert service.compute(*JAN, StatsFilter(theme="sante")).indicators.activities == 1
    tags = service.compute(*JAN).breakdown("tag")
    assert [(r.label, r.count) for r in tags.rows] == [("Pass numérique", 2)]


def test_empty_period_and_bad_period(service):
    report = service.compute(*JAN)
    assert report.indicators.activities == 0
    assert all(r.share == 0 for b in report.breakdowns for r in b.rows)
    with pytest.raises(ValueError, match="date de fin"):
        service.compute(D(2025, 2, 1), D(2025, 1, 1))


# ---- the fast paths agree with a plain count over generated data ----------------------------


def _naive(db_path, date_from: D, date_to: D) -> dict:
    """Direct, row-by-row application of the rules, for comparison."""
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    rows = con.execute("SELECT * FROM accompagnement WHERE deleted_at IS NULL").fetchall()
    con.close()
    lo, hi = date_from.isoformat(), date_to.isoformat()
    first: dict[str, str] = {}
    for r in rows:
        if r["beneficiary_id"]:
            first[r["beneficiary_id"]] = min(first.get(r["beneficiary_id"], "9"), r["date"])
    period = [r for r in rows if lo <= r["date"] <= hi]
    ind = [r for r in period if r["kind"] == "individuel"]
    ws = [r for r in period if r["kind"] == "collectif"]
    codes = {r["beneficiary_id"] for r in ind if r["beneficiary_id"]}
    genre: Counter[str] = Counter()
    for r in ind:
        genre[r["genre"] or NC] += 1
    for r in ws:
        known = json.loads(r["counters"] or "{}").get("genre", {})
        genre.update(known)
        genre[NC] += r["participants"] - sum(known.values())
    themes: Counter[str] = Counter(t for r in period for t in r["themes"].split("|") if t)
    new_codes = sum(1 for c in codes if first[c] >= lo)
    ws_returning = sum(r["participants_returning"] or 0 for r in ws)
    ws_unknown = sum(r["participants"] for r in ws if r["participants_returning"] is None)
    anonymous = sum(1 for r in ind if not r["beneficiary_id"])
    return {
        "activities": len(period),
        "accompagnements": len(ind) + sum(r["participants"] for r in ws),
        "people_with_code": len(codes),
        "new": new_codes + sum(r["participants"] for r in ws) - ws_returning - ws_unknown,
        "returning": len(codes) - new_codes + ws_returning,
        "unknown": anonymous + ws_unknown,
        "minutes": sum(r["duration_min"] for r in period),
        "genre": genre,
        "themes": themes,
        "venues": Counter(r["venue_id"] for r in period if r["venue_id"]),
    }


@pytest.mark.parametrize(
    ("index_share", "slice_rows", "workers", "per_code", "cache"),
    [
        (1.0, 1, 1, 10**6, False),
        (0.0, 1, 3, 0, False),
        (0.0, 10**9, 2, 4, False),
        (0.0, 1, 2, 10**6, True),
        (0.0, 1, 1, 0, True),
    ],
    ids=[
        "date-index+code-lookups",
        "three-rowid-slices+range-scan",
        "one-scan",
        "cached-months+cached-codes",
        "cached-months+code-lookups",
    ],
)
def test_fast_paths_match_a_naive_count(
    tmp_path, monkeypatch, index_share, slice_rows, workers, per_code, cache
):
    from app.models.db import make_engine, make_session_factory
    from bench.datagen import generate_notebook

    db_path = tmp_path / "gen.db"
    generate_notebook(db_path, 1500, seed=7, years=2)
    con = sqlite3.connect(db_path)  # a few tombstones, which must not count
    con.execute("UPDATE accompagnement SET deleted_at = '2025-01-01 00:00:00' WHERE rowid % 17 = 0")
    con.commit()
    con.close()
    monkeypatch.setattr(stats, "_INDEX_SHARE", index_share)
    monkeypatch.setattr(stats, "_SLICE_ROWS", slice_rows)
    monkeypatch.setattr(stats, "_SESSIONS_PER_CODE", per_code)
    monkeypatch.setattr(stats, "_CACHED_ROWS_PER_CODE", per_code)
    monkeypatch.setattr(stats, "_MONTHS_PER_THREAD", 1)
    engine = make_engine(db_path)
    service = StatsService(make_session_factory(engine), workers=workers, cache=cache)
    today = dt.date.today()
    date_from = today - dt.timedelta(days=300)
    try:
        report = service.compute(date_from, today)
        if cache:  # again once every month is in the cache
            service.compute(dt.date(2000, 1, 1), today)
            assert service.compute(date_from, today) == report
    finally:
        engine.dispose()
    expected = _naive(db_path, date_from, today)
    ind = report.indicators
    assert ind.activities == expected["activities"] > 100
    assert ind.accompagnements == expected["accompagnements"]
    assert ind.people_with_code == expected["people_with_code"]
    assert ind.new_people == expected["new"]
    assert ind.returning_people == expected["returning"]
    assert ind.unknown_status_people == expected["unknown"]
    assert ind.minutes == expected["minutes"]
    genre = report.breakdown("genre")
    assert {r.code: r.count for r in genre.rows if r.count} == dict(expected["genre"])
    theme = report.breakdown("theme")
    assert {r.code: r.count for r in theme.rows if r.count} == dict(expected["themes"])
    venue = report.breakdown("venue")
    assert {r.code: r.count for r in venue.rows} == dict(expected["venues"])
    assert sum(p.activities for p in report.trend) == ind.activities
