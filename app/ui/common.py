"""Small widget helpers shared by the windows and dialogs."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QLabel

from app.ui.widgets import style


def styled_label(text: str, object_name: str, wrap: bool = False) -> QLabel:
    """A label styled by resources/style.qss through its object name (hint, muted, title…)."""
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setWordWrap(wrap)
    return label


def error_label() -> QLabel:
    """A French validation message shown next to its field; hidden while there is none."""
    label = styled_label("", "errorLabel", wrap=True)
    label.setStyleSheet(style.ERROR_LABEL_QSS)
    label.setVisible(False)
    return label


def show_error(label: QLabel, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))


def setup_read_only_table(
    table: QAbstractItemView, selection: QAbstractItemView.SelectionMode
) -> None:
    """Whole rows, no editing, no grid, one line per row."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(selection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    if hasattr(table, "setWordWrap"):
        table.setWordWrap(False)
    if hasattr(table, "setShowGrid"):
        table.setShowGrid(False)
