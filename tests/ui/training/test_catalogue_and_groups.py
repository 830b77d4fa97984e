"""The Parcours window: catalogue browser, local path editor, workshop matrix, the session
form's progress panel and the main window hook."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from app.services.progress import DONE, Subject
from app.ui.training.catalogue import CatalogueView
from app.ui.training.dialogs import RecordProgressDialog
from app.ui.training.matrix import GroupMatrixView
from app.ui.training.path_editor import PathEditorDialog
from app.ui.training.session_link import SessionProgressPanel
from app.ui.training.shell import install_training
from app.ui.training.window import TrainingWindow
from tests.ui.helpers import visible
from tests.ui.training.conftest import CODE, OTHER, SANTE, SMARTPHONE, module

pytestmark = pytest.mark.usefixtures("close_leftover_windows")


def test_samples_then_browse_filter_and_withdrawn(qtbot, notebook):
    view = CatalogueView(notebook)
    qtbot.addWidget(view)
    view.show()
    assert view.path_list.count() == 0 and view.samples_button.isVisible()
    view.samples_button.click()
    assert view.path_list.count() == 4 and not view.samples_button.isVisible()
    view.audience_filter.setCurrentIndex(view.audience_filter.findData("mediateurs"))
    assert [view.path_list.item(i).text() for i in range(view.path_list.count())] == [
        "Devenir facilitateur numérique"
    ]
    assert view.modules_table.rowCount() == 6
    assert "2.4 → 3" in view.modules_table.item(0, 2).text()
    assert "Médiateurs" in view.meta_label.text() or "Mediators" in view.meta_label.text()
    assert not view.edit_button.isEnabled()  # a hub path is read-only here

    # The hub withdraws a path: hidden unless asked for.
    from app.services.training import seed_snapshot

    snap = seed_snapshot()
    snap["version"] = 2
    snap["paths"] = [p for p in snap["paths"] if p["id"] != SANTE]
    notebook.training.apply_catalogue(snap)
    view.audience_filter.setCurrentIndex(0)
    view.reload()
    assert view.path_list.count() == 3
    view.withdrawn_box.setChecked(True)
    assert view.path_list.count() == 4
    view.path_list.setCurrentRow(
        next(i for i in range(4) if view.path_list.item(i).data(Qt.ItemDataRole.UserRole) == SANTE)
    )
    assert "Withdrawn" in view.meta_label.text() and not view.enrol_button.isEnabled()


def test_write_a_local_path_edit_it_and_propose_it(qtbot, notebook, training, tmp_path):
    view = CatalogueView(notebook)
    qtbot.addWidget(view)
    view.show()
    editor = view.open_new()
    assert isinstance(editor, PathEditorDialog) and editor.isVisible()
    # Saving an empty path explains what is missing, and keeps the dialog open.
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert editor.isVisible() and "titre" in editor.error_label.text()

    editor.title_edit.setText("Réparer son ordinateur")  # QTest types ASCII only
    form = editor.module_form
    qtbot.keyClicks(form.title_edit, "Nettoyer le disque")
    form.objective_edit.setPlainText("Libérer de la place.")
    form.duration_spin.setValue(45)
    form.target_spins["5.1"].setValue(2)
    for i in range(form.themes_list.count()):
        item = form.themes_list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == "maintenance_de_materiel":
            item.setCheckState(Qt.CheckState.Checked)
    editor.add_button.click()
    qtbot.keyClicks(form.title_edit, "Sauvegarder ses fichiers")
    editor.up_button.click()  # the backup first
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert not editor.isVisible()
    spec = notebook.training.get_path(editor.path_id)
    assert [m.title for m in spec.modules] == ["Sauvegarder ses fichiers", "Nettoyer le disque"]
    assert spec.modules[1].competences == (("5.1", 2),)
    assert spec.modules[1].themes == ("maintenance_de_materiel",)
    assert view.current_id() == spec.id and view.edit_button.isEnabled()
    assert view.path_list.currentItem().font().italic()  # a local path

    editor = view.open_edit()
    assert editor.title_edit.text() == "Réparer son ordinateur"
    editor.module_list.setCurrentRow(1)
    assert editor.module_form.target_spins["5.1"].value() == 2
    editor.remove_button.click()
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert [m.title for m in notebook.training.get_path(spec.id).modules] == [
        "Sauvegarder ses fichiers"
    ]

    view.propose_button.click()
    assert notebook.training.get_path(spec.id).status == "proposed"
    assert not view.propose_button.isEnabled()

    target = tmp_path / "parcours.json"
    view.export_to(target)
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "Réparer son ordinateur"
    copy_id = view.import_from(target)
    assert copy_id != spec.id and view.current_id() == copy_id


def test_workshop_group_matrix_view(qtbot, notebook, training, workshop):
    view = GroupMatrixView(notebook)
    qtbot.addWidget(view)
    view.show()
    assert view.empty_label.isVisible() and view.model.rowCount() == 0

    dialog = view.open_enrol_group()
    assert dialog.current_kind() == "workshop" and dialog.workshop_combo.currentData() == workshop
    dialog.path_combo.setCurrentIndex(dialog.path_combo.findData(SMARTPHONE))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not view.empty_label.isVisible()
    assert view.model.rowCount() == 1 and view.model.columnCount() == 6
    assert view.model.headerData(0, Qt.Orientation.Vertical) == "Group (9 participant(s))"

    view.add_member(OTHER)
    view.add_member(CODE)
    assert view.model.rowCount() == 3

    record = view.open_record()
    assert isinstance(record, RecordProgressDialog)
    assert record.module_combo.currentData() == module(SMARTPHONE, 1)
    assert [b.text() for b in record.member_boxes] == [OTHER, CODE]
    record.member_boxes[0].setChecked(True)
    record.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not record.isVisible()
    index = view.model.index(0, 0)
    assert view.model.data(index).startswith("✓")
    assert view.model.data(view.model.index(1, 0)).startswith("✓")
    assert view.model.data(view.model.index(2, 0)) == ""
    assert "1 of 6" in view.summary_label.text()
    assert training.progress(Subject.person(OTHER)).path(SMARTPHONE).done_count == 1


def test_session_form_panel_records_modules_with_the_session(
    qtbot, notebook, person, person_session
):
    panel = SessionProgressPanel(notebook.training)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_person("")
    assert panel.tree.isHidden() and "follow-up code" in panel.status_label.text()
    panel.set_person(CODE.lower())
    items = panel.module_items()
    # Module 1 is done (not offered); module 2 was started earlier: only "done" can be ticked.
    assert [i.data(0, Qt.ItemDataRole.UserRole) for i in items] == [
        module(SANTE, n) for n in range(2, 6)
    ]
    assert items[0].text(1) == "already"
    panel.tick(module(SANTE, 2), "done")
    panel.tick(module(SANTE, 3), "started")
    assert [(r.module_id, r.kind) for r in panel.pending()] == [
        (module(SANTE, 2), "done"),
        (module(SANTE, 3), "started"),
    ]
    ids = panel.apply(person_session, dt.date(2025, 3, 3))
    assert len(ids) == 2
    path = notebook.training.progress(person).path(SANTE)
    assert path.modules[1].status == DONE and path.modules[1].session_ids == (person_session,)
    assert path.modules[2].status == "started"
    assert panel.linked_label.isVisible() and "Activer son profil" in panel.linked_label.text()
    assert panel.pending() == []


def test_session_form_panel_for_a_workshop_group(qtbot, notebook, training, workshop):
    group = Subject.workshop(workshop)
    training.enrol(group, SMARTPHONE, occurred_on=dt.date(2025, 4, 1))
    training.enrol_member(workshop, OTHER, SMARTPHONE)
    panel = SessionProgressPanel(notebook.training)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_workshop()
    assert panel.group_row.isVisible() and panel.group_combo.currentData() == workshop
    assert [b.text() for b in panel.member_boxes] == [OTHER]
    panel.tick(module(SMARTPHONE, 1))
    panel.member_boxes[0].setChecked(True)
    panel.apply(workshop, dt.date(2025, 4, 1))
    matrix = training.group_matrix(workshop, SMARTPHONE)
    assert [row.cells[0].status for row in matrix.rows] == [DONE, DONE]


def test_main_window_hook_opens_the_training_window(qtbot, main_window, training):
    action = install_training(main_window)
    assert action in main_window.toolbar.actions()
    titles = [a.text() for a in main_window.menuBar().actions()]
    assert "&Training" in titles and titles.index("&Training") < titles.index("P&rofile")
    action.trigger()
    (window,) = visible(TrainingWindow)
    assert window.tabs.count() == 3 and window.catalogue.path_list.count() == 4
    # Enrolling oneself from the catalogue shows at once in "My training".
    window.catalogue.path_list.setCurrentRow(
        next(
            i
            for i in range(4)
            if window.catalogue.path_list.item(i).text() == "Devenir facilitateur numérique"
        )
    )
    dialog = window.catalogue.open_enrol()
    assert dialog.current_kind() == "self"
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    window.show_tab("mine")
    assert len(window.mine.cards) == 1 and window.mine.hint.isVisible()
    action.trigger()  # a second trigger raises the same window
    assert visible(TrainingWindow) == [window]
    window.close()
    assert not [b for b in visible(QMessageBox)]
