"""Local style sheets of the sync windows: notices, warnings and errors in frames."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

SYNC_STYLE = (
    "QLabel#enrolError, QLabel#syncProblem { color: #8a1c12; background: #fdecea;"
    " border: 1px solid #f3b8b1; border-radius: 6px; padding: 8px; }"
    'QLabel#keyringNotice[warning="true"], QLabel#clockWarning { color: #6b4a00;'
    " background: #fff6e0; border: 1px solid #f0d28c; border-radius: 6px; padding: 8px; }"
    "QLabel#keyringNotice { color: #5b6774; }"
    "QWidget#issuesBox { background: transparent; }"
)


def show_notice(label: QLabel, text: str, warning: bool) -> None:
    """Set a notice's text, framed as a warning or not (the style follows the property)."""
    label.setText(text)
    label.setProperty("warning", warning)
    label.style().unpolish(label)
    label.style().polish(label)
