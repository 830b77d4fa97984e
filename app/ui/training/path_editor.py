"""Write or edit a local path: title, audience, description, and ordered modules with their
objective, duration, national themes and CRCN competences with a target level."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models import referentiels as ref
from app.models.errors import StorageError
from app.models.training_format import AUDIENCES, DURATION_MAX_MIN, ModuleSpec, PathSpec
from app.services.training import TrainingError, TrainingService
from app.ui.training.labels import audience_label
from app.ui.widgets import style


class ModuleForm(QWidget):
    """The fields of one module."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("moduleTitle")
        self.title_edit.setMaxLength(200)
        self.objective_edit = QPlainTextEdit()
        self.objective_edit.setObjectName("moduleObjective")
        self.objective_edit.setFixedHeight(64)
        self.duration_spin = QSpinBox()
        self.duration_spin.setObjectName("moduleDuration")
        self.duration_spin.setRange(1, DURATION_MAX_MIN)
        self.duration_spin.setSingleStep(15)
        self.duration_spin.setSuffix(" min")
        self.themes_list = QListWidget()
        self.themes_list.setObjectName("moduleThemes")
        for code, label in ref.THEMES.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.themes_list.addItem(item)
        self.competence_table = QTableWidget(len(ref.CRCN_COMPETENCES), 2)
        self.competence_table.setObjectName("moduleCompetences")
        self.competence_table.setHorizontalHeaderLabels(
            [self.tr("Competence"), self.tr("Target level")]
        )
        self.competence_table.verticalHeader().setVisible(False)
        self.target_spins: dict[str, QSpinBox] = {}
        for row, (code, label) in enumerate(ref.CRCN_COMPETENCES.items()):
            cell = QTableWidgetItem(f"{code} {label}")
            cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.competence_table.setItem(row, 0, cell)
            spin = QSpinBox()
            spin.setRange(0, 8)
            spin.setSpecialValueText(self.tr("not worked"))
            spin.setObjectName(f"target_{code}")
            self.competence_table.setCellWidget(row, 1, spin)
            self.target_spins[code] = spin
        header = self.competence_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

        form = QFormLayout(self)
        form.addRow(self.tr("Module title"), self.title_edit)
        form.addRow(self.tr("Objective"), self.objective_edit)
        form.addRow(self.tr("Expected duration"), self.duration_spin)
        form.addRow(self.tr("National themes"), self.themes_list)
        form.addRow(self.tr("Competences"), self.competence_table)

    def set_module(self, module: ModuleSpec) -> None:
        self.title_edit.setText(module.title)
        self.objective_edit.setPlainText(module.objective)
        self.duration_spin.setValue(module.expected_duration_min)
        for i in range(self.themes_list.count()):
            item = self.themes_list.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in module.themes
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        targets = module.competence_targets
        for code, spin in self.target_spins.items():
            spin.setValue(targets.get(code, 0))

    def module(self, base: ModuleSpec) -> ModuleSpec:
        themes = tuple(
            self.themes_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.themes_list.count())
            if self.themes_list.item(i).checkState() == Qt.CheckState.Checked
        )
        competences = tuple((c, s.value()) for c, s in self.target_spins.items() if s.value())
        return replace(
            base,
            title=self.title_edit.text(),
            objective=self.objective_edit.toPlainText(),
            expected_duration_min=self.duration_spin.value(),
            themes=themes,
            competences=competences,
        )


class PathEditorDialog(QDialog):
    """Create (``path_id=None``) or edit a local path; saves through the service."""

    def __init__(
        self,
        training: TrainingService,
        path_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pathEditor")
        self.training = training
        self.path_id = path_id
        spec = training.get_path(path_id) if path_id else None
        self.setWindowTitle(self.tr("Edit the path") if spec else self.tr("New path"))
        self.modules: list[ModuleSpec] = list(spec.modules) if spec else []
        self._current = -1

        self.title_edit = QLineEdit(spec.title if spec else "")
        self.title_edit.setObjectName("pathTitle")
        self.title_edit.setMaxLength(200)
        self.audience_combo = QComboBox()
        self.audience_combo.setObjectName("pathAudience")
        for code in AUDIENCES:
            self.audience_combo.addItem(audience_label(code), code)
        if spec:
            self.audience_combo.setCurrentIndex(self.audience_combo.findData(spec.audience))
        self.description_edit = QPlainTextEdit(spec.description if spec else "")
        self.description_edit.setObjectName("pathDescription")
        self.description_edit.setFixedHeight(70)
        head = QFormLayout()
        head.addRow(self.tr("Title"), self.title_edit)
        head.addRow(self.tr("For"), self.audience_combo)
        head.addRow(self.tr("Description"), self.description_edit)

        self.module_list = QListWidget()
        self.module_list.setObjectName("moduleList")
        self.add_button = QPushButton(self.tr("Add a module"))
        self.add_button.setObjectName("addModule")
        self.remove_button = QPushButton(self.tr("Remove"))
        self.up_button = QPushButton(self.tr("Up"))
        self.down_button = QPushButton(self.tr("Down"))
        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("Modules, in order")))
        left_layout.addWidget(self.module_list, 1)
        left_layout.addLayout(buttons)
        self.module_form = ModuleForm()
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.module_form)
        splitter.setStretchFactor(1, 2)

        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setStyleSheet(style.ERROR_LABEL_QSS)
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.add_button.clicked.connect(self.add_module)
        self.remove_button.clicked.connect(self._on_remove)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.module_list.currentRowChanged.connect(self._on_row_changed)
        self.module_form.title_edit.textChanged.connect(self._on_module_title_edited)
        if not self.modules:
            self.modules.append(ModuleSpec(title="", expected_duration_min=60))
        self._refresh_list(0)
        self.resize(980, 720)

    # ---- modules -----------------------------------------------------------------------------
    def _commit_current(self) -> None:
        if 0 <= self._current < len(self.modules):
            self.modules[self._current] = self.module_form.module(self.modules[self._current])
            item = self.module_list.item(self._current)
            if item is not None:
                item.setText(self._item_text(self._current))

    def _item_text(self, index: int) -> str:
        title = self.modules[index].title.strip() or self.tr("(untitled)")
        return f"{index + 1}. {title}"

    def _refresh_list(self, select: int) -> None:
        self.module_list.blockSignals(True)
        self.module_list.clear()
        for i in range(len(self.modules)):
            self.module_list.addItem(self._item_text(i))
        self.module_list.blockSignals(False)
        self._current = -1
        self.module_list.setCurrentRow(max(0, min(select, len(self.modules) - 1)))
        self._on_row_changed(self.module_list.currentRow())

    def _on_row_changed(self, row: int) -> None:
        if row == self._current:
            return
        self._commit_current()
        self._current = row
        has = 0 <= row < len(self.modules)
        self.module_form.setEnabled(has)
        if has:
            self.module_form.set_module(self.modules[row])

    def _on_module_title_edited(self, text: str) -> None:
        item = self.module_list.item(self._current)
        if item is not None:
            title = text.strip() or self.tr("(untitled)")
            item.setText(f"{self._current + 1}. {title}")

    def add_module(self) -> None:
        self._commit_current()
        self.modules.append(ModuleSpec(title="", expected_duration_min=60))
        self._refresh_list(len(self.modules) - 1)
        self.module_form.title_edit.setFocus()

    def _on_remove(self) -> None:
        row = self.module_list.currentRow()
        if 0 <= row < len(self.modules):
            self._current = -1
            del self.modules[row]
            self._refresh_list(row)

    def _move(self, delta: int) -> None:
        self._commit_current()
        row = self.module_list.currentRow()
        target = row + delta
        if 0 <= row < len(self.modules) and 0 <= target < len(self.modules):
            self.modules[row], self.modules[target] = self.modules[target], self.modules[row]
            self._refresh_list(target)

    # ---- saving ------------------------------------------------------------------------------
    def spec(self) -> PathSpec:
        self._commit_current()
        return PathSpec(
            title=self.title_edit.text(),
            audience=self.audience_combo.currentData(),
            description=self.description_edit.toPlainText(),
            modules=tuple(self.modules),
        )

    def save(self) -> bool:
        try:
            if self.path_id:
                self.training.update_path(self.path_id, self.spec())
            else:
                self.path_id = self.training.create_path(self.spec())
        except (TrainingError, StorageError) as err:
            self.error_label.setText(err.message)
            self.error_label.setVisible(True)
            return False
        return True

    def _on_save(self) -> None:
        if self.save():
            self.accept()
