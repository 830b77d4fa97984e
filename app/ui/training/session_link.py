"""The session form's progress panel: tick the modules worked on during this session.

Wiring in the form (three calls):
- when the follow-up code changes: ``panel.set_person(code_text)``; when the session becomes a
  workshop: ``panel.set_workshop()`` (the mediator then picks the group);
- when an existing session is opened: ``panel.show_linked(session_id)``;
- after the session is saved: ``panel.apply(session_id, session_date)`` records the ticked
  modules, linked to the session, on the session's date (TrainingError carries a French message).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import followup_codes
from app.services.progress import DONE, PATH_COMPLETED, STARTED, Subject
from app.services.training import TrainingService
from app.ui.formatting import format_date
from app.ui.training.labels import event_text

_MODULE_ROLE = Qt.ItemDataRole.UserRole
_PATH_ROLE = Qt.ItemDataRole.UserRole + 1
COL_MODULE, COL_STARTED, COL_DONE = 0, 1, 2


@dataclass(frozen=True)
class PendingRecord:
    subject: Subject
    path_id: str
    module_id: str
    kind: str  # started | done


class SessionProgressPanel(QWidget):
    sig_changed = Signal()

    def __init__(self, training: TrainingService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionProgressPanel")
        self.training = training
        self.subject: Subject | None = None
        self.group_row = QWidget()
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("sessionGroupCombo")
        group_layout = QHBoxLayout(self.group_row)
        group_layout.setContentsMargins(0, 0, 0, 0)
        group_layout.addWidget(QLabel(self.tr("Workshop group")))
        group_layout.addWidget(self.group_combo, 1)
        self.members_row = QWidget()
        self.members_layout = QHBoxLayout(self.members_row)
        self.members_layout.setContentsMargins(0, 0, 0, 0)
        self.member_boxes: list[QCheckBox] = []
        self.tree = QTreeWidget()
        self.tree.setObjectName("sessionModules")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(
            [self.tr("Module of the path"), self.tr("Started"), self.tr("Done")]
        )
        self.tree.setRootIsDecorated(False)
        self.tree.setMinimumHeight(120)
        self.status_label = QLabel()
        self.status_label.setObjectName("muted")
        self.status_label.setWordWrap(True)
        self.linked_label = QLabel()
        self.linked_label.setObjectName("sessionLinked")
        self.linked_label.setWordWrap(True)
        self.linked_label.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.linked_label)
        layout.addWidget(self.group_row)
        layout.addWidget(self.members_row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.tree)
        self.group_combo.currentIndexChanged.connect(self._on_group_changed)
        self.tree.itemChanged.connect(lambda *_: self.sig_changed.emit())
        self.set_subject(None)

    # ---- subject -----------------------------------------------------------------------------
    def set_person(self, code_text: str) -> None:
        code = followup_codes.canonical(code_text or "")
        self.set_subject(Subject.person(code) if code else None)

    def set_workshop(self) -> None:
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        self.group_combo.addItem(self.tr("No group"), None)
        for group in self.training.workshop_groups():
            w = group.workshop
            self.group_combo.addItem(
                f"{format_date(w.date)} · {w.title or self.tr('Workshop')}", w.id
            )
        self.group_combo.setCurrentIndex(1 if self.group_combo.count() > 1 else 0)
        self.group_combo.blockSignals(False)
        self.group_row.setVisible(True)
        self._on_group_changed()

    def _on_group_changed(self) -> None:
        group_id = self.group_combo.currentData()
        self._set(Subject.workshop(group_id) if group_id else None, keep_group_row=True)

    def set_subject(self, subject: Subject | None) -> None:
        self.group_row.setVisible(False)
        self._set(subject, keep_group_row=False)

    def _set(self, subject: Subject | None, keep_group_row: bool) -> None:
        self.subject = subject
        self.tree.clear()
        for box in self.member_boxes:
            box.deleteLater()
        self.member_boxes = []
        self.members_row.setVisible(False)
        if subject is None:
            self.status_label.setText(
                self.tr("Choose a workshop group enrolled on a path.")
                if keep_group_row
                else self.tr("Type a follow-up code to record progress on a path.")
            )
            self.tree.setVisible(False)
            return
        progress = self.training.progress(subject)
        self.tree.blockSignals(True)
        open_paths = 0
        for path in progress.paths:
            if path.status == PATH_COMPLETED or not path.in_catalogue or path.withdrawn:
                continue
            open_paths += 1
            header = QTreeWidgetItem([f"{path.title} ({path.done_count}/{path.total})"])
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = header.font(0)
            font.setBold(True)
            header.setFont(0, font)
            self.tree.addTopLevelItem(header)
            for module in path.modules:
                if module.status == DONE or not module.in_catalogue:
                    continue
                item = QTreeWidgetItem([f"{module.position}. {module.title}", "", ""])
                item.setData(COL_MODULE, _MODULE_ROLE, module.module_id)
                item.setData(COL_MODULE, _PATH_ROLE, path.path_id)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                started = module.status == STARTED
                item.setCheckState(
                    COL_STARTED, Qt.CheckState.Checked if started else Qt.CheckState.Unchecked
                )
                item.setCheckState(COL_DONE, Qt.CheckState.Unchecked)
                if started:  # already started earlier: only "done" is left to tick
                    item.setData(COL_STARTED, Qt.ItemDataRole.CheckStateRole, None)
                    item.setText(COL_STARTED, self.tr("already"))
                self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        self.tree.resizeColumnToContents(COL_STARTED)
        self.tree.setVisible(open_paths > 0)
        self.status_label.setText(
            ""
            if open_paths
            else self.tr("Not enrolled on any path in progress: enrol from the person's page.")
        )
        if subject.kind == "workshop" and progress.paths:
            codes = sorted(
                {
                    row.subject.id
                    for path in progress.paths
                    for row in self.training.group_matrix(subject.id, path.path_id).rows[1:]
                }
            )
            for code in codes:
                box = QCheckBox(code)
                box.setObjectName(f"present_{code}")
                self.members_layout.addWidget(box)
                self.member_boxes.append(box)
            self.members_row.setVisible(bool(codes))

    # ---- reading and writing -----------------------------------------------------------------
    def module_items(self) -> list[QTreeWidgetItem]:
        items = []
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(COL_MODULE, _MODULE_ROLE):
                items.append(item)
        return items

    def tick(self, module_id: str, kind: str = "done") -> None:
        """Tick a module (as the mediator would), for tests and keyboard shortcuts."""
        for item in self.module_items():
            if item.data(COL_MODULE, _MODULE_ROLE) == module_id:
                column = COL_DONE if kind == "done" else COL_STARTED
                item.setCheckState(column, Qt.CheckState.Checked)

    def pending(self) -> list[PendingRecord]:
        if self.subject is None:
            return []
        records = []
        for item in self.module_items():
            path_id = item.data(COL_MODULE, _PATH_ROLE)
            module_id = item.data(COL_MODULE, _MODULE_ROLE)
            started_box = item.data(COL_STARTED, Qt.ItemDataRole.CheckStateRole) is not None
            if started_box and item.checkState(COL_STARTED) == Qt.CheckState.Checked:
                records.append(PendingRecord(self.subject, path_id, module_id, "started"))
            if item.checkState(COL_DONE) == Qt.CheckState.Checked:
                records.append(PendingRecord(self.subject, path_id, module_id, "done"))
        return records

    def present_codes(self) -> list[str]:
        return [b.text() for b in self.member_boxes if b.isChecked()]

    def apply(self, session_id: str, day: dt.date) -> list[str]:
        """Record the ticked modules, linked to the saved session; returns the event ids."""
        ids: list[str] = []
        for record in self.pending():
            if record.subject.kind == "workshop":
                ids += self.training.record_group(
                    record.subject.id,
                    record.path_id,
                    record.module_id,
                    record.kind,
                    self.present_codes(),
                    day,
                    session_id,
                )
            else:
                ids.append(
                    self.training.record(
                        record.subject,
                        record.path_id,
                        record.module_id,
                        record.kind,
                        occurred_on=day,
                        session_id=session_id,
                    )
                )
        self._set(self.subject, keep_group_row=self.group_row.isVisible())
        self.show_linked(session_id)
        return ids

    def show_linked(self, session_id: str) -> None:
        """List what was already recorded with this session (struck out when cancelled)."""
        items = self.training.session_events(session_id)
        lines = [
            (f"<s>{event_text(i.event)}</s>" if i.cancelled else event_text(i.event)) for i in items
        ]
        self.linked_label.setText(
            self.tr("Recorded with this session:") + "<br>" + "<br>".join(lines) if lines else ""
        )
        self.linked_label.setVisible(bool(lines))
