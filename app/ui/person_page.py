"""A followed person's page, from their pseudonymous code only: sessions, themes, autonomy.

There is no identity here by design: no name, no phone, no e-mail."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPointF, QRectF, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models import referentiels as ref
from app.services import followup_codes
from app.services.beneficiaries import BeneficiaryService, PersonSummary
from app.ui.common import error_label, setup_read_only_table, show_error, styled_label
from app.ui.formatting import format_date, format_duration, theme_labels
from app.ui.widgets import style

ACCENT = QColor(style.ACCENT)
MUTED = QColor(style.TEXT_MUTED)
TEXT = QColor(style.TEXT)
GRID = QColor("#e3e7ee")
LEVEL_COLORS = {1: QColor("#d9822b"), 2: QColor("#e0b43a"), 3: QColor(style.SUCCESS)}


class FollowUpLookupDialog(QDialog):
    """Type a follow-up code (typos are caught by its check character) to open the page."""

    sig_code_chosen = Signal(str)

    def __init__(self, beneficiaries: BeneficiaryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Followed person"))
        self._beneficiaries = beneficiaries
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("codeEdit")
        self.code_edit.setPlaceholderText(self.tr("e.g. KRT-4MX"))
        self.code_edit.setMaxLength(12)
        self.code_edit.setAccessibleName(self.tr("Follow-up code"))
        font = self.code_edit.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 2)
        self.code_edit.setFont(font)
        completer = QCompleter(QStringListModel(beneficiaries.known_codes(limit=5000), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.code_edit.setCompleter(completer)
        self.error_label = error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setDefault(True)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Type the code written on the person's card."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.code_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_open)
        self.buttons.rejected.connect(self.reject)
        self.code_edit.textEdited.connect(self._on_text_edited)
        self.setMinimumWidth(380)

    def _on_text_edited(self, text: str) -> None:
        upper = text.upper()
        if upper != text:
            pos = self.code_edit.cursorPosition()
            self.code_edit.setText(upper)
            self.code_edit.setCursorPosition(pos)
        show_error(self.error_label, None)

    def _show_error(self, message: str) -> None:
        show_error(self.error_label, message)
        self.code_edit.setFocus()

    def _on_open(self) -> None:
        text = self.code_edit.text()
        problem = followup_codes.problem(text)
        if problem:
            self._show_error(problem)
            return
        code = followup_codes.canonical(text)
        assert code is not None
        if self._beneficiaries.sessions_count(code) == 0:
            self._show_error(
                self.tr("No session is recorded with the code %1.").replace("%1", code)
            )
            return
        self.sig_code_chosen.emit(code)
        self.accept()


class AutonomyChart(QWidget):
    """Autonomy level (1/3 to 3/3) at each session where it was noted, oldest on the left."""

    def __init__(self, points: list[tuple[dt.date, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points = [(day, ref.AUTONOMY_SCORE[a]) for day, a in points if a in ref.AUTONOMY_SCORE]
        self.setMinimumSize(320, 190)
        self.setAccessibleName(self.tr("Autonomy over time"))
        self.setToolTip(
            "\n".join(f"{format_date(day)} : {level}/3" for day, level in self.points[-12:])
        )

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, 220)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        left = metrics.horizontalAdvance("3/3") + 14
        plot = QRectF(left, 10, self.width() - left - 16, self.height() - metrics.height() - 26)
        if not self.points:
            painter.setPen(MUTED)
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No autonomy level noted yet.")
            )
            return

        def y_of(level: int) -> float:
            return plot.bottom() - (level - 1) / 2 * plot.height()

        for level in (1, 2, 3):
            y = y_of(level)
            painter.setPen(QPen(GRID, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(MUTED)
            painter.drawText(
                QRectF(0, y - metrics.height() / 2, left - 8, metrics.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                f"{level}/3",
            )
        count = len(self.points)
        step = plot.width() / max(1, count - 1) if count > 1 else 0

        def x_of(i: int) -> float:
            return plot.left() + i * step if count > 1 else plot.center().x()

        path = QPainterPath()
        for i, (_day, level) in enumerate(self.points):
            point = QPointF(x_of(i), y_of(level))
            if i == 0:
                path.moveTo(point)
            else:
                path.lineTo(point)
        painter.setPen(QPen(ACCENT, 2.5))
        painter.drawPath(path)
        radius = 5.5 if count <= 40 else 3
        for i, (_day, level) in enumerate(self.points):
            painter.setPen(QPen(QColor("white"), 1.5))
            painter.setBrush(LEVEL_COLORS[level])
            painter.drawEllipse(QPointF(x_of(i), y_of(level)), radius, radius)
        # Dates: first and last always, a few in between when there is room.
        painter.setPen(MUTED)
        label_width = metrics.horizontalAdvance("00/00/0000") + 12
        every = max(1, int(label_width / step) + 1) if step else 1
        shown = {0, count - 1} | set(range(0, count, every))
        baseline = plot.bottom() + 8
        last_right = -1e9
        for i in sorted(shown):
            text = format_date(self.points[i][0])
            width = metrics.horizontalAdvance(text)
            x = min(max(x_of(i) - width / 2, 0), self.width() - width)
            if x < last_right + 6 and i != count - 1:
                continue
            painter.drawText(QPointF(x, baseline + metrics.ascent()), text)
            last_right = x + width


class ThemeBars(QWidget):
    """Themes seen, most frequent first, as horizontal bars with their counts."""

    def __init__(self, themes: tuple[tuple[str, int], ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items = [(ref.label(ref.THEMES, code), n) for code, n in themes]
        self.setAccessibleName(self.tr("Themes seen"))
        self.setMinimumWidth(300)
        self.setToolTip("\n".join(f"{label} : {n}" for label, n in self.items))

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 12

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(380, max(60, len(self.items) * self._row_height() + 8))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(300, min(6, max(1, len(self.items))) * self._row_height() + 8)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        if not self.items:
            painter.setPen(MUTED)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No theme yet."))
            return
        label_width = min(
            max(metrics.horizontalAdvance(label) for label, _ in self.items) + 12,
            int(self.width() * 0.55),
        )
        count_width = metrics.horizontalAdvance("999") + 10
        bar_space = max(20, self.width() - label_width - count_width - 4)
        top_count = max(n for _, n in self.items)
        row = self._row_height()
        for i, (label, n) in enumerate(self.items):
            y = 4 + i * row
            if y + row > self.height():
                break
            painter.setPen(TEXT)
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_width - 10)
            painter.drawText(
                QRectF(0, y, label_width - 8, row),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                text,
            )
            bar = QRectF(label_width, y + 5, max(4.0, bar_space * n / top_count), row - 10)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(ACCENT if i == 0 else ACCENT.lighter(135))
            painter.drawRoundedRect(bar, 4, 4)
            painter.setPen(MUTED)
            painter.drawText(
                QRectF(bar.right() + 6, y, count_width, row),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                str(n),
            )


def _section(title: str, body: QWidget) -> QFrame:
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    heading = styled_label(title, "cardTitle")
    layout.addWidget(heading)
    layout.addWidget(body, 1)
    return frame


class PersonPage(QDialog):
    """The page of one followed person (non-modal: several can stay open side by side)."""

    sig_open_session = Signal(str)

    def __init__(self, summary: PersonSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = summary
        self.setObjectName("personPage")
        self.setWindowTitle(self.tr("Followed person %1").replace("%1", summary.code))
        self.setWindowFlag(Qt.WindowType.WindowMinMaxButtonsHint, True)

        code_label = QLabel(summary.code)
        code_label.setObjectName("personCode")
        code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        count = len(summary.sessions)
        self.status_label = QLabel(self.status_text())
        self.status_label.setObjectName("personStatus")
        self.seen_label = styled_label(
            self.tr("First seen on %1, last seen on %2")
            .replace("%1", format_date(summary.first_seen))
            .replace("%2", format_date(summary.last_seen)),
            "muted",
        )
        hours = sum(s.duration_min for s in summary.sessions)
        self.total_label = styled_label(
            self.tr("%n session(s)", None, count) + " · " + format_duration(hours), "muted"
        )

        header = QGridLayout()
        header.addWidget(code_label, 0, 0, 2, 1)
        header.addWidget(self.status_label, 0, 1)
        header.addWidget(self.seen_label, 1, 1)
        header.addWidget(self.total_label, 1, 2, Qt.AlignmentFlag.AlignRight)
        header.setColumnStretch(1, 1)
        header.setHorizontalSpacing(18)

        self.theme_bars = ThemeBars(summary.themes_seen)
        self.autonomy_chart = AutonomyChart(summary.autonomy_over_time)
        charts = QHBoxLayout()
        charts.addWidget(_section(self.tr("Themes seen"), self.theme_bars), 1)
        charts.addWidget(_section(self.tr("Autonomy over time"), self.autonomy_chart), 1)

        self.sessions_table = QTableWidget(count, 4)
        self.sessions_table.setObjectName("personSessions")
        self.sessions_table.setHorizontalHeaderLabels(
            [self.tr("Date"), self.tr("Duration"), self.tr("Themes"), self.tr("Autonomy")]
        )
        self.sessions_table.verticalHeader().setVisible(False)
        setup_read_only_table(self.sessions_table, QAbstractItemView.SelectionMode.SingleSelection)
        for row, session in enumerate(reversed(summary.sessions)):  # newest first
            level = ref.AUTONOMY_SCORE.get(session.autonomy or "")
            values = [
                format_date(session.date),
                format_duration(session.duration_min),
                ", ".join(theme_labels(session.themes)),
                f"{level}/3 · {ref.label(ref.AUTONOMIES, session.autonomy)}" if level else "",
            ]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, session.id)
                if col == 2:
                    item.setToolTip(value)
                self.sessions_table.setItem(row, col, item)
        table_header = self.sessions_table.horizontalHeader()
        table_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table_header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        table_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        table_header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.sessions_table.itemActivated.connect(self._on_item_activated)
        self.sessions_table.itemDoubleClicked.connect(self._on_item_activated)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        privacy = styled_label(
            self.tr("This page only knows the code: no name, phone number or e-mail is stored."),
            "muted",
            wrap=True,
        )
        footer = QHBoxLayout()
        footer.addWidget(privacy, 1)
        footer.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addLayout(header)
        layout.addLayout(charts)
        sessions_box = _section(self.tr("Sessions"), self.sessions_table)
        layout.addWidget(sessions_box, 1)
        layout.addLayout(footer)
        self.resize(920, 680)

    def status_text(self) -> str:
        """'new' for a first session, otherwise how many sessions came before the last one."""
        before = len(self.summary.sessions) - 1
        if before <= 0:
            return self.tr("New: first session")
        return self.tr("Already supported (%n session(s) before)", None, before)

    def _on_item_activated(self, item: QTableWidgetItem) -> None:
        session_id = item.data(Qt.ItemDataRole.UserRole)
        if session_id:
            self.sig_open_session.emit(session_id)
