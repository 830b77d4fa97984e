"""« Mes statistiques »: a period, the indicator cards, the monthly trend, the breakdowns and the
exports. Statistics and exports run on a QThread; results come back by signal on the UI thread.

Charts are painted with QPainter (QtCharts is not part of pyside6-essentials).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QLocale,
    QObject,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QThread,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services.exports import ExportCancelled, ExportError, ExportService, default_filename
from app.services.stats import MonthPoint, StatsFilter, StatsReport, StatsService
from app.ui.common import setup_read_only_table, styled_label
from app.ui.widgets import style

log = logging.getLogger(__name__)

PRIMARY = QColor(style.ACCENT)
PRIMARY_SOFT = QColor("#b9cbeb")
SECONDARY = QColor("#d9822b")
GRID = QColor("#e3e7ee")
MUTED = QColor(style.TEXT_MUTED)
TEXT = QColor(style.TEXT)


def french_int(value: float) -> str:
    return QLocale().toString(int(round(value)))


# ---- background work ---------------------------------------------------------------------------


class Worker(QObject):
    """Runs one callable on its own thread; reports progress, result or error by signal."""

    sig_progress = Signal(int, int)
    sig_done = Signal(object, object)  # tag, result
    sig_failed = Signal(object, object)  # tag, the exception

    def __init__(self, job: Callable[[Worker], Any], tag: object = None) -> None:
        super().__init__()
        self._job = job
        self.tag = tag  # handed back with the result: which request it answers
        self.cancel_event = threading.Event()
        self.succeeded: bool | None = None  # set once the job has returned or raised

    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def progress(self, done: int, total: int) -> None:
        self.sig_progress.emit(done, total)

    def run(self) -> None:
        try:
            result = self._job(self)
        except BaseException as exc:  # reported to the UI thread, which decides what to show
            self.succeeded = False
            self.sig_failed.emit(self.tag, exc)
        else:
            self.succeeded = True
            self.sig_done.emit(self.tag, result)
        finally:
            # Back to the UI thread, where Python deletes it once its thread has finished; then
            # the thread ends (quit before its event loop starts: the loop returns at once).
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            QThread.currentThread().quit()


def start_worker(job: Callable[[Worker], Any], tag: object = None) -> tuple[QThread, Worker]:
    """A worker on a new thread, not started (see WorkerPool.start). Connect its signals to
    methods of a QObject of the UI thread, so they are delivered there."""
    thread = QThread()
    worker = Worker(job, tag)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    return thread, worker


class _RunningThreads(QObject):
    """Holds every started worker thread, and its worker, until the thread has finished.

    Python alone owns them (no Qt parent, no deleteLater): a QThread deleted while it runs
    aborts the process, and one that Qt deletes behind Python's back leaves a dead reference.
    Held here rather than by a window, so that a window deleted without being closed (with
    its parent) cannot delete a running thread either. Finished threads are found by asking
    each one, not by ``sender()``: that is None when the queued ``finished`` arrives after
    its sender is gone."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: dict[QThread, Worker] = {}

    def add(self, thread: QThread, worker: Worker) -> None:
        self.threads[thread] = worker
        thread.finished.connect(self._forget_finished)

    def _forget_finished(self) -> None:
        for thread in [t for t in self.threads if t.isFinished()]:
            thread.wait()  # returns at once: only the end of Qt's finishing routine is left
            del self.threads[thread]


_running: _RunningThreads | None = None


def _running_threads() -> _RunningThreads:
    global _running
    if _running is None:
        _running = _RunningThreads()  # made on the UI thread, which receives its signals
    return _running


class WorkerPool:
    """The worker threads one window has started: ``shutdown`` cancels and waits for them."""

    def __init__(self) -> None:
        self._threads: list[tuple[QThread, Worker]] = []

    def start(self, thread: QThread, worker: Worker) -> None:
        self._threads = [(t, w) for t, w in self._threads if not t.isFinished()]
        _running_threads().add(thread, worker)
        self._threads.append((thread, worker))
        thread.start()

    def busy(self) -> bool:
        """True while one of its threads has not finished."""
        return any(not thread.isFinished() for thread, _worker in self._threads)

    def shutdown(self) -> None:
        """Ask every worker to stop and wait for them (they hold database connections). Exports
        check the request between batches; a statistics computation is short."""
        for _thread, worker in self._threads:
            worker.cancel_event.set()
        for thread, _worker in self._threads:
            thread.wait()
        self._threads = []


# ---- painted charts ----------------------------------------------------------------------------


class BarChart(QWidget):
    """Horizontal bars: the label on the left, the count at the end of the bar."""

    ROW_H = 26

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsBarChart")
        self.rows: list[tuple[str, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: list[tuple[str, int]]) -> None:
        self.rows = rows
        self.setFixedHeight(max(1, len(rows)) * self.ROW_H + 8)
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(420, max(1, len(self.rows)) * self.ROW_H + 8)

    def paintEvent(self, _event: object) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.rows:
            p.setPen(MUTED)
            p.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No data for this period")
            )
            return
        metrics = p.fontMetrics()
        label_w = min(int(self.width() * 0.42), 300)
        value_w = metrics.horizontalAdvance("000 000") + 8
        bar_w = max(10, self.width() - label_w - value_w - 16)
        top = max(count for _, count in self.rows) or 1
        for index, (label, count) in enumerate(self.rows):
            y = 4 + index * self.ROW_H
            p.setPen(TEXT)
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_w - 8)
            p.drawText(
                QRectF(0, y, label_w - 8, self.ROW_H),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            length = bar_w * count / top
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(GRID)
            p.drawRoundedRect(QRectF(label_w, y + 6, bar_w, self.ROW_H - 12), 3, 3)
            if count:
                p.setBrush(PRIMARY)
                p.drawRoundedRect(QRectF(label_w, y + 6, max(length, 3), self.ROW_H - 12), 3, 3)
            p.setPen(TEXT)
            p.drawText(
                QRectF(label_w + bar_w + 8, y, value_w, self.ROW_H),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                french_int(count),
            )


class TrendChart(QWidget):
    """Accompagnements per month (line) over activités per month (bars)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsTrendChart")
        self.points: list[MonthPoint] = []
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_points(self, points: list[MonthPoint]) -> None:
        self.points = points
        self.update()

    def paintEvent(self, _event: object) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = p.fontMetrics()
        legend_h = metrics.height() + 10
        left, right, bottom = 48, 12, metrics.height() + 12
        area = QRectF(left, legend_h + 6, self.width() - left - right, 0)
        area.setBottom(self.height() - bottom)
        self._legend(p, legend_h)
        if not self.points or area.height() < 20 or area.width() < 20:
            return
        top = _nice_top(max(max(pt.accompagnements for pt in self.points), 1))
        # Grid and value axis.
        for step in range(5):
            value = top * step / 4
            y = area.bottom() - area.height() * step / 4
            p.setPen(QPen(GRID, 1))
            p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            p.setPen(MUTED)
            p.drawText(
                QRectF(0, y - 10, left - 6, 20),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                french_int(value),
            )
        n = len(self.points)
        slot = area.width() / n
        bar_w = max(2.0, min(slot * 0.6, 36.0))
        path = QPainterPath()
        label_every = max(1, round(n / max(1, area.width() / 64)))
        for i, pt in enumerate(self.points):
            cx = area.left() + slot * (i + 0.5)
            h = area.height() * pt.activities / top
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(PRIMARY_SOFT)
            p.drawRect(QRectF(cx - bar_w / 2, area.bottom() - h, bar_w, h))
            y = area.bottom() - area.height() * pt.accompagnements / top
            if i == 0:
                path.moveTo(cx, y)
            else:
                path.lineTo(cx, y)
            if i % label_every == 0:
                p.setPen(MUTED)
                p.drawText(
                    QRectF(cx - slot * label_every / 2, area.bottom() + 4, slot * label_every, 16),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    self._month_label(pt.month, n > 12),
                )
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(PRIMARY, 2.2))
        p.drawPath(path)
        if n <= 36:
            p.setBrush(PRIMARY)
            for i, pt in enumerate(self.points):
                cx = area.left() + slot * (i + 0.5)
                y = area.bottom() - area.height() * pt.accompagnements / top
                p.drawEllipse(QPointF(cx, y), 3.2, 3.2)

    def _legend(self, p: QPainter, height: int) -> None:
        x = 48
        for color, text, line in (
            (PRIMARY, self.tr("Accompaniments"), True),
            (PRIMARY_SOFT, self.tr("Activities"), False),
        ):
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            if line:
                p.drawRect(QRectF(x, height / 2 - 1.5, 16, 3))
            else:
                p.drawRect(QRectF(x + 2, height / 2 - 6, 12, 12))
            p.setPen(TEXT)
            p.drawText(QPointF(x + 22, height / 2 + p.fontMetrics().ascent() / 2 - 1), text)
            x += 30 + p.fontMetrics().horizontalAdvance(text) + 18

    @staticmethod
    def _month_label(month: str, with_year: bool) -> str:
        year, number = (int(part) for part in month.split("-"))
        name = QLocale().monthName(number, QLocale.FormatType.ShortFormat)
        return f"{name} {year % 100:02d}" if with_year else name


def _nice_top(value: float) -> float:
    magnitude = 1.0
    while magnitude * 10 < value:
        magnitude *= 10
    for factor in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        if factor * magnitude * 4 >= value:
            return factor * magnitude * 4
    return value


# ---- the view ----------------------------------------------------------------------------------


class IndicatorCard(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsCard")
        self.setStyleSheet(
            f"QFrame#statsCard {{ background: {style.SURFACE}; border: 1px solid #dde2e9;"
            " border-radius: 8px; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.value = QLabel("–")
        self.value.setObjectName("statsCardValue")
        # A style sheet, not setFont: the application's sheet sets every widget's font size.
        self.value.setStyleSheet(f"color: {style.ACCENT_TEXT}; font-size: 20pt; font-weight: 700;")
        self.caption = QLabel(caption)
        self.caption.setStyleSheet(style.HINT_LABEL_QSS)
        self.caption.setWordWrap(True)
        self.detail = QLabel("")
        self.detail.setStyleSheet(style.HINT_LABEL_QSS + " font-size: 9pt;")
        self.detail.setWordWrap(True)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        layout.addWidget(self.detail)
        layout.addStretch(1)

    def set(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)


class StatsView(QWidget):
    """The statistics page. Needs the two services and the mediator's name (for the PDF)."""

    sig_report_ready = Signal(object)  # StatsReport, once shown
    sig_export_finished = Signal(str, str)  # kind, path ("" when cancelled or failed)

    PRESETS = ("this_month", "last_month", "this_year", "last_12_months", "last_year", "all")

    def __init__(
        self,
        stats: StatsService,
        exports: ExportService,
        author: str = "",
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("statsView")
        self.setWindowTitle(self.tr("My statistics"))
        self.stats = stats
        self.exports = exports
        self.author = author
        self._today = today
        self.report: StatsReport | None = None
        self._generation = 0
        self.workers = WorkerPool()
        self.export_worker: Worker | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.message_box: QMessageBox | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(120)
        self._refresh_timer.timeout.connect(self.refresh)
        self._build()
        self._apply_preset("this_year")

    # ---- construction ------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(10)

        bar = QHBoxLayout()
        title = styled_label(self.tr("My statistics"), "title")
        title.setStyleSheet(f"font-size: 15pt; font-weight: 600; color: {style.ACCENT_TEXT};")
        bar.addWidget(title)
        bar.addSpacing(16)
        self.preset_combo = QComboBox()
        for key, text in (
            ("this_month", self.tr("This month")),
            ("last_month", self.tr("Last month")),
            ("this_year", self.tr("This year")),
            ("last_12_months", self.tr("Last 12 months")),
            ("last_year", self.tr("Last year")),
            ("all", self.tr("Since the beginning")),
            ("custom", self.tr("Custom period")),
        ):
            self.preset_combo.addItem(text, key)
        self.preset_combo.setAccessibleName(self.tr("Period"))
        self.preset_combo.activated.connect(self._on_preset_activated)
        bar.addWidget(self.preset_combo)
        self.from_edit = self._date_edit(self.tr("From"))
        self.to_edit = self._date_edit(self.tr("To"))
        bar.addWidget(QLabel(self.tr("from")))
        bar.addWidget(self.from_edit)
        bar.addWidget(QLabel(self.tr("to")))
        bar.addWidget(self.to_edit)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(self.tr("All activities"), None)
        self.kind_combo.addItem(self.tr("Individual sessions"), "individuel")
        self.kind_combo.addItem(self.tr("Workshops"), "collectif")
        self.kind_combo.setAccessibleName(self.tr("Type of activity"))
        self.kind_combo.currentIndexChanged.connect(self._schedule_refresh)
        bar.addWidget(self.kind_combo)
        bar.addStretch(1)
        self.status_label = styled_label("", "hint")
        self.status_label.setStyleSheet(style.HINT_LABEL_QSS)
        bar.addWidget(self.status_label)
        self.pdf_button = QPushButton(self.tr("PDF report…"))
        self.pdf_button.setObjectName("primaryButton")
        self.pdf_button.clicked.connect(lambda: self._ask_and_export("pdf"))
        bar.addWidget(self.pdf_button)
        self.export_button = QToolButton()
        self.export_button.setText(self.tr("Export"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        self.export_actions = {
            "sessions_xlsx": menu.addAction(self.tr("Sessions as Excel (XLSX)…")),
            "sessions_csv": menu.addAction(self.tr("Sessions as CSV…")),
            "stats_xlsx": menu.addAction(self.tr("Statistics as Excel (XLSX)…")),
            "pdf": menu.addAction(self.tr("Period report (PDF)…")),
        }
        for kind, action in self.export_actions.items():
            action.triggered.connect(lambda _checked=False, k=kind: self._ask_and_export(k))
        self.export_button.setMenu(menu)
        bar.addWidget(self.export_button)
        outer.addLayout(bar)

        cards = QGridLayout()
        cards.setSpacing(10)
        self.cards = {
            "accompagnements": IndicatorCard(self.tr("accompaniments")),
            "people": IndicatorCard(self.tr("people reached")),
            "new_people": IndicatorCard(self.tr("new people")),
            "hours": IndicatorCard(self.tr("hours of support")),
            "activities": IndicatorCard(self.tr("activities")),
            "participants": IndicatorCard(self.tr("workshop participants")),
        }
        for index, card in enumerate(self.cards.values()):
            cards.addWidget(card, 0, index)
        outer.addLayout(cards)

        splitter = QSplitter(Qt.Orientation.Vertical)
        trend_box = QFrame()
        trend_box.setObjectName("statsPanel")
        trend_layout = QVBoxLayout(trend_box)
        trend_layout.setContentsMargins(12, 8, 12, 8)
        trend_layout.addWidget(styled_label(self.tr("Month by month"), "sectionTitle"))
        self.trend_chart = TrendChart()
        trend_layout.addWidget(self.trend_chart)
        splitter.addWidget(trend_box)

        lower = QWidget()
        lower_layout = QHBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.breakdown_list = QListWidget()
        self.breakdown_list.setAccessibleName(self.tr("Breakdowns"))
        self.breakdown_list.setFixedWidth(320)
        self.breakdown_list.setWordWrap(True)
        self.breakdown_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.breakdown_list.currentRowChanged.connect(self._show_breakdown)
        lower_layout.addWidget(self.breakdown_list)
        detail = QFrame()
        detail.setObjectName("statsPanel")
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(12, 8, 12, 8)
        self.breakdown_title = styled_label("", "sectionTitle")
        self.breakdown_note = styled_label("", "hint", wrap=True)
        self.breakdown_note.setStyleSheet(style.HINT_LABEL_QSS)
        detail_layout.addWidget(self.breakdown_title)
        detail_layout.addWidget(self.breakdown_note)
        self.bar_chart = BarChart()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.bar_chart)
        scroll.setStyleSheet(
            "QScrollArea, QScrollArea > QWidget > QWidget { background: #ffffff; }"
        )
        self.breakdown_table = QTableWidget(0, 3)
        self.breakdown_table.setHorizontalHeaderLabels(
            [self.tr("Value"), self.tr("Count"), self.tr("Share")]
        )
        setup_read_only_table(self.breakdown_table, QTableWidget.SelectionMode.SingleSelection)
        self.breakdown_table.verticalHeader().setVisible(False)
        header = self.breakdown_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.addWidget(scroll)
        tables.addWidget(self.breakdown_table)
        tables.setSizes([560, 400])
        detail_layout.addWidget(tables, 1)
        lower_layout.addWidget(detail, 1)
        splitter.addWidget(lower)
        splitter.setSizes([260, 420])
        outer.addWidget(splitter, 1)
        self.setStyleSheet(
            "QFrame#statsPanel { background: #ffffff; border: 1px solid #dde2e9;"
            " border-radius: 8px; }"
            "QLabel#sectionTitle { font-weight: 600; font-size: 11.5pt; color: #173a7a; }"
        )

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setAccessibleName(name)
        edit.dateChanged.connect(self._on_date_edited)
        return edit

    # ---- period ------------------------------------------------------------------------------
    def period(self) -> tuple[dt.date, dt.date]:
        return self.from_edit.date().toPython(), self.to_edit.date().toPython()  # type: ignore[return-value]

    def set_period(self, date_from: dt.date, date_to: dt.date) -> None:
        """Choose a custom period (as the mediator would with the date fields)."""
        self._set_dates(date_from, date_to)
        self.preset_combo.setCurrentIndex(self.preset_combo.findData("custom"))
        self._schedule_refresh()

    def _set_dates(self, date_from: dt.date, date_to: dt.date) -> None:
        for edit, day in ((self.from_edit, date_from), (self.to_edit, date_to)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def _apply_preset(self, key: str) -> None:
        today = self._today()
        first_of_month = today.replace(day=1)
        if key == "this_month":
            period = (first_of_month, today)
        elif key == "last_month":
            end = first_of_month - dt.timedelta(days=1)
            period = (end.replace(day=1), end)
        elif key == "this_year":
            period = (today.replace(month=1, day=1), today)
        elif key == "last_12_months":
            start = (first_of_month - dt.timedelta(days=334)).replace(day=1)
            period = (start, today)
        elif key == "last_year":
            period = (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
        elif key == "all":
            # Reading the oldest date is one index look-up: fine on the UI thread.
            period = (self.stats.first_activity_date() or today, today)
        else:
            return
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(key))
        self._set_dates(*period)
        self._schedule_refresh()

    def _on_preset_activated(self, index: int) -> None:
        self._apply_preset(self.preset_combo.itemData(index))

    def _on_date_edited(self) -> None:
        self.preset_combo.setCurrentIndex(self.preset_combo.findData("custom"))
        self._schedule_refresh()

    def filters(self) -> StatsFilter:
        return StatsFilter(kind=self.kind_combo.currentData())

    # ---- computing ---------------------------------------------------------------------------
    def _schedule_refresh(self) -> None:
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Compute the statistics of the current period on a worker thread."""
        date_from, date_to = self.period()
        if date_to < date_from:
            self.status_label.setText(self.tr("The end date is before the start date."))
            return
        self._generation += 1
        generation = self._generation
        flt = self.filters()
        self.status_label.setText(self.tr("Computing…"))
        stats = self.stats
        thread, worker = start_worker(lambda _w: stats.compute(date_from, date_to, flt), generation)
        worker.sig_done.connect(self._on_report)
        worker.sig_failed.connect(self._on_report_failed)
        self.workers.start(thread, worker)

    def _on_report(self, generation: int, report: StatsReport) -> None:
        if generation != self._generation:
            return  # a newer period was asked for meanwhile
        self.report = report
        self.status_label.setText("")
        self._show_report(report)
        self.sig_report_ready.emit(report)

    def _on_report_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        log.error("statistics failed: %s", type(exc).__name__)
        self.status_label.setText(self.tr("The statistics could not be computed."))

    def _show_report(self, report: StatsReport) -> None:
        ind = report.indicators
        hours = QLocale().toString(ind.hours, "f", 1 if ind.hours < 100 else 0)
        self.cards["accompagnements"].set(
            french_int(ind.accompagnements),
            self.tr("%1 individual · %2 in workshops")
            .replace("%1", french_int(ind.individual_sessions))
            .replace("%2", french_int(ind.workshop_participants)),
        )
        self.cards["people"].set(
            french_int(ind.people),
            self.tr("%1 followed with a code").replace("%1", french_int(ind.people_with_code)),
        )
        self.cards["new_people"].set(
            french_int(ind.new_people),
            self.tr("%1 already met · %2 unknown")
            .replace("%1", french_int(ind.returning_people))
            .replace("%2", french_int(ind.unknown_status_people)),
        )
        self.cards["hours"].set(hours)
        self.cards["activities"].set(
            french_int(ind.activities),
            self.tr("%1 workshops").replace("%1", french_int(ind.workshops)),
        )
        self.cards["participants"].set(french_int(ind.workshop_participants))
        self.trend_chart.set_points(list(report.trend))
        current = max(0, self.breakdown_list.currentRow())
        self.breakdown_list.blockSignals(True)
        self.breakdown_list.clear()
        for breakdown in report.breakdowns:
            self.breakdown_list.addItem(breakdown.title)
        self.breakdown_list.setCurrentRow(current)
        self.breakdown_list.blockSignals(False)
        self._show_breakdown(current)

    def _show_breakdown(self, index: int) -> None:
        if self.report is None or not 0 <= index < len(self.report.breakdowns):
            return
        breakdown = self.report.breakdowns[index]
        self.breakdown_title.setText(breakdown.title)
        note = (
            self.tr("Counted in %1 (total %2).")
            .replace("%1", breakdown.unit)
            .replace("%2", french_int(breakdown.total))
        )
        if breakdown.multi:
            note += " " + self.tr("An activity counts once for each of its values.")
        self.breakdown_note.setText(note)
        rows = [r for r in breakdown.rows if r.count] or list(breakdown.rows)
        self.bar_chart.set_rows([(r.label, r.count) for r in rows if r.count])
        self.breakdown_table.setRowCount(len(rows))
        locale = QLocale()
        for row, r in enumerate(rows):
            values = (r.label, french_int(r.count), locale.toString(r.share * 100, "f", 1) + " %")
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.breakdown_table.setItem(row, column, item)

    # ---- exports -----------------------------------------------------------------------------
    def suggested_path(self, kind: str) -> Path:
        date_from, date_to = self.period()
        what, suffix = {
            "sessions_xlsx": ("activites", "xlsx"),
            "sessions_csv": ("activites", "csv"),
            "stats_xlsx": ("statistiques", "xlsx"),
            "pdf": ("bilan", "pdf"),
        }[kind]
        return Path.home() / default_filename(what, date_from, date_to, suffix)

    def _ask_and_export(self, kind: str) -> None:
        filters = {
            "sessions_xlsx": self.tr("Excel workbook (*.xlsx)"),
            "sessions_csv": self.tr("CSV file (*.csv)"),
            "stats_xlsx": self.tr("Excel workbook (*.xlsx)"),
            "pdf": self.tr("PDF document (*.pdf)"),
        }
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export"), str(self.suggested_path(kind)), filters[kind]
        )
        if path:
            self.start_export(kind, Path(path))

    def start_export(self, kind: str, path: Path) -> None:
        """Run one export on a worker thread, with a progress dialog that can cancel it."""
        if self.export_worker is not None:
            return  # one export at a time
        report = self.report
        if kind in ("stats_xlsx", "pdf") and report is None:
            return
        date_from, date_to = self.period()
        flt = self.filters()
        exports, author = self.exports, self.author  # the job does not touch the widget

        def job(worker: Worker) -> object:
            progress, cancelled = worker.progress, worker.cancelled
            if kind == "sessions_csv":
                return exports.sessions_csv(path, date_from, date_to, flt, progress, cancelled)
            if kind == "sessions_xlsx":
                return exports.sessions_xlsx(path, date_from, date_to, flt, progress, cancelled)
            assert report is not None
            if kind == "stats_xlsx":
                exports.stats_xlsx(report, path, progress, cancelled)
                return None
            exports.stats_pdf(report, path, author, "", progress, cancelled)
            return None

        thread, worker = start_worker(job, (kind, path))
        self.export_worker = worker
        dialog = QProgressDialog(self.tr("Exporting…"), self.tr("Cancel"), 0, 0, self)
        dialog.setWindowTitle(self.tr("Export"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        dialog.canceled.connect(worker.cancel_event.set)
        self.progress_dialog = dialog
        worker.sig_progress.connect(self._on_export_progress)
        worker.sig_done.connect(self._on_export_done)
        worker.sig_failed.connect(self._on_export_failed)
        self.workers.start(thread, worker)

    def _on_export_progress(self, done: int, total: int) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.setMaximum(max(total, 1))
            self.progress_dialog.setValue(min(done, max(total, 1)))

    def _end_export(self) -> None:
        self.export_worker = None
        if self.progress_dialog is not None:
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    def _is_current_export(self, tag: object) -> bool:
        # False for the result of an export that closing the window has already ended.
        return self.export_worker is not None and tag is self.export_worker.tag

    def _on_export_done(self, tag: tuple[str, Path], _result: object) -> None:
        if not self._is_current_export(tag):
            return
        kind, path = tag
        self._end_export()
        self.status_label.setText(self.tr("Saved: %1").replace("%1", path.name))
        self.sig_export_finished.emit(kind, str(path))

    def _on_export_failed(self, tag: tuple[str, Path], exc: BaseException) -> None:
        if not self._is_current_export(tag):
            return
        kind, _path = tag
        self._end_export()
        if isinstance(exc, ExportCancelled):
            self.status_label.setText(self.tr("Export cancelled: nothing was written."))
        else:
            message = exc.message if isinstance(exc, ExportError) else None
            if message is None:
                log.error("export failed: %s", type(exc).__name__)
                message = self.tr("The export failed unexpectedly. Nothing was written.")
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Export"), message, parent=self)
            box.setWindowModality(Qt.WindowModality.WindowModal)
            box.open()
            self.message_box = box
        self.sig_export_finished.emit(kind, "")

    # ---- closing -----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Cancel a running export and wait for every worker thread to finish, so that none
        is deleted with the window while it runs. The export ends here: its result, still on
        its way, is then ignored."""
        export = self.export_worker
        self.workers.shutdown()
        if export is not None:  # ended here: it may have completed just before the request
            kind, path = cast(tuple[str, Path], export.tag)
            self._end_export()
            self.sig_export_finished.emit(kind, str(path) if export.succeeded else "")


def open_stats_window(
    parent: QWidget, stats: StatsService, exports: ExportService, author: str
) -> StatsView:
    """« Mes statistiques » in its own window, kept alive by its parent until closed."""
    view = StatsView(stats, exports, author, parent=parent)
    view.setWindowFlag(Qt.WindowType.Window, True)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    view.resize(1180, 780)
    view.show()
    return view
