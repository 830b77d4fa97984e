"""The catalogue browser: the hub's paths and the mediator's own, their modules, and the actions
(new, edit, propose to the hub, export, import, enrol, load the sample paths)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models import referentiels as ref
from app.models.errors import StorageError
from app.models.training_format import PathSpec
from app.services.notebook import Notebook
from app.services.training import TrainingError
from app.ui.formatting import format_duration, theme_labels
from app.ui.training.dialogs import EnrolDialog
from app.ui.training.labels import audience_label, catalogue_status_label
from app.ui.training.path_editor import PathEditorDialog


class CatalogueView(QWidget):
    sig_changed = Signal()

    def __init__(self, notebook: Notebook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("catalogueView")
        self.notebook = notebook
        self.training = notebook.training
        self.dialog: QWidget | None = None
        self.specs: dict[str, PathSpec] = {}

        self.audience_filter = QComboBox()
        self.audience_filter.setObjectName("audienceFilter")
        self.audience_filter.addItem(self.tr("All paths"), None)
        self.audience_filter.addItem(audience_label("beneficiaires"), "beneficiaires")
        self.audience_filter.addItem(audience_label("mediateurs"), "mediateurs")
        self.withdrawn_box = QCheckBox(self.tr("Show withdrawn paths"))
        self.withdrawn_box.setObjectName("showWithdrawn")
        self.path_list = QListWidget()
        self.path_list.setObjectName("pathList")
        self.path_list.setWordWrap(True)
        self.path_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.samples_button = QPushButton(self.tr("Load the sample paths"))
        self.samples_button.setObjectName("samplesButton")
        self.samples_button.setToolTip(
            self.tr("Four sample paths, until your hub sends its own catalogue")
        )
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        filters.addWidget(self.audience_filter, 1)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.withdrawn_box)
        left_layout.addWidget(self.path_list, 1)
        left_layout.addWidget(self.samples_button)

        self.title_label = QLabel()
        self.title_label.setObjectName("sectionTitle")
        self.title_label.setWordWrap(True)
        self.meta_label = QLabel()
        self.meta_label.setObjectName("muted")
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.modules_table = QTableWidget(0, 4)
        self.modules_table.setObjectName("modulesTable")
        self.modules_table.setHorizontalHeaderLabels(
            [
                self.tr("Module"),
                self.tr("Duration"),
                self.tr("Competences (target)"),
                self.tr("Themes"),
            ]
        )
        self.modules_table.verticalHeader().setVisible(False)
        self.modules_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.modules_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.modules_table.setWordWrap(True)
        header = self.modules_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.modules_table.setColumnWidth(3, 220)

        self.new_button = QPushButton(self.tr("New path…"))
        self.new_button.setObjectName("newPathButton")
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.setObjectName("editPathButton")
        self.propose_button = QPushButton(self.tr("Propose to the hub"))
        self.propose_button.setObjectName("proposeButton")
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setObjectName("exportButton")
        self.import_button = QPushButton(self.tr("Import…"))
        self.import_button.setObjectName("importButton")
        self.enrol_button = QPushButton(self.tr("Enrol…"))
        self.enrol_button.setObjectName("enrolButton")
        self.enrol_button.setProperty("primary", True)
        actions = QHBoxLayout()
        for b in (self.enrol_button, self.new_button, self.edit_button, self.propose_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.import_button)
        actions.addWidget(self.export_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.title_label)
        right_layout.addWidget(self.meta_label)
        right_layout.addWidget(self.description_label)
        right_layout.addWidget(self.modules_table, 1)
        right_layout.addLayout(actions)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([300, 800])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.audience_filter.currentIndexChanged.connect(lambda: self.reload())
        self.withdrawn_box.toggled.connect(lambda: self.reload())
        self.path_list.currentItemChanged.connect(self._on_current_changed)
        self.samples_button.clicked.connect(self._on_samples)
        self.new_button.clicked.connect(self.open_new)
        self.edit_button.clicked.connect(self.open_edit)
        self.propose_button.clicked.connect(self._on_propose)
        self.export_button.clicked.connect(self._on_export)
        self.import_button.clicked.connect(self._on_import)
        self.enrol_button.clicked.connect(self.open_enrol)
        self.reload()

    # ---- content -----------------------------------------------------------------------------
    def current_id(self) -> str | None:
        item = self.path_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def reload(self, select: str | None = None) -> None:
        select = select or self.current_id()
        specs = self.training.list_paths(
            audience=self.audience_filter.currentData(),
            include_withdrawn=self.withdrawn_box.isChecked(),
        )
        self.specs = {s.id: s for s in specs}
        self.path_list.blockSignals(True)
        self.path_list.clear()
        for spec in specs:
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.id)
            item.setToolTip(catalogue_status_label(spec.origin, spec.status, spec.withdrawn))
            if spec.origin == "local":
                font = item.font()
                font.setItalic(True)
                item.setFont(font)
            self.path_list.addItem(item)
        self.path_list.blockSignals(False)
        row = next((i for i, s in enumerate(specs) if s.id == select), 0)
        self.path_list.setCurrentRow(row if specs else -1)
        self.samples_button.setVisible(self.training.catalogue_state()[0] is None)
        self._on_current_changed()

    def _on_current_changed(self) -> None:
        spec = self.specs.get(self.current_id() or "")
        for b in (self.edit_button, self.propose_button):
            b.setEnabled(bool(spec and spec.editable))
        if spec and spec.status == "proposed":
            self.propose_button.setEnabled(False)
        self.export_button.setEnabled(spec is not None)
        self.enrol_button.setEnabled(bool(spec and not spec.withdrawn))
        if spec is None:
            self.title_label.setText(self.tr("No path in the catalogue yet."))
            self.meta_label.clear()
            self.description_label.clear()
            self.modules_table.setRowCount(0)
            return
        self.title_label.setText(spec.title)
        self.meta_label.setText(
            " · ".join(
                [
                    audience_label(spec.audience),
                    catalogue_status_label(spec.origin, spec.status, spec.withdrawn),
                    self.tr("version %1").replace("%1", str(spec.version)),
                    self.tr("%n module(s)", None, len(spec.modules)),
                    format_duration(spec.total_duration_min),
                ]
            )
        )
        self.description_label.setText(spec.description)
        self.modules_table.setRowCount(len(spec.modules))
        for row, module in enumerate(spec.modules):
            competences = ", ".join(f"{c} → {lvl}" for c, lvl in module.competences)
            tips = "\n".join(
                f"{c} {ref.label(ref.CRCN_COMPETENCES, c)} : niveau {lvl}"
                for c, lvl in module.competences
            )
            values = [
                (f"{module.position}. {module.title}", ""),
                (format_duration(module.expected_duration_min), ""),
                (competences, tips),
                (", ".join(theme_labels(module.themes)), ""),
            ]
            for col, (text, tip) in enumerate(values):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setToolTip(module.objective)
                elif tip:
                    item.setToolTip(tip)
                self.modules_table.setItem(row, col, item)
        self.modules_table.resizeRowsToContents()

    # ---- actions -----------------------------------------------------------------------------
    def _changed(self, select: str | None = None) -> None:
        self.reload(select)
        self.sig_changed.emit()

    def _error(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Training paths"), message, parent=self)
        box.setObjectName("catalogueError")
        self.dialog = box
        box.open()

    def _on_samples(self) -> None:
        try:
            self.training.install_samples()
        except (TrainingError, StorageError) as err:
            self._error(err.message)
            return
        self._changed()

    def open_new(self) -> PathEditorDialog:
        dialog = PathEditorDialog(self.training, None, self)
        dialog.accepted.connect(lambda: self._changed(dialog.path_id))
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_edit(self) -> PathEditorDialog | None:
        path_id = self.current_id()
        if not path_id:
            return None
        dialog = PathEditorDialog(self.training, path_id, self)
        dialog.accepted.connect(lambda: self._changed(path_id))
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_enrol(self) -> EnrolDialog:
        spec = self.specs.get(self.current_id() or "")
        dialog = EnrolDialog(self.notebook, None, self, path_id=spec.id if spec else None)
        if spec is not None:
            kind = "self" if spec.audience == "mediateurs" else "person"
            dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(kind))
            dialog.path_combo.setCurrentIndex(dialog.path_combo.findData(spec.id))
        dialog.accepted.connect(self.sig_changed.emit)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_propose(self) -> None:
        path_id = self.current_id()
        if not path_id:
            return
        try:
            self.training.propose_path(path_id)
        except (TrainingError, StorageError) as err:
            self._error(err.message)
            return
        self._changed(path_id)

    def export_to(self, target: Path) -> None:
        path_id = self.current_id()
        if path_id:
            self.training.export_path_file(path_id, target)

    def import_from(self, source: Path) -> str:
        new_id = self.training.import_path_file(source)
        self._changed(new_id)
        return new_id

    def _on_export(self) -> None:
        spec = self.specs.get(self.current_id() or "")
        if spec is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the path"),
            str(Path.home() / f"parcours-{spec.id[:8]}.json"),
            self.tr("Carnet path (*.json)"),
        )
        if name:
            try:
                self.export_to(Path(name))
            except OSError as err:
                self._error(str(err))

    def _on_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import a path"), str(Path.home()), self.tr("Carnet path (*.json)")
        )
        if name:
            try:
                self.import_from(Path(name))
            except (TrainingError, StorageError) as err:
                self._error(err.message)
