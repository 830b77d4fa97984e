"""The "Synchronisation" panel against the real hub: a conflict between two devices and a change
the hub refuses are listed with their reason and what to do, and each is settled from the panel
(keep mine, keep the hub's, open the session to correct it, dismiss); "Disconnect from the hub"
removes the token and keeps the data."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QTableWidget
from sqlalchemy import select

from app.sync.credentials import SERVICE_NAME
from app.ui.sync.controller import ATTENTION, NOT_LINKED, SYNCED
from app.ui.sync.panel import SyncPanel
from hub.models import Conflict
from tests.ui.sync.conftest import link_window, wait_synced
from tests.ui.sync.helpers import retire_theme

pytestmark = pytest.mark.usefixtures("close_leftover_windows")
LEFT = Qt.MouseButton.LeftButton


def edit_notes(notebook, session_id: str, notes: str) -> None:
    current = notebook.sessions.get(session_id)
    notebook.sessions.update(session_id, dataclasses.replace(current, notes=notes))


def open_panel(qtbot, window) -> SyncPanel:
    panel = window.sync.open_panel()
    qtbot.waitExposed(panel)
    return panel


def open_conflicts_on_hub(hub, mediator: str) -> int:
    with hub.db.session() as s:
        rows = s.scalars(select(Conflict).where(Conflict.mediator_id == mediator)).all()
        return sum(1 for c in rows if c.resolved_at is None)


def make_conflict(qtbot, window, other, session_id: str, mine: str, theirs: str) -> None:
    other.edit(session_id, notes=theirs)
    other.sync()
    edit_notes(window.notebook, session_id, mine)
    window.refresh()
    report = wait_synced(qtbot, window, lambda: window.sync.sync_now())
    assert report.conflicts == 1


def test_a_conflict_is_shown_with_both_values_and_settled_either_way(
    qtbot, sync_window, hub, other_device, record
):
    window = sync_window
    mediator = hub.new_mediator()
    link_window(qtbot, window, hub, mediator)
    other_device.enrol(hub, mediator)
    session_id = record(notes="début")
    window.refresh()
    wait_synced(qtbot, window, lambda: window.sync.sync_now())
    other_device.sync()

    panel = open_panel(qtbot, window)
    assert panel.empty_label.isVisible() and panel.cards == []
    make_conflict(qtbot, window, other_device, session_id, "version du portable", "version B")
    assert window.sync.view().state == ATTENTION
    assert window.sync.indicator.text() == "Problem: 1 item(s) to review"
    qtbot.waitUntil(lambda: len(panel.cards) == 1)
    card = panel.cards[0]
    assert card.findChild(QLabel, "cardTitle").text().startswith("Conflict — session of ")
    table = card.findChild(QTableWidget, "conflictTable")
    cells = [table.item(0, c).text() for c in range(3)]
    assert cells == ["Notes", "version du portable", "version B"]
    assert "notes" in card.issue.reason or "Notes" in card.issue.reason
    # The hub's value is the one on this computer until the user chooses.
    assert window.notebook.sessions.get(session_id).notes == "version B"

    # Keep mine: the portable's text goes to the hub, then to the other device.
    with qtbot.waitSignal(window.sync.sig_synced, timeout=20_000):
        qtbot.mouseClick(card.buttons["keep_mine"], LEFT)
    qtbot.waitUntil(lambda: panel.cards == [] and panel.empty_label.isVisible())
    assert hub.records(mediator)[session_id]["notes"] == "version du portable"
    other_device.sync()
    assert other_device.session_notes(session_id) == "version du portable"
    assert open_conflicts_on_hub(hub, mediator) == 0
    assert window.sync.view().state == SYNCED

    # Keep the hub's: nothing changes here, and the hub hears that the conflict is settled.
    make_conflict(qtbot, window, other_device, session_id, "encore le portable", "B, encore")
    assert open_conflicts_on_hub(hub, mediator) == 1
    qtbot.waitUntil(lambda: len(panel.cards) == 1)
    with qtbot.waitSignal(window.sync.sig_synced, timeout=20_000):
        qtbot.mouseClick(panel.cards[0].buttons["keep_hub"], LEFT)
    qtbot.waitUntil(lambda: panel.cards == [])
    assert open_conflicts_on_hub(hub, mediator) == 0
    assert window.notebook.sessions.get(session_id).notes == "B, encore"
    assert hub.records(mediator)[session_id]["notes"] == "B, encore"


def test_a_refused_change_is_explained_opened_corrected_and_dismissed(
    qtbot, sync_window, hub, record
):
    window = sync_window
    mediator = hub.new_mediator()
    link_window(qtbot, window, hub, mediator)
    good = record(notes="acceptée")
    bad = record(notes="thème retiré")
    retire_theme(window.notebook, bad)
    window.refresh()
    report = wait_synced(qtbot, window, lambda: window.sync.sync_now())
    assert report.rejected == 1
    assert set(hub.records(mediator)) == {good}
    assert window.sync.indicator.text() == "Problem: 1 item(s) to review"

    qtbot.mouseClick(window.sync.indicator, LEFT)
    panel = window.sync.panel
    assert isinstance(panel, SyncPanel)
    qtbot.waitUntil(lambda: len(panel.cards) == 1)
    card = panel.cards[0]
    assert card.issue.kind == "rejected" and "theme_retire" in card.issue.reason
    texts = [label.text() for label in card.findChildren(QLabel)]
    assert any(t.startswith("Refused by the hub — session of ") for t in texts)
    assert any(t.startswith("What to do: Corrigez la fiche") for t in texts)
    assert set(card.buttons) == {"open", "dismiss"}

    # "Open the session": the form, to correct it.
    qtbot.mouseClick(card.buttons["open"], LEFT)
    form = window.form
    assert form is not None and form._session_id == bad
    qtbot.mouseClick(form.themes.main.chip("email"), LEFT)
    qtbot.mouseClick(form.save_button, LEFT)
    qtbot.waitUntil(lambda: window.form is None)
    report = wait_synced(qtbot, window, lambda: window.sync.sync_now())
    assert report.applied == 1 and bad in hub.records(mediator)

    qtbot.mouseClick(card.buttons["dismiss"], LEFT)
    qtbot.waitUntil(lambda: panel.cards == [] and window.sync.view().state == SYNCED)


def test_disconnect_removes_the_token_and_keeps_the_data(
    qtbot, sync_window, hub, keyring_backend, record
):
    window = sync_window
    mediator = hub.new_mediator()
    link_window(qtbot, window, hub, mediator)
    key = (SERVICE_NAME, f"appareil:{window.profile_id}")
    assert key in keyring_backend.secrets
    session_id = record(notes="pas encore envoyée")
    window.refresh()

    panel = open_panel(qtbot, window)
    assert panel.link_values["hub"].text() == f"Hub de test ({hub.url})"
    assert panel.disconnect_button.isVisible()
    qtbot.mouseClick(panel.disconnect_button, LEFT)
    box = panel.confirm_box
    assert box is not None and "1 change(s) waiting" in box.informativeText()
    [yes] = [
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    ]
    with qtbot.waitSignal(window.sync.sig_changed, timeout=10_000):
        qtbot.mouseClick(yes, LEFT)
    qtbot.waitUntil(lambda: window.sync.view().state == NOT_LINKED)

    assert key not in keyring_backend.secrets
    assert window.notebook.sessions.get(session_id).notes == "pas encore envoyée"
    assert window.sync.pending == 1
    assert not panel.disconnect_button.isVisible()
    assert panel.not_linked_label.isVisible()
    assert window.sync.indicator.text() == "Not linked to a hub · 1 change(s) waiting"

    # Linking again (the last hub's address is offered) sends what waited.
    dialog = window.sync.open_enrol_dialog()
    assert dialog.hub_edit.text() == hub.url
    dialog.close()
    link_window(qtbot, window, hub, mediator)
    assert session_id in hub.records(mediator)
