"""Duration: preset buttons ordered by use, plus a custom duration in hours and minutes."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from app.models import referentiels as ref
from app.ui.formatting import format_duration
from app.ui.widgets.chips import ChipGroup

CUSTOM = "autre"
MAX_BUTTONS = 7


def preset_order(ranking: list[int]) -> list[int]:
    """National presets, the most used first; a custom duration used among the top three
    gets its own button too (a mediator who always does 40 min sees "40 min")."""
    top_custom = [
        d
        for d in ranking[:3]
        if d not in ref.DURATION_PRESETS and 1 <= d <= ref.DURATION_MAX_MINUTES
    ]
    used = [d for d in ranking if d in ref.DURATION_PRESETS or d in top_custom]
    rest = [d for d in ref.DURATION_PRESETS if d not in used]
    return (used + rest)[:MAX_BUTTONS]


class DurationPicker(QWidget):
    sig_changed = Signal()

    def __init__(self, ranking: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presets = preset_order(ranking)
        items = [(str(m), format_duration(m)) for m in self._presets]
        items.append((CUSTOM, self.tr("Other duration…")))
        self.presets = ChipGroup(items, single=True, required=True)
        self.presets.setObjectName("duration_presets")
        self.hours = QSpinBox()
        self.hours.setObjectName("duration_hours")
        self.hours.setRange(0, 23)
        self.hours.setSuffix(" h")
        self.minutes = QSpinBox()
        self.minutes.setObjectName("duration_minutes")
        self.minutes.setRange(0, 59)
        self.minutes.setSuffix(" min")
        self.minutes.setSingleStep(5)
        for spin in (self.hours, self.minutes):
            spin.setAccelerated(True)
            spin.setMinimumWidth(90)
        self.custom_box = QWidget()
        custom_layout = QHBoxLayout(self.custom_box)
        custom_layout.setContentsMargins(0, 0, 0, 0)
        custom_layout.addWidget(self.hours)
        custom_layout.addWidget(self.minutes)
        hint = QLabel(self.tr("from 1 min to 23 h 59"))
        hint.setObjectName("hint")
        custom_layout.addWidget(hint)
        custom_layout.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.presets)
        layout.addWidget(self.custom_box)
        self.presets.sig_changed.connect(self._on_preset)
        self.hours.valueChanged.connect(self._on_custom)
        self.minutes.valueChanged.connect(self._on_custom)
        self.set_value(30)

    def value(self) -> int:
        code = self.presets.current()
        if code and code != CUSTOM:
            return int(code)
        return self.hours.value() * 60 + self.minutes.value()

    def set_value(self, minutes: int) -> None:
        self._set_custom_silently(minutes)
        self.presets.set_current(str(minutes) if minutes in self._presets else CUSTOM)
        self.custom_box.setVisible(self.presets.current() == CUSTOM)

    def focus_custom(self) -> None:
        (self.hours if self.custom_box.isVisible() else self.presets).setFocus()

    def _set_custom_silently(self, minutes: int) -> None:
        for spin, value in ((self.hours, minutes // 60), (self.minutes, minutes % 60)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)

    def _on_preset(self) -> None:
        code = self.presets.current()
        custom = code == CUSTOM
        self.custom_box.setVisible(custom)
        if custom:
            self.hours.setFocus()
        elif code:
            # "Autre durée" then starts from the last preset chosen.
            self._set_custom_silently(int(code))
        self.sig_changed.emit()

    def _on_custom(self) -> None:
        self.sig_changed.emit()
