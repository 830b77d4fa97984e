"""The "Statistics" menu of the main window. Light on purpose: the statistics window, its
services and their imports load when the menu is used, not at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu
from shiboken6 import isValid

from app.services.notebook import Notebook

if TYPE_CHECKING:
    from app.ui.stats_view import StatsView


def install_stats_menu(window: QMainWindow, notebook: Notebook) -> QAction:
    """Add the "Statistics" menu to the main window; returns its "My statistics" action.

    The window keeps the open statistics window in ``window.stats_window`` (one at a time)."""
    bar = window.menuBar()
    menu = QMenu(QCoreApplication.translate("StatsView", "S&tatistics"), bar)
    menus = bar.actions()
    if menus:  # before the last menu (Help)
        bar.insertMenu(menus[-1], menu)
    else:
        bar.addMenu(menu)
    action = menu.addAction(QCoreApplication.translate("StatsView", "My statistics…"))
    action.setShortcuts([QKeySequence("Ctrl+Shift+S")])  # not setShortcut: see set_enum_property

    def open_window() -> None:
        current = stats_window_of(window)
        if current is not None and current.isVisible():
            current.raise_()
            current.activateWindow()
            return
        from app.services.exports import ExportService
        from app.services.stats import StatsService
        from app.ui.stats_view import open_stats_window

        window.stats_window = open_stats_window(  # type: ignore[attr-defined]
            window,
            StatsService(notebook.session_factory),
            ExportService(notebook.session_factory),
            notebook.reader.display_name(),
        )

    action.triggered.connect(open_window)
    return action


def stats_window_of(window: QMainWindow) -> StatsView | None:
    """The main window's statistics window, or None once closed (it is deleted on close)."""
    current = getattr(window, "stats_window", None)
    return current if current is not None and isValid(current) else None


def close_stats_window(window: QMainWindow) -> None:
    """Close the main window's statistics window if it is open: its export is cancelled and
    its workers waited for, before the notebook they read is closed."""
    current = stats_window_of(window)
    if current is not None:
        current.close()
