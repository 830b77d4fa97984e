"""Errors that reach the user: an unexpected error shows a dialog instead of closing Carnet, and a
storage problem shows its French message. The message box's type loads with the first of them,
not at start-up."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6 import QtCore  # QtCore.Qt only when a message shows (see set_enum_property)
from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


class ErrorReporter(QObject):
    """Installed as ``sys.excepthook``: logs the traceback, shows one dialog, keeps Carnet running.

    An error raised in a Qt slot goes through ``sys.excepthook`` and the event loop goes on, so
    the mediator can save their work and carry on."""

    sig_reported = Signal(str)  # the exception's type name

    def __init__(self, log_file: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self.dialog: QMessageBox | None = None
        self._previous: ExceptHook | None = None

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self.handle

    def uninstall(self) -> None:
        if self._previous is not None and sys.excepthook == self.handle:
            sys.excepthook = self._previous
        self._previous = None

    def handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        # Only the traceback's frames and the exception type: an exception message may quote
        # what the mediator typed, and the log never holds note text.
        frames = "".join(traceback.format_tb(tb))
        log.error("unexpected error %s\n%s", exc_type.__name__, frames)
        self.show_dialog()
        self.sig_reported.emit(exc_type.__name__)

    def show_dialog(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            return  # one dialog is enough when errors come in a burst
        from PySide6.QtWidgets import QMessageBox

        parent = QApplication.activeWindow()
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(self.tr("Unexpected error"))
        box.setText(
            self.tr(
                "An unexpected error occurred. Carnet keeps running: what you have saved is safe."
            )
        )
        box.setInformativeText(
            self.tr(
                "Details were written to the log file:\n%1\nYou can send it to your support."
            ).replace("%1", str(self.log_file))
        )
        box.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setWindowModality(QtCore.Qt.WindowModality.ApplicationModal)
        self.dialog = box
        box.open()


def storage_error_box(
    message: str, parent: QWidget | None = None, title: str | None = None
) -> QMessageBox:
    """A dialog for a StorageError: its French message, already written for the mediator."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(
        title or QCoreApplication.translate("StorageErrorBox", "Carnet cannot open your data")
    )
    box.setText(message)
    box.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box
