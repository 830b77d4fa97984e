"""Workshop counters: how many participants per gender, age bracket and status.

They stay counters (the national tool's way): nobody gets per-person attributes. Whatever is
not counted is "non communiqué", shown live for each group.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from app.models import referentiels as ref
from app.ui.widgets import style

# Group key in SessionInput.counters → codes counted (non_communique is what is left over).
GROUPS: dict[str, dict[str, str]] = {
    "genre": {k: v for k, v in ref.GENRES.items() if k != ref.NON_COMMUNIQUE},
    "age": {k: v for k, v in ref.TRANCHES_AGE.items() if k != ref.NON_COMMUNIQUE},
    "statut": {k: v for k, v in ref.STATUTS.items() if k != ref.NON_COMMUNIQUE},
}
MAX_COUNT = 999


class CountersEditor(QWidget):
    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._total = 0
        self.spins: dict[str, dict[str, QSpinBox]] = {}
        self._rest: dict[str, QLabel] = {}
        titles = {
            "genre": self.tr("Gender"),
            "age": self.tr("Age"),
            "statut": self.tr("Status"),
        }
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(24)
        for group, codes in GROUPS.items():
            column = QVBoxLayout()
            title = QLabel(titles[group])
            title.setStyleSheet(f"font-weight: 600; color: {style.TEXT};")
            column.addWidget(title)
            form = QFormLayout()
            form.setContentsMargins(0, 0, 0, 0)
            form.setVerticalSpacing(4)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.spins[group] = {}
            for code, text in codes.items():
                spin = QSpinBox()
                spin.setObjectName(f"counter_{group}_{code}")
                spin.setRange(0, MAX_COUNT)
                spin.setMinimumWidth(70)
                spin.valueChanged.connect(self._on_value_changed)
                form.addRow(text, spin)
                self.spins[group][code] = spin
            column.addLayout(form)
            rest = QLabel()
            rest.setStyleSheet(style.HINT_LABEL_QSS)
            column.addWidget(rest)
            column.addStretch(1)
            self._rest[group] = rest
            row.addLayout(column)
        row.addStretch(1)
        self._update_rest()

    def value(self) -> dict[str, dict[str, int]]:
        """Only the counts given: an empty group means everyone is "non communiqué"."""
        result: dict[str, dict[str, int]] = {}
        for group, spins in self.spins.items():
            counts = {code: spin.value() for code, spin in spins.items() if spin.value()}
            if counts:
                result[group] = counts
        return result

    def set_value(self, counters: dict[str, dict[str, int]]) -> None:
        for group, spins in self.spins.items():
            for code, spin in spins.items():
                spin.blockSignals(True)
                spin.setValue(int((counters or {}).get(group, {}).get(code, 0)))
                spin.blockSignals(False)
        self._update_rest()

    def set_total(self, participants: int) -> None:
        self._total = participants
        self._update_rest()

    def has_values(self) -> bool:
        return bool(self.value())

    def first_spin(self) -> QSpinBox:
        return next(iter(self.spins["genre"].values()))

    def _on_value_changed(self) -> None:
        self._update_rest()
        self.sig_changed.emit()

    def _update_rest(self) -> None:
        for group, spins in self.spins.items():
            rest = self._total - sum(spin.value() for spin in spins.values())
            label = self._rest[group]
            if rest < 0:
                label.setText(self.tr("%n too many", "", -rest))
                label.setStyleSheet(style.ERROR_LABEL_QSS)
            else:
                label.setText(self.tr("Not stated: %n", "", rest))
                label.setStyleSheet(style.HINT_LABEL_QSS)
