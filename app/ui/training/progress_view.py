"""A subject's progress: one card per path (modules done / total, the strip of modules), the
competence chart, the history of records (with cancellation), and the next-step hint."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.models.errors import StorageError
from app.services.notebook import Notebook
from app.services.progress import DONE, STARTED, NextStep, PathProgress, Subject
from app.services.training import SubjectProgress, TrainingError
from app.ui.formatting import format_date
from app.ui.training.charts import CompetenceChart, ModuleStrip
from app.ui.training.dialogs import CertificateDialog, EnrolDialog, RecordProgressDialog
from app.ui.training.labels import event_text, path_status_label
from app.ui.widgets import style

# One style sheet on the view for all its cards: a sheet per widget costs a re-polish each.
VIEW_QSS = (
    f"QFrame#nextStepHint {{ background: {style.ACCENT_SOFT}; border-radius: 8px; }}"
    f"QFrame#nextStepHint QLabel {{ color: {style.ACCENT_TEXT}; }}"
    f"QFrame#pathCard {{ border: 1px solid {style.BORDER}; border-radius: 8px;"
    f" background: {style.SURFACE}; }}"
)


def card(title: str, body: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    heading = QLabel(title)
    heading.setObjectName("cardTitle")
    layout.addWidget(heading)
    if body is not None:
        layout.addWidget(body)
    return frame, layout


class NextStepHint(QFrame):
    """ "Next step: module 3 « … » of « path » (2/6 done)", or nothing when there is none."""

    sig_record = Signal(str, str)  # path id, module id

    def __init__(self, step: NextStep | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nextStepHint")
        self.step = step
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.label = QLabel()
        self.label.setObjectName("nextStepText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label, 1)
        self.record_button = QPushButton(self.tr("Record it…"))
        self.record_button.setObjectName("nextStepRecord")
        self.record_button.clicked.connect(self._on_record)
        layout.addWidget(self.record_button)
        self.set_step(step)

    def set_step(self, step: NextStep | None) -> None:
        self.step = step
        self.setVisible(step is not None)
        if step is None:
            self.label.clear()
            return
        text = (
            self.tr("Next step: module %1 “%2” of “%3” (%4 of %5 done)")
            .replace("%1", str(step.position))
            .replace("%2", html.escape(step.module_title))
            .replace("%3", html.escape(step.path_title))
            .replace("%4", str(step.done_count))
            .replace("%5", str(step.total))
        )
        self.label.setText(f"<b>{text}</b>")
        self.label.setToolTip(step.objective)
        self.setAccessibleName(self.label.text())

    def text(self) -> str:
        return self.label.text()

    def _on_record(self) -> None:
        if self.step is not None:
            self.sig_record.emit(self.step.path_id, self.step.module_id)


class PathCard(QFrame):
    """One path: title, status, N/M modules, the strip and (in full mode) the module list."""

    def __init__(
        self, path: PathProgress, full: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.setObjectName("pathCard")
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 8, 12, 10)
        self.title_label = title = QLabel(path.title)
        title.setObjectName("pathTitle")
        font = QFont(title.font())
        font.setWeight(QFont.Weight.DemiBold)
        title.setFont(font)
        title.setWordWrap(True)
        status = path_status_label(path.status)
        if path.withdrawn:
            status += " · " + self.tr("withdrawn from the catalogue")
        total = str(path.total) if path.total is not None else "?"
        self.count_label = QLabel(
            self.tr("%1 / %2 modules").replace("%1", str(path.done_count)).replace("%2", total)
        )
        self.count_label.setObjectName("pathCount")
        self.strip = ModuleStrip(path.modules)
        dates = (
            self.tr("since %1, last activity %2")
            .replace("%1", format_date(path.enrolled_on))
            .replace("%2", format_date(path.last_activity))
        )
        self.status_label = QLabel(f"{status} · {dates}")
        self.status_label.setObjectName("pathStatus")
        self.status_label.setWordWrap(True)
        grid.addWidget(title, 0, 0)
        grid.addWidget(self.count_label, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.strip, 1, 0, 1, 2)
        grid.addWidget(self.status_label, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        if full:
            self.modules_label = QLabel(self._modules_html())
            self.modules_label.setObjectName("pathModules")
            self.modules_label.setTextFormat(Qt.TextFormat.RichText)
            self.modules_label.setWordWrap(True)
            grid.addWidget(self.modules_label, 3, 0, 1, 2)

    def _modules_html(self) -> str:
        lines = []
        for m in self.path.modules:
            if m.status == DONE:
                mark = f"<span style='color:{style.SUCCESS}'>✓</span>"
                when = self.tr("done on %1").replace("%1", format_date(m.done_on))
            elif m.status == STARTED:
                mark = "<span style='color:#b07a12'>◐</span>"
                when = self.tr("started on %1").replace("%1", format_date(m.started_on))
            else:
                mark = f"<span style='color:{style.TEXT_MUTED}'>○</span>"
                when = ""
            removed = "" if m.in_catalogue else " " + self.tr("(no longer in the path)")
            detail = f" <span style='color:{style.TEXT_MUTED}'>{html.escape(when)}</span>"
            lines.append(
                f"{mark} {m.position}. {html.escape(m.title)}{html.escape(removed)}"
                + (detail if when else "")
            )
        return "<br>".join(lines)


class ProgressView(QWidget):
    """Everything about one subject's progress, with the actions that add to it.

    ``full=False`` is the compact form embedded in the person page (cards without module lists,
    no history)."""

    sig_changed = Signal()

    def __init__(
        self,
        notebook: Notebook,
        subject: Subject,
        parent: QWidget | None = None,
        full: bool = True,
        progress: SubjectProgress | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("progressView")
        self.setStyleSheet(VIEW_QSS)
        self.notebook = notebook
        self.subject = subject
        self.full = full
        self.dialog: QWidget | None = None
        self.progress = progress or notebook.training.progress(subject)

        self.enrol_button = QPushButton(self.tr("Enrol on a path…"))
        self.enrol_button.setObjectName("enrolButton")
        self.record_button = QPushButton(self.tr("Record progress…"))
        self.record_button.setObjectName("recordButton")
        self.certificate_button = QPushButton(self.tr("Certificate (PDF)…"))
        self.certificate_button.setObjectName("certificateButton")
        self.certificate_button.setVisible(subject.kind != "workshop")
        self.enrol_button.clicked.connect(self.open_enrol)
        self.record_button.clicked.connect(lambda: self.open_record())
        self.certificate_button.clicked.connect(self.open_certificate)
        actions = QHBoxLayout()
        for button in (self.enrol_button, self.record_button, self.certificate_button):
            actions.addWidget(button)
        actions.addStretch(1)

        self.hint = NextStepHint(None)
        self.hint.sig_record.connect(self.open_record)
        self.paths_box = QVBoxLayout()
        self.paths_box.setSpacing(8)
        self.empty_label = QLabel(self.tr("Not enrolled on any path yet."))
        self.empty_label.setObjectName("muted")
        paths_frame, paths_layout = card(self.tr("Paths"))
        paths_layout.addWidget(self.empty_label)
        paths_layout.addLayout(self.paths_box)
        paths_layout.addStretch(1)
        self.chart = CompetenceChart([])
        chart_frame, self.chart_layout = card(
            self.tr("Competences (Pix / CRCN levels)"), self.chart
        )

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(actions)
        outer.addWidget(self.hint)
        if full:
            # The whole view scrolls: paths, chart and history keep their natural heights.
            content = QWidget()
            layout = QVBoxLayout(content)
            layout.setContentsMargins(0, 0, 4, 0)
            scroll = QScrollArea()
            scroll.setObjectName("progressScroll")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(content)
            outer.addWidget(scroll, 1)
        else:
            layout = outer
        columns = QHBoxLayout() if not full else QVBoxLayout()
        columns.addWidget(paths_frame, 1)
        columns.addWidget(chart_frame, 1)
        layout.addLayout(columns)
        # The history (and its cancel button) exists in the full view only.
        self.history = QListWidget()
        self.history.setMinimumHeight(180)
        self.history.setObjectName("progressHistory")
        self.cancel_button = QPushButton(self.tr("Cancel the selected record"))
        self.cancel_button.setObjectName("cancelRecordButton")
        self.cancel_button.clicked.connect(self._on_cancel)
        self.cancel_button.setEnabled(False)
        self.history.currentItemChanged.connect(self._on_history_selection)
        if full:
            history_frame, history_layout = card(self.tr("History"), self.history)
            history_layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
            layout.addWidget(history_frame, 1)
        self._show(self.progress)

    # ---- content -----------------------------------------------------------------------------
    def reload(self) -> None:
        self._show(self.notebook.training.progress(self.subject))

    def _show(self, progress: SubjectProgress) -> None:
        self.progress = progress
        self.hint.set_step(progress.next_step)
        while self.paths_box.count():
            layout_item = self.paths_box.takeAt(0)
            widget = layout_item.widget() if layout_item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.cards = [PathCard(p, self.full) for p in progress.paths]
        for path_card in self.cards:
            self.paths_box.addWidget(path_card)
        self.empty_label.setVisible(not progress.paths)
        self.record_button.setEnabled(bool(progress.paths))
        self.certificate_button.setEnabled(bool(progress.paths))
        if self.chart.competences != list(progress.competences):
            new_chart = CompetenceChart(progress.competences)
            self.chart_layout.replaceWidget(self.chart, new_chart)
            self.chart.hide()  # not painted again before its deletion
            self.chart.deleteLater()
            self.chart = new_chart
        if self.full:
            self.history.clear()
            for item in progress.history:
                if item.event.kind == "cancelled":
                    continue
                row = QListWidgetItem(event_text(item.event))
                row.setData(Qt.ItemDataRole.UserRole, item.event.id)
                if item.cancelled:
                    font = row.font()
                    font.setStrikeOut(True)
                    row.setFont(font)
                    row.setForeground(QColor(style.TEXT_MUTED))
                    row.setToolTip(self.tr("Cancelled"))
                    row.setData(Qt.ItemDataRole.UserRole + 1, True)
                self.history.addItem(row)

    # ---- actions -----------------------------------------------------------------------------
    def _run(self, dialog) -> None:  # noqa: ANN001
        self.dialog = dialog
        dialog.accepted.connect(self._after_change)
        dialog.open()

    def _after_change(self) -> None:
        self.reload()
        self.sig_changed.emit()

    def open_enrol(self) -> EnrolDialog:
        dialog = EnrolDialog(self.notebook, self.subject, self)
        self._run(dialog)
        return dialog

    def open_record(self, path_id: str | None = None, module_id: str | None = None):
        dialog = RecordProgressDialog(self.notebook, self.subject, self, path_id, module_id)
        self._run(dialog)
        return dialog

    def open_certificate(self) -> CertificateDialog:
        current = self.progress.paths[0].path_id if self.progress.paths else None
        dialog = CertificateDialog(self.notebook, self.subject, self, current)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_history_selection(self) -> None:
        item = self.history.currentItem()
        self.cancel_button.setEnabled(
            item is not None and not item.data(Qt.ItemDataRole.UserRole + 1)
        )

    def _on_cancel(self) -> None:
        item = self.history.currentItem()
        if item is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Cancel a record"),
            self.tr("Cancel “%1”? The record stays in the history, struck out.").replace(
                "%1", item.text()
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("cancelConfirm")
        self.dialog = box
        event_id = item.data(Qt.ItemDataRole.UserRole)

        def done(answer: int) -> None:
            if answer != QMessageBox.StandardButton.Yes:
                return
            try:
                self.notebook.training.cancel(event_id)
            except (TrainingError, StorageError) as err:
                QMessageBox.warning(self, self.tr("Cancel a record"), err.message)
                return
            self._after_change()

        box.finished.connect(done)
        box.open()
