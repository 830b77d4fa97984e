"""A typical repeat session takes at most 6 keystrokes or clicks from the main window to saved.

Every key press and mouse click goes through qtbot to the widget that would receive it (the
focused widget for keys), and is counted; nothing is set behind the form's back.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.services.sessions import SessionFilter, SessionInput

MAX_INPUTS = 6
pytestmark = pytest.mark.usefixtures("close_leftover_windows")


class CountedInputs:
    """Sends real input events and counts them (a key with its modifiers counts as one)."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.count = 0

    def key(self, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        target = QApplication.focusWidget() or QApplication.activeWindow()
        assert target is not None, "no widget has the keyboard focus"
        self.qtbot.keyClick(target, key, modifier)
        self.count += 1

    def click(self, widget: QWidget) -> None:
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        self.count += 1


def yesterday_sessions(notebook, venue_id: str) -> None:
    """Yesterday's work: the same venue and duration each time, e-mail the most used theme."""
    day = dt.date.today() - dt.timedelta(days=1)
    for themes in (["email"], ["email", "sante"], ["navigation_sur_internet"], ["email"]):
        notebook.sessions.record(
            SessionInput(date=day, venue_id=venue_id, themes=themes, duration_min=45)
        )


def activate(qtbot, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def wait_for_form(qtbot, main_window):
    qtbot.waitUntil(lambda: main_window.form is not None and main_window.form.isVisible())
    form = main_window.form
    activate(qtbot, form)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.themes.main.chips()[0])
    return form


def saved_today(notebook) -> list[SessionInput]:
    ids = notebook.sessions.list_ids(SessionFilter(date_from=dt.date.today()))
    return [notebook.sessions.get(i) for i in ids]


def test_repeat_session_from_the_keyboard(qtbot, main_window, notebook, venues):
    yesterday_sessions(notebook, venues["lille"])
    main_window.refresh()
    activate(qtbot, main_window)
    inputs = CountedInputs(qtbot)

    inputs.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # new session
    form = wait_for_form(qtbot, main_window)
    inputs.key(Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # the most used theme
    with qtbot.waitSignal(form.sig_saved):
        inputs.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # save

    assert inputs.count == 3 <= MAX_INPUTS
    [got] = saved_today(notebook)
    assert (got.themes, got.venue_id, got.duration_min) == (["email"], venues["lille"], 45)
    # The saved row is in the list, selected, and the list has the focus again.
    qtbot.waitUntil(lambda: main_window.form is None)
    view = main_window.sessions_view
    assert view.model.rowCount() == 5
    assert view.current_id() == notebook.sessions.list_ids(SessionFilter())[0]


def test_repeat_session_with_two_themes_and_another_duration(qtbot, main_window, notebook, venues):
    yesterday_sessions(notebook, venues["lille"])
    main_window.refresh()
    activate(qtbot, main_window)
    inputs = CountedInputs(qtbot)

    inputs.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = wait_for_form(qtbot, main_window)
    top_two = {chip.code for chip in form.themes.main.chips()[:2]}
    inputs.key(Qt.Key.Key_1)  # the focus is on the themes: digits tick them
    inputs.key(Qt.Key.Key_2)
    inputs.click(form.duration.presets.chip("60"))
    with qtbot.waitSignal(form.sig_saved):
        inputs.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert inputs.count == 5 <= MAX_INPUTS
    [got] = saved_today(notebook)
    assert got.duration_min == 60 and set(got.themes) == top_two and "email" in top_two


def test_repeat_session_with_the_mouse(qtbot, main_window, notebook, venues):
    yesterday_sessions(notebook, venues["lille"])
    main_window.refresh()
    activate(qtbot, main_window)
    inputs = CountedInputs(qtbot)

    inputs.click(main_window.toolbar.widgetForAction(main_window.new_action))
    form = wait_for_form(qtbot, main_window)
    inputs.click(form.themes.main.chips()[0])
    with qtbot.waitSignal(form.sig_saved):
        inputs.click(form.save_button)

    assert inputs.count == 3 <= MAX_INPUTS
    assert [s.themes for s in saved_today(notebook)] == [["email"]]
