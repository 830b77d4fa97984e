"""Dialogs of the progress views: enrol on a path, record progress on a module, certificate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.models import referentiels as ref
from app.models.errors import StorageError
from app.models.training_format import PathSpec
from app.services.notebook import Notebook
from app.services.progress import DONE, Subject
from app.services.training import AUDIENCE_OF_SUBJECT, TrainingError
from app.ui.formatting import format_date
from app.ui.training.labels import subject_label
from app.ui.widgets import style


def _date_edit(day: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setMaximumDate(QDate.currentDate())
    today = day or dt.date.today()
    edit.setDate(QDate(today.year, today.month, today.day))
    return edit


def _day(edit: QDateEdit) -> dt.date:
    q = edit.date()
    return dt.date(q.year(), q.month(), q.day())


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("errorLabel")
    label.setStyleSheet(style.ERROR_LABEL_QSS)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


class _Dialog(QDialog):
    """Shared frame: a form, a French error line, OK/Cancel; ``_save`` does the work."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.error_label = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_accept)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.extra = QVBoxLayout()
        self.body.addLayout(self.extra)
        self.body.addWidget(self.error_label)
        self.body.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def _add_levels(self, title: str, show_after: bool) -> LevelEditor:
        heading = QLabel(title)
        heading.setObjectName("sectionTitle")
        editor = LevelEditor(show_after=show_after)
        self.extra.addWidget(heading)
        self.extra.addWidget(editor)
        return editor

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(True)

    def _on_accept(self) -> None:
        try:
            self._save()
        except (TrainingError, StorageError) as err:
            self.show_error(err.message)
            return
        self.accept()

    def _save(self) -> None:
        raise NotImplementedError


class LevelEditor(QWidget):
    """Levels before / after per competence (0 = not assessed), for the competences given."""

    def __init__(
        self,
        codes: list[str] | None = None,
        parent: QWidget | None = None,
        show_after: bool = True,
    ) -> None:
        super().__init__(parent)
        self.show_after = show_after
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.spins: dict[str, tuple[QSpinBox, QSpinBox]] = {}
        self.set_codes(codes or [])

    def set_codes(self, codes: list[str]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item else None
            if widget:
                widget.deleteLater()
        self.spins = {}
        if not codes:
            note = QLabel(self.tr("This module names no competence."))
            note.setObjectName("muted")
            self.grid.addWidget(note, 0, 0)
            return
        headers = [self.tr("Competence"), self.tr("Before")]
        if self.show_after:
            headers.append(self.tr("After"))
        for col, text in enumerate(headers):
            header = QLabel(text)
            header.setObjectName("muted")
            self.grid.addWidget(header, 0, col)
        for row, code in enumerate(codes, start=1):
            label = QLabel(f"{code} {ref.label(ref.CRCN_COMPETENCES, code)}")
            label.setWordWrap(True)
            pair = []
            for col in (1, 2):
                spin = QSpinBox()
                spin.setVisible(col == 1 or self.show_after)
                spin.setRange(0, 8)
                spin.setSpecialValueText("—")
                spin.setAccessibleName(f"{code} {'avant' if col == 1 else 'après'}")
                spin.setObjectName(f"level_{code}_{'before' if col == 1 else 'after'}")
                self.grid.addWidget(spin, row, col)
                pair.append(spin)
            self.grid.addWidget(label, row, 0)
            self.spins[code] = (pair[0], pair[1])
        self.grid.setColumnStretch(0, 1)

    def levels(self) -> tuple[dict[str, int], dict[str, int]]:
        before = {c: s[0].value() for c, s in self.spins.items() if s[0].value()}
        after = {c: s[1].value() for c, s in self.spins.items() if s[1].value()}
        return before, after


class EnrolDialog(_Dialog):
    """Enrol a person, a workshop group or oneself on a path of the catalogue."""

    def __init__(
        self,
        notebook: Notebook,
        subject: Subject | None = None,
        parent: QWidget | None = None,
        path_id: str | None = None,
    ) -> None:
        super().__init__(self.tr("Enrol on a path"), parent)
        self.setObjectName("enrolDialog")
        self.training = notebook.training
        self.subject = subject
        self.enrolled_id: str | None = None
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("subjectKind")
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("codeEdit")
        self.code_edit.setPlaceholderText(self.tr("e.g. KRT-4MX"))
        self.workshop_combo = QComboBox()
        self.workshop_combo.setObjectName("workshopCombo")
        if subject is None:
            self.kind_combo.addItem(self.tr("A followed person (follow-up code)"), "person")
            self.kind_combo.addItem(self.tr("A workshop group"), "workshop")
            self.kind_combo.addItem(self.tr("Myself (mediator training)"), "self")
            for w in self.training.workshops():
                self.workshop_combo.addItem(
                    f"{format_date(w.date)} · {w.title or self.tr('Workshop')}", w.id
                )
            self.form.addRow(self.tr("Who"), self.kind_combo)
            self.form.addRow(self.tr("Follow-up code"), self.code_edit)
            self.form.addRow(self.tr("Workshop that gathers the group"), self.workshop_combo)
            self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        else:
            self.form.addRow(self.tr("Who"), QLabel(subject_label(subject)))
        self.path_combo = QComboBox()
        self.path_combo.setObjectName("pathCombo")
        self.form.addRow(self.tr("Path"), self.path_combo)
        self.date_edit = _date_edit()
        self.form.addRow(self.tr("Date"), self.date_edit)
        self.levels = self._add_levels(self.tr("Levels at the start (optional)"), False)
        self.path_combo.currentIndexChanged.connect(self._on_path_changed)
        self._on_kind_changed()
        if path_id:
            index = self.path_combo.findData(path_id)
            if index >= 0:
                self.path_combo.setCurrentIndex(index)

    def current_kind(self) -> str:
        return self.subject.kind if self.subject else self.kind_combo.currentData()

    def _on_kind_changed(self) -> None:
        kind = self.current_kind()
        if self.subject is None:
            self.form.setRowVisible(self.code_edit, kind == "person")
            self.form.setRowVisible(self.workshop_combo, kind == "workshop")
        self.paths: dict[str, PathSpec] = {
            p.id: p for p in self.training.list_paths(audience=AUDIENCE_OF_SUBJECT[kind])
        }
        self.path_combo.clear()
        for spec in self.paths.values():
            self.path_combo.addItem(spec.title, spec.id)
        self._on_path_changed()

    def _on_path_changed(self) -> None:
        spec = self.paths.get(self.path_combo.currentData() or "")
        self.levels.set_codes(sorted(spec.competence_targets()) if spec else [])

    def chosen_subject(self) -> Subject:
        if self.subject is not None:
            return self.subject
        kind = self.current_kind()
        if kind == "person":
            return self.training.person(self.code_edit.text())
        if kind == "workshop":
            workshop_id = self.workshop_combo.currentData()
            if not workshop_id:
                raise TrainingError(
                    "Aucun atelier collectif n'est enregistré : enregistrez d'abord l'atelier."
                )
            return Subject.workshop(workshop_id)
        return Subject.myself()

    def _save(self) -> None:
        path_id = self.path_combo.currentData()
        if not path_id:
            raise TrainingError("Choisissez un parcours.")
        before, _after = self.levels.levels()
        subject = self.chosen_subject()
        self.enrolled_id = self.training.enrol(
            subject, path_id, occurred_on=_day(self.date_edit), level_before=before
        )
        self.subject = subject


class RecordProgressDialog(_Dialog):
    """Record that a module was started, done or assessed, linked to a session if wanted."""

    KINDS = ("started", "done", "assessed")

    def __init__(
        self,
        notebook: Notebook,
        subject: Subject,
        parent: QWidget | None = None,
        path_id: str | None = None,
        module_id: str | None = None,
    ) -> None:
        super().__init__(self.tr("Record progress"), parent)
        self.setObjectName("recordProgressDialog")
        self.training = notebook.training
        self.subject = subject
        self.recorded: list[str] = []
        progress = self.training.progress(subject)
        self.paths: dict[str, PathSpec] = {}
        for path in progress.paths:
            spec = self.training.get_path(path.path_id)
            if spec is not None:
                self.paths[spec.id] = spec
        self.module_status = {
            (p.path_id, m.module_id): m.status for p in progress.paths for m in p.modules
        }
        self.form.addRow(self.tr("Who"), QLabel(subject_label(subject)))
        self.path_combo = QComboBox()
        self.path_combo.setObjectName("pathCombo")
        for spec in self.paths.values():
            self.path_combo.addItem(spec.title, spec.id)
        self.module_combo = QComboBox()
        self.module_combo.setObjectName("moduleCombo")
        self.form.addRow(self.tr("Path"), self.path_combo)
        self.form.addRow(self.tr("Module"), self.module_combo)
        kinds = QHBoxLayout()
        self.kind_group = QButtonGroup(self)
        labels = {
            "started": self.tr("Started"),
            "done": self.tr("Done"),
            "assessed": self.tr("Level assessed only"),
        }
        for i, kind in enumerate(self.KINDS):
            radio = QRadioButton(labels[kind])
            radio.setObjectName(f"kind_{kind}")
            self.kind_group.addButton(radio, i)
            kinds.addWidget(radio)
        self.kind_group.button(1).setChecked(True)
        kinds.addStretch(1)
        self.form.addRow(self.tr("What"), kinds)
        self.date_edit = _date_edit()
        self.form.addRow(self.tr("Date"), self.date_edit)
        self.session_combo = QComboBox()
        self.session_combo.setObjectName("sessionCombo")
        self.session_combo.addItem(self.tr("No session"), None)
        for s in self.training.sessions_for(subject):
            text = format_date(s.date) + (f" · {s.title}" if s.title else "")
            self.session_combo.addItem(text, s.id)
        if subject.kind != "self":
            self.form.addRow(self.tr("During the session"), self.session_combo)
        self.member_boxes: list[QCheckBox] = []
        if subject.kind == "workshop":
            self.members_row = QWidget()
            self.members_layout = QHBoxLayout(self.members_row)
            self.members_layout.setContentsMargins(0, 0, 0, 0)
            self.form.addRow(self.tr("Also for the codes present"), self.members_row)
        self.levels = self._add_levels(self.tr("Levels assessed (optional)"), True)
        self.path_combo.currentIndexChanged.connect(self._on_path_changed)
        self.module_combo.currentIndexChanged.connect(self._on_module_changed)
        if path_id and self.path_combo.findData(path_id) >= 0:
            self.path_combo.setCurrentIndex(self.path_combo.findData(path_id))
        self._on_path_changed()
        if module_id and self.module_combo.findData(module_id) >= 0:
            self.module_combo.setCurrentIndex(self.module_combo.findData(module_id))
        if not self.paths:
            self.show_error(self.tr("Enrol on a path first."))
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def _on_path_changed(self) -> None:
        spec = self.paths.get(self.path_combo.currentData() or "")
        self.module_combo.blockSignals(True)
        self.module_combo.clear()
        self.module_combo.addItem(self.tr("The whole path (assessment)"), None)
        first_open = 0
        path_id = spec.id if spec else ""
        for module in spec.modules if spec else ():
            status = self.module_status.get((path_id, module.id))
            mark = "✓ " if status == DONE else ""
            self.module_combo.addItem(f"{mark}{module.position}. {module.title}", module.id)
            if not first_open and status != DONE:
                first_open = self.module_combo.count() - 1
        self.module_combo.setCurrentIndex(first_open or (1 if self.module_combo.count() > 1 else 0))
        self.module_combo.blockSignals(False)
        self._on_module_changed()
        if self.subject.kind == "workshop" and spec is not None:
            for box in self.member_boxes:
                box.deleteLater()
            self.member_boxes = []
            matrix = self.training.group_matrix(self.subject.id, spec.id)
            for row in matrix.rows[1:]:
                box = QCheckBox(row.subject.id)
                box.setObjectName(f"member_{row.subject.id}")
                self.members_layout.addWidget(box)
                self.member_boxes.append(box)

    def _on_module_changed(self) -> None:
        spec = self.paths.get(self.path_combo.currentData() or "")
        module_id = self.module_combo.currentData()
        if spec is None:
            self.levels.set_codes([])
            return
        module = spec.module(module_id) if module_id else None
        codes = sorted(module.competence_targets) if module else sorted(spec.competence_targets())
        self.levels.set_codes(codes)

    def set_kind(self, kind: str) -> None:
        self.kind_group.button(self.KINDS.index(kind)).setChecked(True)

    def _save(self) -> None:
        path_id = self.path_combo.currentData()
        if not path_id:
            raise TrainingError("Choisissez un parcours.")
        kind = self.KINDS[self.kind_group.checkedId()]
        before, after = self.levels.levels()
        module_id = self.module_combo.currentData()
        session_id = self.session_combo.currentData() if self.subject.kind != "self" else None
        if self.subject.kind == "workshop":
            members = [b.text() for b in self.member_boxes if b.isChecked()]
            if module_id is None:
                raise TrainingError("Choisissez le module fait par le groupe.")
            self.recorded = self.training.record_group(
                self.subject.id, path_id, module_id, kind, members, _day(self.date_edit), session_id
            )
            return
        self.recorded = [
            self.training.record(
                self.subject,
                path_id,
                module_id,
                kind,
                occurred_on=_day(self.date_edit),
                session_id=session_id,
                level_before=before,
                level_after=after,
            )
        ]


class CertificateDialog(_Dialog):
    """Choose the path, the venue and the date, then save the PDF certificate."""

    def __init__(
        self,
        notebook: Notebook,
        subject: Subject,
        parent: QWidget | None = None,
        path_id: str | None = None,
    ) -> None:
        super().__init__(self.tr("Progress certificate"), parent)
        self.setObjectName("certificateDialog")
        self.notebook = notebook
        self.subject = subject
        self.saved_to: Path | None = None
        progress = notebook.training.progress(subject)
        self.path_combo = QComboBox()
        self.path_combo.setObjectName("pathCombo")
        for path in progress.paths:
            self.path_combo.addItem(path.title, path.path_id)
        if path_id and self.path_combo.findData(path_id) >= 0:
            self.path_combo.setCurrentIndex(self.path_combo.findData(path_id))
        self.venue_combo = QComboBox()
        self.venue_combo.setObjectName("venueCombo")
        self.venue_combo.setEditable(True)
        for venue in notebook.venues.list():
            self.venue_combo.addItem(venue.display)
        self.mediator_edit = QLineEdit(notebook.settings.display_name)
        self.mediator_edit.setObjectName("mediatorEdit")
        self.date_edit = _date_edit()
        self.form.addRow(self.tr("Follow-up code"), QLabel(subject_label(subject)))
        self.form.addRow(self.tr("Path"), self.path_combo)
        self.form.addRow(self.tr("Venue"), self.venue_combo)
        self.form.addRow(self.tr("Mediator"), self.mediator_edit)
        self.form.addRow(self.tr("Date"), self.date_edit)
        note = QLabel(
            self.tr(
                "The certificate shows the code only, with a blank line where you may write "
                "the person's name by hand once printed."
            )
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        self.extra.addWidget(note)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Save the PDF…"))
        if not progress.paths:
            self.show_error(self.tr("No progress is recorded yet for this person."))
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def default_file_name(self) -> str:
        code = self.subject.id.replace("-", "") if self.subject.kind == "person" else "moi"
        return f"attestation-{code}-{_day(self.date_edit).isoformat()}.pdf"

    def save_to(self, target: Path) -> None:
        """Write the certificate to ``target`` (raises TrainingError with a French message)."""
        from app.services.certificate import certificate_data, write_certificate  # ReportLab

        data = certificate_data(
            self.notebook.training,
            self.subject,
            self.path_combo.currentData(),
            venue=self.venue_combo.currentText().strip(),
            mediator_name=self.mediator_edit.text().strip(),
            issued_on=_day(self.date_edit),
        )
        try:
            write_certificate(data, target)
        except OSError as err:
            raise TrainingError(
                f"Le fichier n'a pas pu être écrit ({err.strerror or err}). "
                "Choisissez un autre dossier."
            ) from err
        self.saved_to = target

    def _save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the certificate"),
            str(Path.home() / self.default_file_name()),
            self.tr("PDF document (*.pdf)"),
        )
        if not name:
            raise TrainingError("Aucun fichier choisi : l'attestation n'a pas été enregistrée.")
        self.save_to(Path(name))


__all__ = [
    "CertificateDialog",
    "EnrolDialog",
    "LevelEditor",
    "RecordProgressDialog",
]
