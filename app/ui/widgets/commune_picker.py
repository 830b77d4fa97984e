"""Pick a commune offline, by name (accents optional) or postal code.

The list of suggestions opens while typing; Enter or a click picks one. Typing again after a
pick clears the choice until a commune is picked again, so the form never saves a commune that
does not match the text shown.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QStringListModel, Signal
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.models.communes import Commune, CommuneIndex, label, matching_postal_code, normalize
from app.ui.widgets import style

SUGGESTIONS = 12


class CommunePicker(QWidget):
    sig_changed = Signal()

    def __init__(self, communes: CommuneIndex, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._communes = communes
        self._results: list[tuple[Commune, str | None]] = []
        self._insee: str | None = None
        self._name: str | None = None
        self._postal: str | None = None

        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(self.tr("Commune name or postal code"))
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(280)
        self.status = QLabel(self)
        self.status.setStyleSheet(style.HINT_LABEL_QSS)
        self._model = QStringListModel(self)
        self.completer = QCompleter(self._model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(SUGGESTIONS)
        self.completer.setWidget(self.edit)
        self.completer.activated[QModelIndex].connect(self._on_activated)  # type: ignore[index]

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.status)
        self.setFocusProxy(self.edit)
        self.edit.textEdited.connect(self._on_text_edited)
        self.edit.returnPressed.connect(self._on_return)
        self.edit.editingFinished.connect(self._on_editing_finished)

    # ---- value ----------------------------------------------------------------------------
    def value(self) -> tuple[str | None, str | None, str | None]:
        """(INSEE code, name, postal code) of the picked commune, or Nones."""
        return self._insee, self._name, self._postal

    def set_value(self, insee: str | None, name: str | None, postal: str | None = None) -> None:
        self._insee, self._name, self._postal = insee, name, postal
        if insee and name:
            self.edit.setText(f"{name} ({postal})" if postal else name)
        else:
            self.edit.clear()
        self._show_status()

    def suggestions(self) -> list[str]:
        return self._model.stringList()

    # ---- behaviour ------------------------------------------------------------------------
    def _on_text_edited(self, text: str) -> None:
        had_value = self._insee is not None
        self._insee = self._name = self._postal = None
        self._results = [(c, matching_postal_code(c, text)) for c in self._search(text)]
        self._model.setStringList([self._suggestion(c, postal) for c, postal in self._results])
        if self._results:
            self.completer.complete()
        else:
            popup = self.completer.popup()
            if popup is not None:
                popup.hide()
        self._show_status()
        if had_value:
            self.sig_changed.emit()

    def _search(self, text: str) -> list[Commune]:
        query = text.strip()
        if not query:
            return []
        found = self._communes.search(query, SUGGESTIONS)
        if query.isdigit() and len(query) == 5:
            # Mediators type postal codes, not INSEE codes: "59100" is Roubaix first, before
            # Bousignies whose INSEE code happens to be 59100.
            found.sort(key=lambda c: query not in c.postal_codes)
        return found

    def _suggestion(self, commune: Commune, postal: str | None) -> str:
        where = f" · {commune.departement}"
        return label(commune, postal) + where

    def _on_activated(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self._results):
            self._pick(*self._results[index.row()])

    def _on_return(self) -> None:
        if self._insee is None and self._results:
            popup = self.completer.popup()
            row = max(popup.currentIndex().row(), 0) if popup is not None else 0
            self._pick(*self._results[row])

    def _on_editing_finished(self) -> None:
        # Leaving the field after typing a whole name picks that commune when it is the
        # best match, so "Roubaix" + Tab needs no extra step.
        if self._insee is None and self._results:
            best, postal = self._results[0]
            if normalize(best.name) == normalize(self.edit.text()):
                self._pick(best, postal)

    def _pick(self, commune: Commune, postal: str | None) -> None:
        postal = postal or (commune.postal_codes[0] if commune.postal_codes else None)
        self._insee, self._name, self._postal = commune.insee, commune.name, postal
        self.edit.setText(label(commune, postal))
        popup = self.completer.popup()
        if popup is not None:
            popup.hide()
        self._results = []
        self._show_status()
        self.sig_changed.emit()

    def _show_status(self) -> None:
        if self._insee:
            self.status.setText("✓")
            self.status.setToolTip(self.tr("INSEE code %1").replace("%1", self._insee))
            self.status.setStyleSheet(f"color: {style.SUCCESS}; font-weight: 700;")
        elif self.edit.text().strip():
            self.status.setText(self.tr("choose from the list"))
            self.status.setToolTip("")
            self.status.setStyleSheet(style.HINT_LABEL_QSS)
        else:
            self.status.setText("")
