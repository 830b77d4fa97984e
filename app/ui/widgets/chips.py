"""Chips: large checkable buttons laid out in a flow, used for every list of national codes.

A ``ChipGroup`` is one stop in the Tab order (roving focus): the arrow keys move between its
chips, Space or Enter toggles, and when the group is numbered the keys 1 to 9 toggle the first
nine chips directly.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QFont, QFontMetrics, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import QAbstractButton, QWidget

from app.ui.widgets import style
from app.ui.widgets.flow_layout import FlowWidget

_PAD_X = 14
_BADGE = 20
_CHECK = "✓"
_GROUP_KEYS = (
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
)


class Chip(QAbstractButton):
    """A rounded checkable button with an optional shortcut number badge."""

    def __init__(self, code: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.number: int | None = None
        self.setText(text)
        self.setCheckable(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover, True)

    def set_number(self, number: int | None) -> None:
        self.number = number
        self.updateGeometry()
        self.update()

    def _label_font(self) -> QFont:
        font = QFont(self.font())
        if self.isChecked():
            font.setWeight(QFont.Weight.DemiBold)
        return font

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(bold)
        width = metrics.horizontalAdvance(f"{_CHECK} {self.text()}") + 2 * _PAD_X
        if self.number is not None:
            width += _BADGE + 6
        return QSize(width, max(style.CHIP_HEIGHT, metrics.height() + 14))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.click()
            return
        if key in _GROUP_KEYS:
            event.ignore()  # the group moves the focus (QAbstractButton would tab instead)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusInEvent(event)
        parent = self.parentWidget()
        if isinstance(parent, ChipGroup):
            parent._make_tab_stop(self)

    def paintEvent(self, _event: object) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        radius = rect.height() / 2
        checked = self.isChecked()
        enabled = self.isEnabled()
        hover = self.underMouse() and enabled
        if checked:
            fill, border, text = style.ACCENT_SOFT, style.ACCENT, style.ACCENT_TEXT
        else:
            fill = style.SURFACE_HOVER if hover else style.SURFACE
            border = style.BORDER_HOVER if hover else style.BORDER
            text = style.TEXT
        if not enabled:
            fill, border, text = style.PAGE, style.BORDER, style.TEXT_MUTED
        painter.setBrush(QColor(fill))
        painter.setPen(QPen(QColor(border), 2 if checked else 1))
        painter.drawRoundedRect(rect, radius, radius)
        if self.hasFocus():
            ring = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(style.ACCENT), 2, Qt.PenStyle.DotLine))
            painter.drawRoundedRect(ring, ring.height() / 2, ring.height() / 2)
        x = rect.left() + _PAD_X - 2
        if self.number is not None:
            badge = QRectF(x, rect.center().y() - _BADGE / 2, _BADGE, _BADGE)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(style.ACCENT if checked else "#e6eaf0"))
            painter.drawEllipse(badge)
            small = QFont(self.font())
            small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
            small.setWeight(QFont.Weight.DemiBold)
            painter.setFont(small)
            painter.setPen(QColor("#ffffff" if checked else style.TEXT_MUTED))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(self.number))
            x += _BADGE + 6
        painter.setFont(self._label_font())
        painter.setPen(QColor(text))
        label = f"{_CHECK} {self.text()}" if checked else self.text()
        text_rect = QRectF(x, rect.top(), rect.right() - x - _PAD_X + 4, rect.height())
        painter.drawText(
            text_rect,
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignHCenter),
            label,
        )


class ChipGroup(FlowWidget):
    """Chips for a list of codes, in ``multi`` or ``single`` choice mode.

    ``required`` (single mode) keeps one chip checked; ``exclusive`` codes (multi mode) uncheck
    the others when checked, and are unchecked when another chip is (e.g. "Pas de matériel").
    Programmatic changes do not emit ``sig_changed``; user clicks and keys do.
    """

    sig_changed = Signal()

    def __init__(
        self,
        items: list[tuple[str, str]],
        *,
        single: bool = False,
        required: bool = False,
        exclusive: tuple[str, ...] = (),
        numbered: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, spacing=8)
        self._single = single
        self._required = required
        self._exclusive = exclusive
        self._numbered = numbered
        self._chips: list[Chip] = []
        self.set_items(items)

    # ---- items ----------------------------------------------------------------------------
    def set_items(self, items: list[tuple[str, str]]) -> None:
        checked = self.value()
        for chip in self._chips:
            self.flow.removeWidget(chip)
            chip.deleteLater()
        self._chips = []
        previous: QWidget | None = None
        for code, text in items:
            chip = Chip(code, text, self)
            chip.clicked.connect(lambda _checked=False, c=chip: self._on_clicked(c))
            self.flow.addWidget(chip)
            if previous is not None:
                QWidget.setTabOrder(previous, chip)
            previous = chip
            self._chips.append(chip)
        self._renumber()
        self.set_value(checked)

    def codes(self) -> list[str]:
        return [c.code for c in self._chips]

    def chip(self, code: str) -> Chip:
        for chip in self._chips:
            if chip.code == code:
                return chip
        raise KeyError(code)

    def chips(self) -> list[Chip]:
        return list(self._chips)

    def visible_chips(self) -> list[Chip]:
        return [c for c in self._chips if not c.isHidden()]

    def set_code_visible(self, code: str, visible: bool) -> None:
        self.chip(code).setVisible(visible)
        self._renumber()
        self.flow.invalidate()
        self._fit_height()

    def _renumber(self) -> None:
        number = 1
        for chip in self._chips:
            if self._numbered and not chip.isHidden() and number <= 9:
                chip.set_number(number)
                chip.setToolTip(self.tr("Shortcut: Alt+%1").replace("%1", str(number)))
                number += 1
            elif chip.number is not None:
                chip.set_number(None)
                chip.setToolTip("")
        self._make_tab_stop(self._preferred_tab_stop())

    # ---- value ----------------------------------------------------------------------------
    def value(self) -> list[str]:
        return [c.code for c in self._chips if c.isChecked()]

    def set_value(self, codes: list[str] | tuple[str, ...]) -> None:
        for chip in self._chips:
            chip.setChecked(chip.code in codes)
        self._make_tab_stop(self._preferred_tab_stop())

    def current(self) -> str | None:
        values = self.value()
        return values[0] if values else None

    def set_current(self, code: str | None) -> None:
        self.set_value([code] if code else [])

    # ---- behaviour ------------------------------------------------------------------------
    def toggle_number(self, number: int) -> bool:
        """Toggle the chip showing ``number`` (1-9); False when there is none."""
        for chip in self._chips:
            if chip.number == number and chip.isEnabled() and not chip.isHidden():
                chip.click()
                return True
        return False

    def _on_clicked(self, chip: Chip) -> None:
        if self._single:
            if chip.isChecked():
                for other in self._chips:
                    if other is not chip:
                        other.setChecked(False)
            elif self._required:
                chip.setChecked(True)
                return
        elif chip.isChecked():
            for other in self._chips:
                if other is chip:
                    continue
                if chip.code in self._exclusive or other.code in self._exclusive:
                    other.setChecked(False)
        self._make_tab_stop(chip)
        self.sig_changed.emit()

    def _preferred_tab_stop(self) -> Chip | None:
        visible = self.visible_chips()
        for chip in visible:
            if chip.isChecked():
                return chip
        return visible[0] if visible else None

    def _make_tab_stop(self, stop: Chip | None) -> None:
        for chip in self._chips:
            chip.setFocusPolicy(
                Qt.FocusPolicy.StrongFocus if chip is stop else Qt.FocusPolicy.ClickFocus
            )

    def focus_first(self) -> None:
        stop = self._preferred_tab_stop()
        if stop is not None:
            stop.setFocus(Qt.FocusReason.OtherFocusReason)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt API)
        # A label's mnemonic (Alt+letter) gives the group itself the focus: pass it on.
        super().focusInEvent(event)
        self.focus_first()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        visible = [c for c in self.visible_chips() if c.isEnabled()]
        focused = next((c for c in visible if c.hasFocus()), None)
        key = event.key()
        digit = Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and not event.modifiers()
        if self._numbered and digit and self.toggle_number(int(key) - int(Qt.Key.Key_0)):
            return
        if focused is not None and visible:
            index = visible.index(focused)
            target: Chip | None = None
            if key == Qt.Key.Key_Right:
                target = visible[min(index + 1, len(visible) - 1)]
            elif key == Qt.Key.Key_Left:
                target = visible[max(index - 1, 0)]
            elif key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                target = self._vertical_neighbour(visible, focused, key == Qt.Key.Key_Down)
            elif key == Qt.Key.Key_Home:
                target = visible[0]
            elif key == Qt.Key.Key_End:
                target = visible[-1]
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        super().keyPressEvent(event)

    @staticmethod
    def _vertical_neighbour(visible: list[Chip], chip: Chip, down: bool) -> Chip:
        y = chip.geometry().center().y()
        x = chip.geometry().center().x()
        rows = [
            c
            for c in visible
            if (c.geometry().center().y() > y if down else c.geometry().center().y() < y)
        ]
        if not rows:
            return chip
        row_y = (min if down else max)(c.geometry().center().y() for c in rows)
        row = [c for c in rows if c.geometry().center().y() == row_y]
        return min(row, key=lambda c: abs(c.geometry().center().x() - x))
