"""Every national counting rule on a small hand-computed fixture, on SQLite and PostgreSQL,
through the real push path (the aggregates are maintained as ops are applied)."""

from __future__ import annotations

from hub.stats.query import Period, area_figures, hub_figures, structure_figures
from tests.hub.stats.fixtures import AMIENS, LILLE, ROUBAIX, counted, hand_fixture

Y2025 = Period(2025)


def test_indicators_follow_the_national_rules(client, device, hub_db):
    hand_fixture(client, device)
    with counted(hub_db) as s:
        f = hub_figures(s, Y2025)
    # Sessions of 2025: two individual ones of B1, one without a code, one workshop of 6
    # (2 already met), one of B2 (first seen in 2024). The deleted one never counts.
    assert f["activities"] == 5
    assert f["individual"] == 4
    assert f["workshops"] == 1
    assert f["participants"] == 6
    assert f["accomp"] == 4 + 6
    assert f["codes"] == 2  # B1 counted once
    assert f["anonymous"] == 1
    assert f["people"] == 2 + 1 + 6
    assert f["new"] == 1 + (6 - 2)  # B1, and the workshop's 4 first-timers
    assert f["returning"] == 1 + 2  # B2, and the workshop's counter
    assert f["unknown"] == 1  # the session without a code
    assert f["minutes"] == 30 + 60 + 45 + 120 + 30


def test_breakdowns_and_months(client, device, hub_db):
    hand_fixture(client, device)
    with counted(hub_db) as s:
        f = hub_figures(s, Y2025)
    assert (f["type:individuel"], f["type:collectif"]) == (4, 1)
    # Gender counts accompagnements: the workshop's counter, the rest "non communiqué".
    assert f["genre:feminin"] == 2 + 4
    assert f["genre:masculin"] == 1
    assert f["genre:non_communique"] == 1 + 2
    assert f["duration:30_60"] == 3 and f["duration:60_120"] == 1 and f["duration:plus_120"] == 1
    # Themes are multi-valued: each activity under each of its themes.
    assert f["theme:email"] == 5 and f["theme:navigation_sur_internet"] == 5
    assert f["orientation:non_oriente"] == 4 - 1  # not asked on the session without autonomy
    assert f["orientation:non_communique"] == 1
    assert f["autonomy:partiellement_autonome"] == 3 and f["autonomy:non_communique"] == 1
    assert (f["ma:2025-03"], f["mc:2025-03"]) == (2, 2)
    assert (f["ma:2025-04"], f["mc:2025-04"]) == (2, 1 + 6)
    # June's only session was deleted (maybe before it was ever counted: then no row at all).
    assert (f["ma:2025-05"], f.get("ma:2025-06", 0)) == (1, 0)
    assert f["mm:2025-04"] == 45 + 120


def test_territories_and_tags(client, device, hub_db):
    hand_fixture(client, device)
    with counted(hub_db) as s:
        communes = area_figures(s, "commune", Y2025)
        deps = area_figures(s, "departement", Y2025)
        pieces = area_figures(s, "epci", Y2025)
        tagged = hub_figures(s, Y2025, tag="Pass numérique")
        structures = structure_figures(s, Y2025)
    assert communes[LILLE]["activities"] == 3 and communes[LILLE]["codes"] == 1
    assert communes[ROUBAIX]["accomp"] == 6
    assert communes[AMIENS]["returning"] == 1 and communes[AMIENS]["new"] == 0
    assert deps["59"]["activities"] == 4 and deps["80"]["activities"] == 1
    # Lille and Roubaix are both in the Métropole européenne de Lille.
    assert pieces["200093201:59"]["accomp"] == 3 + 6
    assert tagged["activities"] == 1 and tagged["people"] == 1 and tagged["anonymous"] == 1
    assert sum(f["activities"] for f in structures.values()) == 5


def test_an_edit_moves_the_session_and_a_delete_removes_it(client, device, hub_db):
    from tests.hub.helpers import op, push, session_payload

    first = session_payload(date="2025-02-01", commune_insee=LILLE, beneficiary_id="C1")
    assert push(client, device, [op(first)]).json()["results"][0]["status"] == "applied"
    with counted(hub_db) as s:  # counted: the edit takes its contribution out
        assert hub_figures(s, Y2025)["activities"] == 1
    moved = {**first, "date": "2026-01-05", "commune_insee": AMIENS, "kind": "individuel"}
    assert push(client, device, [op(moved, 1)]).json()["results"][0]["status"] == "applied"
    with counted(hub_db) as s:
        assert hub_figures(s, Y2025)["activities"] == 0
        y2026 = hub_figures(s, Period(2026))
        assert y2026["activities"] == 1 and y2026["new"] == 1  # its first month moved too
        assert area_figures(s, "commune", Period(2026))[AMIENS]["activities"] == 1
    gone = {**moved, "deleted_at": "2026-01-06T10:00:00Z"}
    assert (
        push(client, device, [op(gone, 2, kind="delete")]).json()["results"][0]["status"]
        == "applied"
    )
    with counted(hub_db) as s:
        assert hub_figures(s, Period(2026))["activities"] == 0
        assert hub_figures(s, Period(2026))["people"] == 0
