"""Paramètres: venues corrected, added and removed on Save only; name checks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.usefixtures("close_leftover_windows")
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def dialog(qtbot, notebook, app_context, venues):
    profile = app_context.registry.create("Camille")
    notebook.settings.set("display_name", "Camille")
    dlg = SettingsDialog(notebook, app_context.registry, profile.id, app_context.communes)
    qtbot.addWidget(dlg)
    dlg.open()
    return dlg


def test_venues_are_written_on_save_only(qtbot, dialog, notebook, venues):
    dialog.tabs.setCurrentIndex(1)
    editor = dialog.venues
    assert [d.name for d in editor.drafts()] == [
        "Centre social du Faubourg",
        "Médiathèque Jean Lévy",
    ]
    # Correct the first venue: it becomes itinerant.
    editor.list.setCurrentRow(0)
    assert editor.name_edit.text() == "Centre social du Faubourg"
    editor.itinerant_check.setChecked(True)
    qtbot.mouseClick(editor.update_button, LEFT)
    # Remove the second, add a new one.
    editor.list.setCurrentRow(1)
    qtbot.mouseClick(editor.remove_button, LEFT)
    qtbot.keyClicks(editor.name_edit, "France Services")
    editor.commune_picker.set_value("59122", "Cambrai", "59400")
    qtbot.mouseClick(editor.add_button, LEFT)
    assert len(editor.drafts()) == 2
    assert {v.name for v in notebook.venues.list()} == {
        "Centre social du Faubourg",
        "Médiathèque Jean Lévy",
    }  # nothing written before Save

    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    saved = {v.name: v for v in notebook.venues.list()}
    assert set(saved) == {"Centre social du Faubourg", "France Services"}
    assert saved["Centre social du Faubourg"].itinerant
    assert saved["France Services"].commune_insee == "59122"


def test_cancel_writes_nothing(qtbot, dialog, notebook):
    dialog.venues.list.setCurrentRow(0)
    qtbot.mouseClick(dialog.venues.remove_button, LEFT)
    dialog.name_edit.setText("Autre nom")
    dialog.reject()
    assert len(notebook.venues.list()) == 2
    assert notebook.settings.display_name == "Camille"


def test_venue_checks_and_at_least_one_venue(qtbot, dialog, notebook):
    dialog.tabs.setCurrentIndex(1)
    editor = dialog.venues
    qtbot.keyClicks(editor.name_edit, "Sans commune")
    qtbot.mouseClick(editor.add_button, LEFT)
    assert editor.error.isVisible() and len(editor.drafts()) == 2  # a fixed venue needs one
    editor.name_edit.setText("centre social du faubourg")
    editor.commune_picker.set_value("59512", "Roubaix", "59100")
    qtbot.mouseClick(editor.add_button, LEFT)
    assert editor.error.isVisible() and len(editor.drafts()) == 2  # same name
    editor.name_edit.clear()
    editor.commune_picker.set_value(None, None, None)

    for _ in range(2):
        editor.list.setCurrentRow(0)
        qtbot.mouseClick(editor.remove_button, LEFT)
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.venues_error.isVisible()
    assert dialog.tabs.currentIndex() == 1
    assert len(notebook.venues.list()) == 2

    dialog.name_edit.clear()
    dialog.buttons.accepted.emit()
    assert dialog.tabs.currentIndex() == 0 and dialog.name_error.isVisible()
