"""Hooks into the main window: a "Training" menu and toolbar button opening the Parcours window.

The shell calls ``install_training(window)`` once its menus and toolbar exist, and
``install_training_section(page, notebook)`` (person_section.py) for each person page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore  # QtCore.Qt once the window is shown (see set_enum_property)
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from app.services.notebook import Notebook
from app.ui.icons import icon

if TYPE_CHECKING:
    # Imported when the window first opens: its modules (and the PDF library behind the
    # certificate) would otherwise weigh on start-up, since the menu is installed at once.
    from app.ui.training.window import TrainingWindow


def open_training_window(
    window: QMainWindow, notebook: Notebook, tab: str = "catalogue"
) -> TrainingWindow:
    """Show the window (one per main window), on the given tab."""
    existing = getattr(window, "training_window", None)
    if existing is None:
        from app.ui.training.window import TrainingWindow

        existing = TrainingWindow(notebook, window)
        existing.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        existing.destroyed.connect(lambda: setattr(window, "training_window", None))
        window.training_window = existing  # type: ignore[attr-defined]
    existing.show_tab(tab)
    existing.show()
    existing.raise_()
    existing.activateWindow()
    return existing


def install_training(window: QMainWindow) -> QAction:
    """Add the menu and the toolbar button to a MainWindow (which has ``notebook``); a window
    that already has them keeps them."""
    existing = getattr(window, "training_action", None)
    if isinstance(existing, QAction):
        return existing
    notebook: Notebook = window.notebook  # type: ignore[attr-defined]
    action = QAction(
        icon("path"), QCoreApplication.translate("TrainingShell", "Training paths…"), window
    )
    action.setObjectName("trainingAction")
    action.setShortcuts([QKeySequence("Ctrl+T")])  # not setShortcut: see set_enum_property
    tip = QCoreApplication.translate(
        "TrainingShell", "Catalogue of paths, your own training, workshop groups (Ctrl+T)"
    )
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(lambda: open_training_window(window, notebook))
    mine = QAction(QCoreApplication.translate("TrainingShell", "My training"), window)
    mine.triggered.connect(lambda: open_training_window(window, notebook, "mine"))
    groups = QAction(QCoreApplication.translate("TrainingShell", "Workshop groups"), window)
    groups.triggered.connect(lambda: open_training_window(window, notebook, "groups"))
    menu = window.menuBar().addMenu(QCoreApplication.translate("TrainingShell", "&Training"))
    menu.addAction(action)
    menu.addAction(mine)
    menu.addAction(groups)
    profile_menu = getattr(window, "profile_menu", None)
    if profile_menu is not None:  # keep Profile and Help last
        window.menuBar().insertMenu(profile_menu.menuAction(), menu)
    toolbar = getattr(window, "toolbar", None)
    person_action = getattr(window, "person_action", None)
    if toolbar is not None:
        actions = toolbar.actions()
        after = actions.index(person_action) + 1 if person_action in actions else len(actions)
        if after < len(actions):
            toolbar.insertAction(actions[after], action)
        else:
            toolbar.addAction(action)
    window.training_action = action  # type: ignore[attr-defined]
    return action
