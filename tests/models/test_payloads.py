"""Row ↔ wire payload: the same canonical hash everywhere, and a lossless round trip."""

from __future__ import annotations

import datetime as dt

from app.models.entities import Accompagnement, Venue
from app.models.payloads import apply_payload, content_hash, payload_values, row_hash, row_payload
from app.services.sessions import SessionInput


def test_round_trip_keeps_types_and_hash(notebook, venue_id):
    sid = notebook.sessions.record(
        SessionInput(venue_id=venue_id, themes=["email"], notes="Café « noir »")
    )
    with notebook.session_factory() as db:
        row = db.get(Accompagnement, sid)
        payload = row_payload(row)
        before = row_hash(row)
    assert payload["created_at"].endswith("Z") and payload["date"] == dt.date.today().isoformat()
    values = payload_values(Accompagnement, payload)
    assert values["date"] == dt.date.today() and values["created_at"].tzinfo is dt.UTC
    with notebook.session_factory.begin() as db:
        db.get(Accompagnement, sid).notes = "changé"
    with notebook.session_factory.begin() as db:
        apply_payload(db, Accompagnement, payload)
    with notebook.session_factory() as db:
        assert row_hash(db.get(Accompagnement, sid)) == before == content_hash(payload)


def test_unknown_fields_are_ignored_and_missing_ones_kept(notebook, venue_id):
    with notebook.session_factory.begin() as db:
        apply_payload(db, Venue, {"id": venue_id, "name": "Nouveau nom", "champ_futur": 1})
    with notebook.session_factory() as db:
        venue = db.get(Venue, venue_id)
        assert venue.name == "Nouveau nom" and venue.commune_name == "Lille"
