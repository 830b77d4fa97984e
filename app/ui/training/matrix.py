"""A workshop group's matrix: the group's row (the participants as counters) and one row per
follow-up code enrolled in the group, against the path's modules."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.errors import StorageError
from app.services.notebook import Notebook
from app.services.progress import DONE, STARTED, Subject
from app.services.training import GroupMatrix, TrainingError
from app.ui.formatting import format_date
from app.ui.training.dialogs import EnrolDialog, RecordProgressDialog
from app.ui.training.labels import module_status_color, module_status_label

_Index = QModelIndex | QPersistentModelIndex


class GroupMatrixTableModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix: GroupMatrix | None = None

    def set_matrix(self, matrix: GroupMatrix | None) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.columns)

    def row_label(self, row: int) -> str:
        assert self.matrix is not None
        subject = self.matrix.rows[row].subject
        if subject.kind == "workshop":
            count = self.matrix.workshop.participants
            if count:
                return self.tr("Group (%n participant(s))", None, count)
            return self.tr("Group")
        return subject.id

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self.matrix is None or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        if orientation == Qt.Orientation.Horizontal:
            column = self.matrix.columns[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{column.position}. {column.title}"
            title = column.title if len(column.title) <= 18 else column.title[:17].rstrip() + "…"
            return f"{column.position}. {title}"
        return self.row_label(section)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.matrix is None or not index.isValid():
            return None
        cell = self.matrix.rows[index.row()].cells[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if cell.status == DONE:
                return "✓ " + (cell.done_on.strftime("%d/%m") if cell.done_on else "")
            if cell.status == STARTED:
                return "◐"
            return ""
        if role == Qt.ItemDataRole.BackgroundRole:
            color = QColor(module_status_color(cell.status))
            color.setAlpha(90 if cell.status != "todo" else 40)
            return QBrush(color)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            when = f" ({format_date(cell.done_on or cell.started_on)})" if cell.started_on else ""
            return f"{self.row_label(index.row())} · {cell.title} : {module_status_label(cell.status)}{when}"
        return None


class GroupMatrixView(QWidget):
    """Choose a workshop group and one of its paths; see and fill the matrix."""

    sig_changed = Signal()

    def __init__(self, notebook: Notebook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("groupMatrixView")
        self.notebook = notebook
        self.training = notebook.training
        self.dialog: QWidget | None = None
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("groupCombo")
        self.path_combo = QComboBox()
        self.path_combo.setObjectName("groupPathCombo")
        self.model = GroupMatrixTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("groupMatrix")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(False)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("muted")
        self.summary_label.setWordWrap(True)
        self.empty_label = QLabel(
            self.tr(
                "No workshop group yet. Record the workshop as a session, then enrol its group "
                "on a path."
            )
        )
        self.empty_label.setObjectName("muted")
        self.empty_label.setWordWrap(True)

        self.enrol_group_button = QPushButton(self.tr("Enrol a workshop group…"))
        self.enrol_group_button.setObjectName("enrolGroupButton")
        self.add_member_button = QPushButton(self.tr("Add a participant's code…"))
        self.add_member_button.setObjectName("addMemberButton")
        self.record_button = QPushButton(self.tr("Record a module…"))
        self.record_button.setObjectName("recordGroupButton")
        pickers = QHBoxLayout()
        pickers.addWidget(QLabel(self.tr("Group")))
        pickers.addWidget(self.group_combo, 2)
        pickers.addWidget(QLabel(self.tr("Path")))
        pickers.addWidget(self.path_combo, 2)
        actions = QHBoxLayout()
        for b in (self.record_button, self.add_member_button, self.enrol_group_button):
            actions.addWidget(b)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(pickers)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary_label)
        layout.addLayout(actions)

        self.group_combo.currentIndexChanged.connect(self._on_group_changed)
        self.path_combo.currentIndexChanged.connect(self._show_matrix)
        self.enrol_group_button.clicked.connect(self.open_enrol_group)
        self.add_member_button.clicked.connect(self.open_add_member)
        self.record_button.clicked.connect(self.open_record)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        select = select or self.group_combo.currentData()
        self.groups = {g.workshop.id: g for g in self.training.workshop_groups()}
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        for group in self.groups.values():
            w = group.workshop
            self.group_combo.addItem(
                f"{format_date(w.date)} · {w.title or self.tr('Workshop')}", w.id
            )
        index = self.group_combo.findData(select) if select else 0
        self.group_combo.setCurrentIndex(max(0, index))
        self.group_combo.blockSignals(False)
        self.empty_label.setVisible(not self.groups)
        self._on_group_changed()

    def _on_group_changed(self) -> None:
        group = self.groups.get(self.group_combo.currentData() or "")
        current = self.path_combo.currentData()
        self.path_combo.blockSignals(True)
        self.path_combo.clear()
        for path_id, title in group.paths if group else ():
            self.path_combo.addItem(title, path_id)
        if current and self.path_combo.findData(current) >= 0:
            self.path_combo.setCurrentIndex(self.path_combo.findData(current))
        self.path_combo.blockSignals(False)
        self._show_matrix()

    def _show_matrix(self) -> None:
        group_id = self.group_combo.currentData()
        path_id = self.path_combo.currentData()
        matrix = None
        if group_id and path_id:
            try:
                matrix = self.training.group_matrix(group_id, path_id)
            except TrainingError as err:
                self.summary_label.setText(err.message)
        self.model.set_matrix(matrix)
        for b in (self.record_button, self.add_member_button):
            b.setEnabled(matrix is not None)
        if matrix is not None:
            group_row = matrix.rows[0]
            self.summary_label.setText(
                self.tr(
                    "The group has done %1 of %2 modules; %n code(s) followed individually.",
                    None,
                    len(matrix.rows) - 1,
                )
                .replace("%1", str(group_row.done_count))
                .replace("%2", str(len(matrix.columns)))
            )

    # ---- actions -----------------------------------------------------------------------------
    def _after(self, select: str | None = None) -> None:
        self.reload(select)
        self.sig_changed.emit()

    def open_enrol_group(self) -> EnrolDialog:
        dialog = EnrolDialog(self.notebook, None, self)
        dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("workshop"))
        dialog.accepted.connect(lambda: self._after(dialog.subject.id if dialog.subject else None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_record(self) -> RecordProgressDialog | None:
        group_id = self.group_combo.currentData()
        if not group_id:
            return None
        dialog = RecordProgressDialog(
            self.notebook, Subject.workshop(group_id), self, self.path_combo.currentData()
        )
        dialog.accepted.connect(lambda: self._after(group_id))
        self.dialog = dialog
        dialog.open()
        return dialog

    def add_member(self, code: str) -> None:
        """Enrol a participant's code in the current group and path (TrainingError if not)."""
        self.training.enrol_member(
            self.group_combo.currentData(), code, self.path_combo.currentData()
        )
        self._after(self.group_combo.currentData())

    def open_add_member(self) -> None:
        dialog = QInputDialog(self)
        dialog.setObjectName("addMemberDialog")
        dialog.setWindowTitle(self.tr("Add a participant's code"))
        dialog.setLabelText(
            self.tr("Follow-up code of a participant who wants their own progress followed:")
        )
        self.dialog = dialog

        def chosen(code: str) -> None:
            try:
                self.add_member(code)
            except (TrainingError, StorageError) as err:
                QMessageBox.warning(self, self.tr("Add a participant's code"), err.message)

        dialog.textValueSelected.connect(chosen)
        dialog.open()
