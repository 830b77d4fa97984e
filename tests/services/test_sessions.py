from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from sqlalchemy import event

from app.models.errors import DiskFullError
from app.services import followup_codes
from app.services.sessions import SessionFilter, SessionInput, ValidationError, validate


def _individual(venue_id: str, **kw) -> SessionInput:
    base = dict(venue_id=venue_id, themes=["email"], duration_min=45)
    base.update(kw)
    return SessionInput(**base)


def _outbox(nb):
    con = sqlite3.connect(nb.db_path)
    rows = con.execute(
        "SELECT entity, entity_id, op, base_version, payload FROM outbox ORDER BY seq"
    ).fetchall()
    con.close()
    return rows


def test_record_writes_the_row_and_its_outbox_entry(notebook, venue_id):
    sid = notebook.sessions.record(_individual(venue_id))
    got = notebook.sessions.get(sid)
    assert got.themes == ["email"] and got.commune_name == "Lille"
    entity, entity_id, op, base, payload = _outbox(notebook)[-1]
    assert (entity, entity_id, op, base) == ("accompagnement", sid, "upsert", 0)
    assert json.loads(payload)["themes"] == "|email|"


def test_update_bumps_version_and_queues_the_base_version(notebook, venue_id):
    sid = notebook.sessions.record(_individual(venue_id))
    notebook.sessions.update(sid, _individual(venue_id, duration_min=90))
    assert notebook.sessions.get(sid).duration_min == 90
    assert _outbox(notebook)[-1][2:4] == ("upsert", 1)


def test_delete_is_a_tombstone_and_undo_restores(notebook, venue_id):
    sid = notebook.sessions.record(_individual(venue_id))
    notebook.sessions.delete(sid)
    assert notebook.sessions.list_ids(SessionFilter()) == []
    assert _outbox(notebook)[-1][2] == "delete"
    notebook.sessions.undelete(sid)
    assert notebook.sessions.list_ids(SessionFilter()) == [sid]


def test_validation_messages_are_french_and_nothing_is_saved(notebook, venue_id):
    bad = SessionInput(venue_id=None, themes=[], date=dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as info:
        notebook.sessions.record(bad)
    errors = info.value.errors
    assert errors["date"] == "La date ne peut pas être dans le futur."
    assert "thématique" in errors["themes"]
    assert "lieu" in errors["venue_id"]
    assert notebook.sessions.count() == 0


def test_admin_sub_themes_need_the_admin_theme():
    inp = SessionInput(venue_id="x", themes=["logement"])
    assert "Aide aux démarches" in validate(inp)["themes"]
    inp.themes = ["aide_aux_demarches_administratives", "logement"]
    assert "themes" not in validate(inp)


def test_workshop_counters_are_checked():
    inp = SessionInput(
        kind="collectif", venue_id="x", themes=["email"], workshop_title="Mails", participants=3
    )
    assert validate(inp) == {}
    inp.participants_returning = 5
    assert "participants_returning" in validate(inp)
    inp.participants_returning = 1
    inp.counters = {"genre": {"feminin": 3, "masculin": 2}}
    assert "counters" in validate(inp)


def test_followup_code_links_sessions_to_one_person(notebook, venue_id):
    code = notebook.beneficiaries.new_code()
    assert notebook.beneficiaries.sessions_count(code) == 0
    notebook.sessions.record(
        _individual(venue_id, followup_code=code, autonomy="entierement_accompagne")
    )
    notebook.sessions.record(
        _individual(
            venue_id,
            followup_code=code.lower().replace("-", ""),
            themes=["sante"],
            autonomy="autonome",
        )
    )
    summary = notebook.beneficiaries.summary(code)
    assert summary is not None and len(summary.sessions) == 2
    assert dict(summary.themes_seen) == {"email": 1, "sante": 1}
    assert [a for _, a in summary.autonomy_over_time] == ["entierement_accompagne", "autonome"]


def test_bad_followup_code_is_refused(notebook, venue_id):
    code = followup_codes.normalize(notebook.beneficiaries.new_code())
    typo = code[:2] + code[3] + code[2] + code[4:] if code[2] != code[3] else code[:-1] + "X"
    if followup_codes.is_valid(typo):
        pytest.skip("unlucky code")
    with pytest.raises(ValidationError) as info:
        notebook.sessions.record(_individual(venue_id, followup_code=typo))
    assert "followup_code" in info.value.errors


def test_defaults_follow_the_last_session(notebook, venue_id):
    other = notebook.venues.add("Médiathèque", "59009", "Villeneuve-d'Ascq", "59650")
    notebook.sessions.record(_individual(other, duration_min=90))
    d = notebook.sessions.defaults()
    assert (d.venue_id, d.duration_min, d.date) == (other, 90, dt.date.today())


def test_duplicate_is_dated_today(notebook, venue_id):
    sid = notebook.sessions.record(
        _individual(venue_id, date=dt.date(2024, 3, 1), notes="à revoir", tags=["Pass numérique"])
    )
    copy = notebook.sessions.duplicate(sid)
    assert copy.date == dt.date.today() and copy.tags == ["Pass numérique"] and copy.notes == ""


def test_usage_ranking_puts_most_used_first(notebook, venue_id):
    for minutes, theme in [(60, "sante"), (60, "sante"), (30, "email")]:
        notebook.sessions.record(_individual(venue_id, duration_min=minutes, themes=[theme]))
    durations, themes = notebook.sessions.usage_ranking()
    assert durations[0] == 60 and themes[0] == "sante"


def test_list_filters(notebook, venue_id):
    a = notebook.sessions.record(
        _individual(venue_id, date=dt.date(2025, 1, 10), notes="CAF en ligne")
    )
    b = notebook.sessions.record(
        SessionInput(
            kind="collectif",
            venue_id=venue_id,
            themes=["sante"],
            workshop_title="Mon Espace Santé",
            participants=6,
            date=dt.date(2025, 2, 10),
            tags=["Pass numérique"],
        )
    )
    s = notebook.sessions
    assert s.list_ids(SessionFilter()) == [b, a]
    assert s.list_ids(SessionFilter(), sort="date", descending=False) == [a, b]
    assert s.list_ids(SessionFilter(kind="collectif")) == [b]
    assert s.list_ids(SessionFilter(theme="email")) == [a]
    assert s.list_ids(SessionFilter(tag="Pass numérique")) == [b]
    assert s.list_ids(SessionFilter(text="caf")) == [a]
    assert s.list_ids(SessionFilter(date_from=dt.date(2025, 2, 1))) == [b]
    rows = s.fetch_rows([a, b])
    assert [r.id for r in rows] == [a, b] and rows[1].participants == 6


def test_disk_full_on_save_explains_and_keeps_previous_data(notebook, venue_id):
    first = notebook.sessions.record(_individual(venue_id, notes="première"))
    con = sqlite3.connect(notebook.db_path)
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()

    def _cap(dbapi_conn, _rec):
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    event.listen(notebook.engine, "connect", _cap)
    notebook.engine.dispose()
    big_note = "x" * 200_000
    with pytest.raises(DiskFullError) as info:
        notebook.sessions.record(_individual(venue_id, notes=big_note))
    assert "disque est plein" in info.value.message
    event.remove(notebook.engine, "connect", _cap)
    notebook.engine.dispose()
    assert notebook.sessions.list_ids(SessionFilter()) == [first]
    assert notebook.sessions.get(first).notes == "première"


def test_draft_roundtrip(notebook, venue_id):
    inp = _individual(venue_id, notes="en cours", counters={"genre": {"feminin": 1}})
    notebook.drafts.save("session:new", inp)
    assert notebook.drafts.load("session:new") == inp
    notebook.drafts.discard("session:new")
    assert notebook.drafts.load("session:new") is None
