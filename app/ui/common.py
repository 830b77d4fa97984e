"""Small widget helpers shared by the windows and dialogs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView, QLabel, QWidget

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


class _AfterFirstPaint(QObject):
    def __init__(self, widget: QWidget, callback: Callable[[], object]) -> None:
        super().__init__(widget)
        self._callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # Once the paint pass is over (children paint after their parent).
            QTimer.singleShot(0, self._callback)
            self.deleteLater()
        return False


def after_first_paint(widget: QWidget, callback: Callable[[], object]) -> None:
    """Call ``callback`` once ``widget`` has been painted for the first time: the start-up reads
    of background threads then do not compete with the first paint for the processor and the
    interpreter."""
    _AfterFirstPaint(widget, callback)


def set_enum_property(obj: QObject, name: str, keys: str) -> None:
    """Set a Qt property of an enum or flags type by its keys' names (``"AlignCenter"``,
    ``"AlignLeft|AlignVCenter"``), as Designer and style sheets do.

    For what is built before the main window's first paint: the first enum of Python's ``Qt``
    namespace builds all 93 of its enum types (20 to 45 ms), which Carnet leaves until the
    window is shown (app.ui.application); Qt's meta-object system reads the names itself."""
    # Checked first: Qt would add an unknown name as a new dynamic property.
    if obj.metaObject().indexOfProperty(name) < 0 or not obj.setProperty(name, keys):
        raise ValueError(f"{type(obj).__name__}.{name} cannot be set to {keys!r}")
