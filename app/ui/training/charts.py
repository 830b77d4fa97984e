"""Charts painted with QPainter (QtCharts is not shipped): the competence levels of a person and
the strip of a path's modules."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.services.progress import CompetenceProgress, ModuleProgress
from app.ui.formatting import format_date
from app.ui.training.labels import level_text, module_status_color, module_status_label
from app.ui.widgets import style

ACCENT = QColor(style.ACCENT)
ACCENT_SOFT = QColor("#b9cdef")
MUTED = QColor(style.TEXT_MUTED)
TEXT = QColor(style.TEXT)
GRID = QColor("#e3e7ee")
TARGET = QColor("#d9822b")
LEVELS = 8


class ModuleStrip(QWidget):
    """One segment per module, coloured by status (done, started, to do), in path order."""

    def __init__(self, modules: Sequence[ModuleProgress], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.modules = [m for m in modules if m.in_catalogue]
        self.setMinimumHeight(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(
            "\n".join(
                f"{m.position}. {m.title} : {module_status_label(m.status)}"
                + (f" ({format_date(m.done_on)})" if m.done_on else "")
                for m in self.modules
            )
        )
        done = sum(1 for m in self.modules if m.status == "done")
        self.setAccessibleName(
            self.tr("%1 of %2 modules done")
            .replace("%1", str(done))
            .replace("%2", str(len(self.modules)))
        )

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(240, 14)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        if not self.modules:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        gap = 3.0
        count = len(self.modules)
        width = (self.width() - gap * (count - 1)) / count
        for i, module in enumerate(self.modules):
            painter.setBrush(module_status_color(module.status))
            painter.drawRoundedRect(QRectF(i * (width + gap), 1, width, self.height() - 2), 3, 3)


class CompetenceChart(QWidget):
    """Per competence: the scale of levels 1 to 8, the starting level (light), the level reached
    (strong), the target of the paths followed (orange mark), and on the right the level over
    time as a small step line."""

    def __init__(
        self, competences: Sequence[CompetenceProgress], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.competences = list(competences)
        self.setAccessibleName(self.tr("Competence levels"))
        self.setMinimumWidth(420)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        lines = []
        for c in self.competences:
            history = ", ".join(f"{format_date(day)} : {level}" for day, level in c.points[-8:])
            target = (
                self.tr("target %1").replace("%1", str(c.target_level)) if c.target_level else ""
            )
            lines.append(
                f"{c.code} {c.label} — {level_text(c.latest_level)}"
                + (f" ({target})" if target else "")
                + (f"\n    {history}" if history else "")
            )
        self.setToolTip("\n".join(lines))
        days = [day.toordinal() for c in self.competences for day, _ in c.points]
        self._time_range = (min(days), max(days)) if days else (0, 1)

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 14

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        rows = max(1, len(self.competences))
        return QSize(560, (rows + 1) * self._row_height() + 6)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        if not self.competences:
            painter.setPen(MUTED)
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                self.tr("No competence assessed yet."),
            )
            return
        row = self._row_height()
        # The small "over time" lines need room: below 620 px the scale and labels get it all.
        spark_width = min(150, int(self.width() * 0.22)) if self.width() >= 620 else 0
        label_width = min(
            int(self.width() * (0.34 if spark_width else 0.42)),
            max(metrics.horizontalAdvance(f"{c.code} {c.label}") for c in self.competences) + 12,
        )
        value_width = metrics.horizontalAdvance(level_text(8)) + 14
        scale = QRectF(
            label_width,
            0,
            max(120.0, self.width() - label_width - spark_width - value_width - 16),
            row,
        )

        def x_of(level: float) -> float:
            return scale.left() + (level - 0.5) / LEVELS * scale.width()

        # Header: the level numbers.
        painter.setPen(MUTED)
        for level in range(1, LEVELS + 1):
            painter.drawText(
                QRectF(x_of(level) - 10, 0, 20, row), int(Qt.AlignmentFlag.AlignCenter), str(level)
            )
        if spark_width:
            painter.drawText(
                QRectF(scale.right() + value_width + 8, 0, spark_width, row),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                self.tr("Over time"),
            )
        for i, comp in enumerate(self.competences):
            top = (i + 1) * row
            self._paint_row(painter, comp, top, row, label_width, scale, x_of)
            if spark_width:
                spark = QRectF(scale.right() + value_width + 8, top + 5, spark_width - 4, row - 10)
                self._paint_spark(painter, comp, spark)
            painter.setPen(TEXT if comp.latest_level else MUTED)
            painter.drawText(
                QRectF(scale.right() + 6, top, value_width, row),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                level_text(comp.latest_level),
            )

    @staticmethod
    def _paint_row(painter, comp, top, row, label_width, scale, x_of) -> None:  # noqa: ANN001
        metrics = painter.fontMetrics()
        painter.setPen(TEXT)
        label = metrics.elidedText(
            f"{comp.code} {comp.label}", Qt.TextElideMode.ElideRight, label_width - 10
        )
        painter.drawText(
            QRectF(0, top, label_width - 8, row),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            label,
        )
        middle = top + row / 2
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(x_of(0.5), middle), QPointF(x_of(LEVELS + 0.5), middle))
        for level in range(1, LEVELS + 1):
            painter.drawLine(QPointF(x_of(level), middle - 4), QPointF(x_of(level), middle + 4))
        bar_height = max(8.0, row * 0.38)
        if comp.latest_level:
            first = comp.first_level or comp.latest_level
            low, high = min(first, comp.latest_level), max(first, comp.latest_level)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(ACCENT_SOFT)
            painter.drawRoundedRect(
                QRectF(x_of(0.5), middle - bar_height / 2, x_of(low) - x_of(0.5), bar_height), 4, 4
            )
            painter.setBrush(ACCENT)
            painter.drawRoundedRect(
                QRectF(
                    x_of(low) - 6,
                    middle - bar_height / 2,
                    x_of(high) - x_of(low) + 12,
                    bar_height,
                ),
                4,
                4,
            )
        if comp.target_level:
            x = x_of(comp.target_level)
            diamond = QPolygonF(
                [
                    QPointF(x, middle - bar_height / 2 - 5),
                    QPointF(x + 5, middle),
                    QPointF(x, middle + bar_height / 2 + 5),
                    QPointF(x - 5, middle),
                ]
            )
            painter.setPen(QPen(QColor("white"), 1.5))
            painter.setBrush(TARGET)
            painter.drawPolygon(diamond)

    def _paint_spark(self, painter: QPainter, comp: CompetenceProgress, rect: QRectF) -> None:
        """Level over the subject's whole history (the same time axis on every row), a step
        line with a dot at each assessment and the line carried on to today's end."""
        if not comp.points:
            return
        painter.setPen(QPen(GRID, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        first, last = self._time_range
        span = max(1, last - first)

        def point(day: int, level: int) -> QPointF:
            x = rect.left() + (day - first) / span * rect.width()
            return QPointF(x, rect.bottom() - (level - 1) / (LEVELS - 1) * rect.height())

        dots = [point(day.toordinal(), level) for day, level in comp.points]
        path = QPainterPath(dots[0])
        for here in dots[1:]:
            path.lineTo(QPointF(here.x(), path.currentPosition().y()))  # a step: levels jump
            path.lineTo(here)
        path.lineTo(QPointF(rect.right(), dots[-1].y()))
        painter.setPen(QPen(ACCENT, 2))
        painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ACCENT)
        for dot in dots:
            painter.drawEllipse(dot, 2.5, 2.5)
