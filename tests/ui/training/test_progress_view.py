"""The progress views driven like a mediator would: cards, chart, history, enrol, record,
cancel, the next-step hint on the person page, the certificate."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from app.services.progress import DONE, Subject
from app.ui.training.dialogs import CertificateDialog, EnrolDialog, RecordProgressDialog
from app.ui.training.progress_view import ProgressView
from tests.ui.training.conftest import CODE, FACILITATEUR, OTHER, SANTE, SMARTPHONE, module

pytestmark = pytest.mark.usefixtures("close_leftover_windows")


def _ok(dialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _non_white_ratio(widget) -> float:
    image = widget.grab().toImage()
    total = dark = 0
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            total += 1
            if image.pixelColor(x, y).lightness() < 235:
                dark += 1
    return dark / max(1, total)


def test_cards_chart_hint_and_history(qtbot, notebook, person):
    view = ProgressView(notebook, person)
    qtbot.addWidget(view)
    view.resize(900, 900)
    view.show()
    qtbot.waitExposed(view)
    (card,) = view.cards
    assert card.count_label.text() == "1 / 5 modules"
    assert card.title_label.text() == "Mon Espace Santé"
    assert "In progress" in card.status_label.text()
    assert "03/03/2025" in card.modules_label.text()
    assert view.hint.isVisible()
    assert "Activer son profil" in view.hint.text() and "1 of 5" in view.hint.text()
    codes = [c.code for c in view.chart.competences]
    assert codes[:2] == ["1.1", "1.2"] and "4.2" in codes
    assert view.history.count() == 3
    assert _non_white_ratio(view.chart) > 0.03  # bars, marks and labels are painted


def test_cancel_a_record_from_the_history(qtbot, notebook, person):
    view = ProgressView(notebook, person)
    qtbot.addWidget(view)
    view.show()
    # The newest record first: "module 2 started".
    view.history.setCurrentRow(0)
    assert "Activer son profil" in view.history.currentItem().text()
    assert view.cancel_button.isEnabled()
    view.cancel_button.click()
    box = view.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    box.button(QMessageBox.StandardButton.Yes).click()
    struck = [
        view.history.item(i)
        for i in range(view.history.count())
        if view.history.item(i).font().strikeOut()
    ]
    assert len(struck) == 1 and "Activer son profil" in struck[0].text()
    assert view.progress.path(SANTE).modules[1].status == "todo"


def test_record_progress_dialog_links_the_session(qtbot, notebook, person, person_session):
    view = ProgressView(notebook, person)
    qtbot.addWidget(view)
    view.show()
    view.hint.record_button.click()  # "Record it…" from the next-step hint
    dialog = view.dialog
    assert isinstance(dialog, RecordProgressDialog) and dialog.isVisible()
    assert dialog.module_combo.currentData() == module(SANTE, 2)
    dialog.set_kind("done")
    dialog.date_edit.setDate(dialog.date_edit.date().fromString("17/03/2025", "dd/MM/yyyy"))
    dialog.session_combo.setCurrentIndex(dialog.session_combo.findData(person_session))
    before, after = dialog.levels.spins["4.1"]
    after.setValue(3)
    _ok(dialog)
    assert not dialog.isVisible()
    path = view.progress.path(SANTE)
    assert path.modules[1].status == DONE and path.modules[1].done_on == dt.date(2025, 3, 17)
    assert path.modules[1].session_ids == (person_session,)
    assert view.cards[0].count_label.text() == "2 / 5 modules"
    assert {c.code: c.latest_level for c in view.progress.competences}["4.1"] == 3


def test_enrol_dialog_checks_the_code_and_filters_paths_by_audience(qtbot, notebook, training):
    dialog = EnrolDialog(notebook)
    qtbot.addWidget(dialog)
    dialog.show()
    titles = [dialog.path_combo.itemText(i) for i in range(dialog.path_combo.count())]
    assert "Devenir facilitateur numérique" not in titles and len(titles) == 3
    dialog.path_combo.setCurrentIndex(dialog.path_combo.findData(SMARTPHONE))
    dialog.code_edit.setText("KRT-4MY")  # typo
    _ok(dialog)
    assert dialog.isVisible() and "faute de frappe" in dialog.error_label.text()
    assert training.progress(Subject.person("KRT-4MU")).paths == ()
    dialog.code_edit.setText(OTHER.lower())
    _ok(dialog)
    assert not dialog.isVisible()
    assert training.progress(Subject.person(OTHER)).path(SMARTPHONE) is not None

    mine = EnrolDialog(notebook)
    qtbot.addWidget(mine)
    mine.kind_combo.setCurrentIndex(mine.kind_combo.findData("self"))
    assert [mine.path_combo.itemData(i) for i in range(mine.path_combo.count())] == [FACILITATEUR]
    assert not mine.code_edit.isVisibleTo(mine)
    assert set(mine.levels.spins) == {"1.1", "1.3", "2.1", "2.3", "2.4", "3.1", "3.3", "4.1", "4.2"}
    mine.levels.spins["4.1"][0].setValue(3)
    _ok(mine)
    view = training.my_training()
    assert view.path(FACILITATEUR) is not None
    assert {c.code: c.latest_level for c in view.competences}["4.1"] == 3


def test_person_page_gets_the_training_section(qtbot, main_window, notebook, person):
    from app.ui.training.person_section import install_training_section

    page = main_window.open_person_page(CODE)
    section = install_training_section(page, notebook)
    qtbot.waitExposed(page)
    assert section.isVisible() and section.hint.isVisible()
    assert "Activer son profil" in section.hint.text()
    assert not section.view.full and section.view.history.isHidden()
    # Completing the path from the page makes the hint go away.
    for n in range(2, 6):
        notebook.training.record(person, SANTE, module(SANTE, n), "done")
    section.view.reload()
    assert section.hint.isHidden()
    assert section.view.cards[0].count_label.text() == "5 / 5 modules"
    page.grab()


def test_certificate_dialog_writes_the_pdf(qtbot, notebook, person, tmp_path):
    notebook.settings.set("display_name", "Camille Martin")
    view = ProgressView(notebook, person)
    qtbot.addWidget(view)
    dialog = view.open_certificate()
    assert isinstance(dialog, CertificateDialog)
    assert dialog.venue_combo.currentText() == "Centre social du Faubourg (Roubaix)"
    assert dialog.mediator_edit.text() == "Camille Martin"
    assert dialog.default_file_name().startswith("attestation-KRT4MU-")
    target = tmp_path / "attestation.pdf"
    dialog.save_to(target)
    assert target.read_bytes().startswith(b"%PDF-") and dialog.saved_to == target


def test_record_dialog_without_enrolment_says_so(qtbot, notebook, training):
    dialog = RecordProgressDialog(notebook, Subject.person(CODE))
    qtbot.addWidget(dialog)
    assert "Enrol on a path first" in dialog.error_label.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
