"""Finding the windows a test drives."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget


def message_boxes() -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


def visible(kind: type[QWidget]) -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
