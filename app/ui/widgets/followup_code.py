"""The pseudonymous follow-up code of a person: type it (checked live) or create a new one.

Below the field a line says what the code means: a typo, a new person, or a person already
accompanied with the number of sessions. Never a name: the code is all the notebook knows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.services import followup_codes
from app.services.beneficiaries import BeneficiaryService
from app.ui.widgets import style


class FollowupCodeField(QWidget):
    sig_changed = Signal()

    def __init__(
        self,
        beneficiaries: BeneficiaryService,
        session_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._beneficiaries = beneficiaries
        self._session_id = session_id
        self._is_problem = False
        self.edit = QLineEdit(self)
        self.edit.setObjectName("followup_code")
        self.edit.setMaxLength(12)
        self.edit.setPlaceholderText(self.tr("e.g. KRT-4MX"))
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(self.font().pointSizeF() * 1.15)
        mono.setWeight(QFont.Weight.DemiBold)
        mono.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 1.5)
        self.edit.setFont(mono)
        self.edit.setFixedWidth(150)
        self.new_button = QPushButton(self.tr("New code"), self)
        self.new_button.setObjectName("new_code")
        self.new_button.setAutoDefault(False)
        self.new_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.new_button.setToolTip(
            self.tr("Create a code for a person met for the first time (write it on their card)")
        )
        self.status = QLabel(self)
        self.status.setObjectName("followup_status")
        self.status.setWordWrap(True)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.new_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.setFocusProxy(self.edit)

        self.edit.textEdited.connect(self._on_text_edited)
        self.edit.editingFinished.connect(self._on_editing_finished)
        self.new_button.clicked.connect(self._on_new_code)
        self._refresh(final=True)

    def value(self) -> str:
        return self.edit.text().strip()

    def set_value(self, code: str) -> None:
        self.edit.setText(code)
        self._refresh(final=True)

    def show_error(self, message: str) -> None:
        self._set_status(message, style.ERROR, bold=True)

    def status_text(self) -> str:
        return self.status.text()

    def problem_text(self) -> str:
        """The error shown under the code, "" when the code is fine or still being typed."""
        return self.status.text() if self._is_problem else ""

    # ---- behaviour ------------------------------------------------------------------------
    def _on_text_edited(self, text: str) -> None:
        upper = text.upper()
        if upper != text:
            cursor = self.edit.cursorPosition()
            self.edit.setText(upper)
            self.edit.setCursorPosition(cursor)
        self._refresh(final=False)
        self.sig_changed.emit()

    def _on_editing_finished(self) -> None:
        canonical = followup_codes.canonical(self.edit.text())
        if canonical and canonical != self.edit.text():
            self.edit.setText(canonical)
        self._refresh(final=True)

    def _on_new_code(self) -> None:
        self.edit.setText(self._beneficiaries.new_code())
        self._refresh(final=True)
        self.edit.setFocus()
        self.sig_changed.emit()

    def _refresh(self, final: bool) -> None:
        """Explain the code: while typing, only say what is already certain."""
        text = self.edit.text()
        raw = followup_codes.normalize(text)
        if not raw:
            self._set_status(
                self.tr(
                    "Optional: follows the person from one session to the next, without a name."
                ),
                style.TEXT_MUTED,
            )
            return
        problem = followup_codes.problem(text)
        impossible_char = any(ch not in followup_codes.ALPHABET for ch in raw)
        if problem and (final or impossible_char or len(raw) >= followup_codes.BODY_LENGTH + 1):
            self._set_status(problem, style.ERROR, bold=True)
            return
        if problem:
            self._set_status(self.tr("6 characters, e.g. KRT-4MX"), style.TEXT_MUTED)
            return
        count = self._beneficiaries.sessions_count(text, excluding=self._session_id)
        if count == 0:
            self._set_status(self.tr("New person"), style.SUCCESS, bold=True)
        else:
            self._set_status(
                self.tr("Already supported · %n session(s)", "", count),
                style.ACCENT_TEXT,
                bold=True,
            )

    def _set_status(self, text: str, color: str, bold: bool = False) -> None:
        self._is_problem = color == style.ERROR
        self.status.setText(text)
        weight = "600" if bold else "400"
        self.status.setStyleSheet(f"color: {color}; font-weight: {weight};")
