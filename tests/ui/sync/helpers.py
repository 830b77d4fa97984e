"""Helpers shared by the desktop sync tests and the sync screenshots."""

from __future__ import annotations

from app.models.entities import Accompagnement
from app.models.payloads import outbox_entry
from app.services.notebook import Notebook


def retire_theme(notebook: Notebook, session_id: str, theme: str = "theme_retire") -> None:
    """Queue a change of the session to a national code the hub does not know (a list that
    changed while the laptop was offline): the hub refuses it."""
    with notebook.session_factory.begin() as db:
        row = db.get(Accompagnement, session_id)
        assert row is not None
        base = row.version
        row.themes = f"|{theme}|"
        row.version = base + 1
        db.flush()
        db.add(outbox_entry(row, "upsert", base))
