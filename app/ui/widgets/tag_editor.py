"""Free labels (étiquettes) with completion from the labels already used.

Enter, a comma or a semicolon adds the label typed; a click on a label or Backspace in the empty
field removes one. Text still in the field when the form is saved counts as a label: nothing
typed is lost.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCompleter, QLineEdit, QToolButton, QWidget

from app.ui.widgets import style
from app.ui.widgets.flow_layout import FlowWidget

MAX_TAG_LENGTH = 80


class _TagLineEdit(QLineEdit):
    sig_backspace_on_empty = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Backspace and not self.text():
            self.sig_backspace_on_empty.emit()
            return
        super().keyPressEvent(event)


class TagEditor(FlowWidget):
    sig_changed = Signal()

    def __init__(self, known: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent, spacing=6)
        self._tags: list[str] = []
        self._buttons: list[QToolButton] = []
        self.edit = _TagLineEdit(self)
        self.edit.setObjectName("tag_input")
        self.edit.setMaxLength(MAX_TAG_LENGTH)
        self.edit.setPlaceholderText(self.tr("Add a tag, then Enter"))
        self.edit.setToolTip(
            self.tr("Free labels, e.g. a funder's programme (Pass numérique); Enter adds one")
        )
        self.edit.setMinimumWidth(260)
        # The completer is driven by hand (not QLineEdit.setCompleter) so that picking a
        # suggestion adds exactly that label, whatever order Qt sends Return and the pick in.
        self.completer = QCompleter(known, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setWidget(self.edit)
        self.flow.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.edit.returnPressed.connect(self._commit_text)
        self.edit.textEdited.connect(self._on_text_edited)
        self.edit.sig_backspace_on_empty.connect(self._remove_last)
        self.completer.activated[str].connect(self._on_completion)  # type: ignore[index]

    def value(self) -> list[str]:
        pending = self.edit.text().strip()
        tags = list(self._tags)
        if pending and pending.casefold() not in {t.casefold() for t in tags}:
            tags.append(pending)
        return tags

    def set_value(self, tags: list[str]) -> None:
        for button in self._buttons:
            self.flow.removeWidget(button)
            button.deleteLater()
        self._buttons = []
        self._tags = []
        self.edit.clear()
        for tag in tags:
            self._add(tag)

    # ---- behaviour ------------------------------------------------------------------------
    def _on_text_edited(self, text: str) -> None:
        if text and text[-1] in ",;":
            self.edit.setText(text[:-1])
            self._commit_text()
            return
        self._suggest(text)
        self.sig_changed.emit()

    def _suggest(self, text: str) -> None:
        popup = self.completer.popup()
        if not text.strip():
            if popup is not None:
                popup.hide()
            return
        self.completer.setCompletionPrefix(text.strip())
        if self.completer.completionCount():
            self.completer.complete()
        elif popup is not None:
            popup.hide()

    def _on_completion(self, text: str) -> None:
        self.edit.clear()
        if self._add(text):
            self.sig_changed.emit()

    def _commit_text(self) -> None:
        popup = self.completer.popup()
        if popup is not None:
            if popup.isVisible() and popup.currentIndex().isValid():
                return  # Enter on a suggestion: _on_completion adds it
            popup.hide()
        text = " ".join(self.edit.text().split())
        self.edit.clear()
        if text and self._add(text):
            self.sig_changed.emit()

    def _add(self, tag: str) -> bool:
        if tag.casefold() in {t.casefold() for t in self._tags}:
            return False
        self._tags.append(tag)
        button = QToolButton(self)
        button.setText(f"{tag}  ✕")
        button.setToolTip(self.tr("Remove the tag « %1 »").replace("%1", tag))
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        button.setMinimumSize(QSize(0, 30))
        button.setStyleSheet(
            f"QToolButton {{ background: {style.ACCENT_SOFT}; color: {style.ACCENT_TEXT};"
            f" border: 1px solid {style.ACCENT}; border-radius: 14px; padding: 3px 10px; }}"
            f"QToolButton:hover {{ background: {style.SURFACE_HOVER}; }}"
        )
        button.clicked.connect(lambda _c=False, t=tag: self._remove(t))
        self.flow.insert_widget(len(self._buttons), button)
        self._buttons.append(button)
        self._fit_height()
        return True

    def _remove(self, tag: str) -> None:
        index = self._tags.index(tag)
        self._tags.pop(index)
        button = self._buttons.pop(index)
        self.flow.removeWidget(button)
        button.deleteLater()
        self._fit_height()
        self.edit.setFocus()
        self.sig_changed.emit()

    def _remove_last(self) -> None:
        if self._tags:
            self._remove(self._tags[-1])

    def tags_shown(self) -> list[str]:
        return list(self._tags)
