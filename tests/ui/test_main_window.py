"""The main window driven from the keyboard and the mouse: delete and undo, duplicate, edit,
the followed person's page, the status bar, About, and the unexpected-error dialog."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence

from app.services.drafts import NEW_SESSION_KEY, key_for
from app.services.sessions import SessionInput
from app.ui.errors import ErrorReporter
from app.ui.main_window import pending_changes
from app.ui.person_page import FollowUpLookupDialog, PersonPage
from tests.ui.helpers import message_boxes, visible

pytestmark = pytest.mark.usefixtures("close_leftover_windows")
LEFT = Qt.MouseButton.LeftButton
TODAY = dt.date.today()


def select_row(window, row: int) -> str:
    view = window.sessions_view
    view.table.setFocus()
    sid = view.model.session_id(row)
    assert sid is not None
    view.select_ids([sid], sid)
    assert view.selected_ids() == [sid]
    return sid


def test_delete_with_the_del_key_then_undo_from_the_status_bar(qtbot, main_window, record):
    ids = [record(date=TODAY - dt.timedelta(days=n)) for n in range(3)]
    main_window.refresh()
    nb = main_window.notebook
    target = select_row(main_window, 1)
    assert target == ids[1]
    pending_before = pending_changes(nb)

    qtbot.keyClick(main_window.sessions_view.table, Qt.Key.Key_Delete)
    assert nb.sessions.is_deleted(target)
    assert main_window.sessions_view.model.row_of(target) == -1
    assert main_window.undo_button.isVisible()
    assert "1" in main_window.undo_label.text()
    assert pending_changes(nb) == pending_before + 1  # the tombstone goes to the hub
    # The cursor stays where it was, on the next session.
    assert main_window.sessions_view.selected_ids() == [ids[2]]

    qtbot.mouseClick(main_window.undo_button, LEFT)
    assert not nb.sessions.is_deleted(target)
    assert main_window.sessions_view.selected_ids() == [target]
    assert not main_window.undo_button.isVisible()


def test_delete_several_then_ctrl_z_and_redo(qtbot, main_window, record):
    ids = [record(date=TODAY - dt.timedelta(days=n)) for n in range(4)]
    main_window.refresh()
    view = main_window.sessions_view
    view.select_ids(ids[:2], ids[0])
    view.table.setFocus()
    main_window.delete_action.trigger()
    assert view.model.rowCount() == 2
    assert main_window.count_label.text().startswith("2")

    qtbot.keyClick(main_window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.model.rowCount() == 4
    assert set(view.selected_ids()) == set(ids[:2])
    main_window.redo_action.trigger()
    assert view.model.rowCount() == 2
    assert all(main_window.notebook.sessions.is_deleted(i) for i in ids[:2])


def test_del_in_the_search_field_edits_the_text(qtbot, main_window, record):
    record()
    main_window.refresh()
    select_row(main_window, 0)
    edit = main_window.sessions_view.filter_bar.text_edit
    edit.setFocus()
    qtbot.keyClicks(edit, "ab")
    qtbot.keyClick(edit, Qt.Key.Key_Home)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    assert edit.text() == "b"
    assert main_window.sessions_view.model.rowCount() in (0, 1)
    assert main_window.notebook.sessions.count() == 1  # nothing deleted


def test_duplicate_opens_a_copy_dated_today(qtbot, main_window, record, venues):
    original = record(
        date=TODAY - dt.timedelta(days=20),
        duration_min=45,
        venue_id=venues["roubaix"],
        themes=["sante"],
        notes="note de la séance d'origine",
    )
    main_window.refresh()
    select_row(main_window, 0)
    qtbot.keyClick(
        main_window.sessions_view.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
    )
    form = main_window.form
    assert form is not None and form.isVisible()
    copy = form.current_input()
    assert copy.date == TODAY and copy.duration_min == 45 and copy.themes == ["sante"]
    assert copy.venue_id == venues["roubaix"] and copy.notes == ""
    with qtbot.waitSignal(form.sig_saved) as saved:
        assert form.save()
    new_id = saved.args[0]
    assert new_id != original and main_window.notebook.sessions.count() == 2
    assert main_window.sessions_view.selected_ids() == [new_id]


def test_enter_and_double_click_open_the_session(qtbot, main_window, record):
    sid = record(notes="à corriger")
    main_window.refresh()
    select_row(main_window, 0)
    qtbot.keyClick(main_window.sessions_view.table, Qt.Key.Key_Return)
    form = main_window.form
    assert form is not None and form.current_input().notes == "à corriger"
    form.reject()
    qtbot.waitUntil(lambda: main_window.form is None)

    table = main_window.sessions_view.table
    rect = table.visualRect(main_window.sessions_view.model.index(0, 3))
    qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())  # the press a double-click has
    qtbot.mouseDClick(table.viewport(), LEFT, pos=rect.center())
    assert main_window.form is not None and main_window.form.windowTitle() != ""
    main_window.form.reject()
    assert sid


def test_new_session_with_ctrl_n_appears_in_the_list(qtbot, main_window):
    qtbot.keyClick(main_window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = main_window.form
    assert form is not None
    form.set_input(
        SessionInput(
            date=TODAY, venue_id=main_window.notebook.venues.list()[0].id, themes=["email"]
        )
    )
    with qtbot.waitSignal(form.sig_saved):
        assert form.save()
    assert main_window.sessions_view.model.rowCount() == 1
    assert main_window.count_label.text().startswith("1")
    assert main_window.notebook.drafts.load(key_for(None)) is None


def test_actions_follow_the_selection(qtbot, main_window, record):
    record()
    record()
    main_window.refresh()
    main_window.sessions_view.table.clearSelection()
    assert not main_window.delete_action.isEnabled()
    main_window.sessions_view.table.selectAll()
    assert main_window.delete_action.isEnabled()
    assert not main_window.edit_action.isEnabled() and not main_window.duplicate_action.isEnabled()
    assert main_window.new_action.shortcut() == QKeySequence("Ctrl+N")
    assert main_window.duplicate_action.shortcut() == QKeySequence("Ctrl+D")
    assert main_window.person_action.shortcut() == QKeySequence("Ctrl+F")


def test_person_lookup_and_page(qtbot, main_window, record, notebook):
    code = notebook.beneficiaries.new_code()
    levels = ["entierement_accompagne", "partiellement_autonome", None, "autonome"]
    for n, level in enumerate(levels):
        record(
            date=TODAY - dt.timedelta(days=30 - n),
            followup_code=code,
            autonomy=level,
            themes=["email"] if n % 2 else ["sante", "email"],
        )
    record()  # someone else
    main_window.refresh()
    select_row(main_window, 0)  # the other person's session: no code
    assert not main_window.person_of_session_action.isEnabled()
    select_row(main_window, 1)
    assert main_window.person_of_session_action.isEnabled()
    main_window.person_of_session_action.trigger()
    assert [p.summary.code for p in visible(PersonPage)] == [code]
    visible(PersonPage)[0].close()

    qtbot.keyClick(main_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    lookup = main_window.lookup_dialog
    assert isinstance(lookup, FollowUpLookupDialog) and lookup.isVisible()
    lookup.activateWindow()
    qtbot.waitUntil(lookup.isActiveWindow)
    # A typo is caught by the check character, before anything is looked up.
    typo = code[:-1] + ("A" if code[-1] != "A" else "C")
    qtbot.keyClicks(lookup.code_edit, typo.lower())
    assert lookup.code_edit.text() == typo  # upper-cased while typing
    popup = lookup.code_edit.completer().popup()
    if popup.isVisible():  # the known code is suggested: the mediator ignores it
        qtbot.keyClick(popup, Qt.Key.Key_Escape)
    qtbot.keyClick(lookup.code_edit, Qt.Key.Key_Return)
    assert lookup.isVisible() and lookup.error_label.isVisible()
    assert "faute de frappe" in lookup.error_label.text()
    # A valid code nobody has: said so.
    other = notebook.beneficiaries.new_code()
    lookup.code_edit.setText(other)
    qtbot.keyClick(lookup.code_edit, Qt.Key.Key_Return)
    assert lookup.isVisible() and other in lookup.error_label.text()

    lookup.code_edit.setText(code.replace("-", "").lower())
    qtbot.keyClick(lookup.code_edit, Qt.Key.Key_Return)
    pages = visible(PersonPage)
    assert len(pages) == 1
    page = pages[0]
    assert page.summary.code == code
    assert page.sessions_table.rowCount() == 4
    assert "3" in page.status_text()  # already supported, 3 sessions before the last
    assert [level for _, level in page.autonomy_chart.points] == [1, 2, 3]
    assert page.theme_bars.items[0] == ("E-mail", 4)
    assert page.theme_bars.items[1] == ("Santé", 2)
    page.grab()  # the painted charts render

    # Opening a session from the person's page.
    page.sessions_table.setCurrentCell(0, 0)
    item = page.sessions_table.item(0, 0)
    page.sessions_table.itemActivated.emit(item)
    assert main_window.form is not None
    main_window.form.reject()


def test_new_person_page_says_new(qtbot, main_window, record, notebook):
    code = notebook.beneficiaries.new_code()
    record(followup_code=code)
    page = main_window.open_person_page(code)
    assert page is not None
    assert page.status_text() == page.tr("New: first session")
    assert page.autonomy_chart.points == []
    page.grab()


def test_status_bar_counts_and_pending_changes(qtbot, main_window, record):
    record()
    record()
    main_window.refresh()
    main_window._on_count_changed(main_window.sessions_view.model.rowCount())
    assert main_window.count_label.text().startswith("2")
    pending = pending_changes(main_window.notebook)
    assert pending >= 4  # two venues and two sessions wait for the hub
    assert str(pending) in main_window.pending_label.text()


def test_about_shows_version_and_folders(qtbot, main_window, app_context):
    from app import __version__

    main_window.about_action.trigger()
    box = main_window.message_box
    assert box is not None and box.isVisible()
    assert __version__ in box.text()
    assert str(app_context.data_dir) in box.informativeText()
    assert str(app_context.log_file.parent) in box.informativeText()


@pytest.mark.qt_no_exception_capture
def test_unexpected_error_shows_a_dialog_and_carnet_keeps_running(qtbot, main_window, app_context):
    reporter = ErrorReporter(app_context.log_file)
    reporter.install()
    handler = logging.FileHandler(app_context.log_file, encoding="utf-8")
    logging.getLogger().addHandler(handler)
    try:
        typed = "texte saisi par la " + "médiatrice"

        def broken_slot() -> None:
            raise RuntimeError(typed)

        with qtbot.waitSignal(reporter.sig_reported) as reported:
            QTimer.singleShot(0, broken_slot)
        assert reported.args == ["RuntimeError"]
        boxes = message_boxes()
        assert len(boxes) == 1 and boxes[0] is reporter.dialog
        assert str(app_context.log_file) in boxes[0].informativeText()
        handler.flush()
        log_text = app_context.log_file.read_text(encoding="utf-8")
        assert "RuntimeError" in log_text and "broken_slot" in log_text
        assert "médiatrice" not in log_text  # the message may hold what was typed
        # A burst of errors: still one dialog.
        with qtbot.waitSignal(reporter.sig_reported):
            QTimer.singleShot(0, broken_slot)
        assert len(message_boxes()) == 1
        # Carnet still works.
        assert main_window.isVisible()
        main_window.refresh()
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
        reporter.uninstall()


def test_draft_of_a_since_deleted_session_survives_an_unchanged_close(main_window, record, qtbot):
    nb = main_window.notebook
    target = record(notes="avant")
    edited = nb.sessions.get(target)
    edited.notes = "modifiée puis perdue"
    nb.drafts.save(key_for(target), edited)
    nb.sessions.delete(target)

    box = main_window.offer_drafts()
    assert box is not None
    resume = next(b for b in box.buttons() if b.text() == box.defaultButton().text())
    resume.click()
    qtbot.waitUntil(lambda: main_window.form is not None and main_window.form.isVisible())
    form = main_window.form
    assert form.current_input().notes == "modifiée puis perdue"
    form.reject()  # closed without any change
    kept = nb.drafts.load(NEW_SESSION_KEY)
    assert isinstance(kept, SessionInput) and kept.notes == "modifiée puis perdue"
    assert nb.drafts.load(key_for(target)) is None


def test_the_count_waits_for_the_whole_list(qtbot, notebook, app_context, venues):
    from app.ui.main_window import MainWindow
    from app.ui.sessions_view import FIRST_IDS
    from tests.ui.test_sessions_view import bulk_insert

    bulk_insert(notebook, venues["lille"], FIRST_IDS + 10)
    profile = app_context.registry.create("Camille")
    window = MainWindow(notebook, profile.id, app_context)
    qtbot.addWidget(window)
    # The first rows are there; the other ids are read once the window has been painted.
    assert window.sessions_view.model.rowCount() == FIRST_IDS
    assert window.count_label.text() == ""
    window.show()
    qtbot.waitUntil(lambda: window.sessions_view.model.complete, timeout=10_000)
    assert window.count_label.text() == f"{FIRST_IDS + 10} session(s)"
