"""First start: a display name (a pseudonym is fine) and the venues where the mediator works.

The venue editor is shared with the settings dialog; its changes are written only when the
dialog is accepted, so Cancel really cancels."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.communes import CommuneIndex
from app.services.notebook import Notebook
from app.services.venues import VenueService
from app.ui.common import error_label, show_error, styled_label
from app.ui.icons import icon
from app.ui.widgets.commune_picker import CommunePicker

NAME_MAX = 80


@dataclass(frozen=True)
class VenueDraft:
    """A venue as edited: ``id`` None until written."""

    name: str
    commune_insee: str | None
    commune_name: str | None
    postal_code: str | None
    itinerant: bool
    id: str | None = None


class VenuesEditor(QWidget):
    """The list of venues, with a small form to add, correct or remove one."""

    sig_changed = Signal()

    def __init__(
        self,
        communes: CommuneIndex,
        venues: VenueService | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._original: dict[str, VenueDraft] = {}
        self._drafts: list[VenueDraft] = []
        if venues is not None:
            for v in venues.list():
                draft = VenueDraft(
                    v.name, v.commune_insee, v.commune_name, v.postal_code, v.itinerant, v.id
                )
                self._original[v.id] = draft
                self._drafts.append(draft)

        self.list = QListWidget()
        self.list.setObjectName("venueList")
        self.list.setAccessibleName(self.tr("Your venues"))
        self.list.setMinimumHeight(96)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("venueName")
        self.name_edit.setMaxLength(200)
        self.name_edit.setPlaceholderText(self.tr("e.g. Médiathèque Jean Lévy"))
        self.commune_picker = CommunePicker(communes)
        self.commune_picker.setObjectName("venueCommune")
        self.itinerant_check = QCheckBox(self.tr("Itinerant (bus, rotating drop-in sessions…)"))
        self.add_button = QPushButton(self.tr("Add this venue"))
        self.add_button.setObjectName("addVenue")
        self.add_button.setAutoDefault(False)
        self.update_button = QPushButton(self.tr("Update"))
        self.update_button.setAutoDefault(False)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setAutoDefault(False)
        self.error = error_label()

        fields = QFormLayout()
        fields.addRow(self.tr("Venue name"), self.name_edit)
        fields.addRow(self.tr("Commune"), self.commune_picker)
        fields.addRow("", self.itinerant_check)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.update_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(fields)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(self._on_add)
        self.update_button.clicked.connect(self._on_update)
        self.remove_button.clicked.connect(self._on_remove)
        self.list.currentRowChanged.connect(self._on_current_changed)
        self._refill()

    # ---- values --------------------------------------------------------------------------
    def drafts(self) -> list[VenueDraft]:
        return list(self._drafts)

    def has_pending_input(self) -> bool:
        return bool(self.name_edit.text().strip()) and self.list.currentRow() < 0

    def add_pending(self) -> bool:
        """Add what is typed in the fields, if anything; False when it is not valid."""
        if not self.has_pending_input():
            return True
        return self._on_add()

    def apply(self, venues: VenueService) -> None:
        """Write the additions, corrections and removals."""
        kept = {d.id for d in self._drafts if d.id}
        for venue_id in self._original:
            if venue_id not in kept:
                venues.remove(venue_id)
        for draft in self._drafts:
            if draft.id is None:
                venues.add(
                    draft.name,
                    draft.commune_insee,
                    draft.commune_name,
                    draft.postal_code,
                    draft.itinerant,
                )
            elif draft != self._original[draft.id]:
                venues.update(
                    draft.id,
                    name=draft.name,
                    commune_insee=draft.commune_insee,
                    commune_name=draft.commune_name,
                    postal_code=draft.postal_code,
                    itinerant=draft.itinerant,
                )

    # ---- handlers ------------------------------------------------------------------------
    def _draft_from_fields(self, venue_id: str | None) -> VenueDraft | None:
        name = " ".join(self.name_edit.text().split())
        insee, commune_name, postal = self.commune_picker.value()
        itinerant = self.itinerant_check.isChecked()
        if not name:
            show_error(self.error, self.tr("Give the venue a name."))
            self.name_edit.setFocus()
            return None
        if not insee and not itinerant:
            show_error(self.error, self.tr("Choose the venue's commune from the list."))
            self.commune_picker.setFocus()
            return None
        row = self.list.currentRow()
        if any(
            d.name.casefold() == name.casefold() and i != row for i, d in enumerate(self._drafts)
        ):
            show_error(self.error, self.tr("You already have a venue with this name."))
            return None
        show_error(self.error, None)
        return VenueDraft(name, insee, commune_name, postal, itinerant, venue_id)

    def _on_add(self) -> bool:
        self.list.setCurrentRow(-1)
        draft = self._draft_from_fields(None)
        if draft is None:
            return False
        self._drafts.append(draft)
        self._clear_fields()
        self._refill()
        self.sig_changed.emit()
        self.name_edit.setFocus()
        return True

    def _on_update(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        current = self._drafts[row]
        draft = self._draft_from_fields(current.id)
        if draft is None:
            return
        self._drafts[row] = replace(draft, id=current.id)
        self._refill(row)
        self.sig_changed.emit()

    def _on_remove(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        del self._drafts[row]
        self._clear_fields()
        self._refill()
        self.sig_changed.emit()

    def _on_current_changed(self, row: int) -> None:
        editing = 0 <= row < len(self._drafts)
        self.update_button.setEnabled(editing)
        self.remove_button.setEnabled(editing)
        if editing:
            draft = self._drafts[row]
            self.name_edit.setText(draft.name)
            self.commune_picker.set_value(
                draft.commune_insee, draft.commune_name, draft.postal_code
            )
            self.itinerant_check.setChecked(draft.itinerant)

    def _clear_fields(self) -> None:
        self.name_edit.clear()
        self.commune_picker.set_value(None, None, None)
        self.itinerant_check.setChecked(False)

    def _refill(self, current: int = -1) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for draft in self._drafts:
            where = draft.commune_name or ""
            if draft.postal_code and where:
                where += f" ({draft.postal_code})"
            kind = self.tr("itinerant") if draft.itinerant else self.tr("fixed venue")
            text = f"{draft.name} — {where} · {kind}" if where else f"{draft.name} · {kind}"
            item = QListWidgetItem(icon("venue"), text)
            self.list.addItem(item)
        if not self._drafts:
            placeholder = QListWidgetItem(self.tr("No venue yet: add the first one below."))
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(placeholder)
        self.list.setCurrentRow(current)
        self.list.blockSignals(False)
        self._on_current_changed(current)


class WelcomeDialog(QDialog):
    """Shown once, when the profile has no display name yet."""

    sig_done = Signal(str)  # the display name

    def __init__(
        self, notebook: Notebook, communes: CommuneIndex, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.notebook = notebook
        self.setWindowTitle(self.tr("Welcome to Carnet"))
        title = styled_label(self.tr("Welcome to Carnet"), "dialogTitle")
        intro = styled_label(
            self.tr(
                "Carnet records your support sessions anonymously, even without a network. "
                "Two things before starting: what to call you, and where you work. "
                "You can change them later in Settings."
            ),
            "muted",
            wrap=True,
        )

        self.name_edit = QLineEdit(notebook.settings.display_name)
        self.name_edit.setObjectName("displayName")
        self.name_edit.setMaxLength(NAME_MAX)
        self.name_edit.setPlaceholderText(self.tr("e.g. Camille D. or a pseudonym"))
        self.name_error = error_label()
        name_hint = styled_label(self.tr("A first name or a pseudonym is enough."), "hint")
        venues_title = styled_label(self.tr("Your venues (lieux d'activité)"), "sectionTitle")
        venues_hint = styled_label(
            self.tr(
                "Where you hold your sessions: a media library, a social centre, a France "
                "Services office… Itinerant if you move around."
            ),
            "hint",
            wrap=True,
        )
        self.venues = VenuesEditor(communes, notebook.venues)
        self.venues_error = error_label()

        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton(
            self.tr("Start"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.start_button.setObjectName("primaryButton")
        self.buttons.accepted.connect(self._on_accept)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        form = QFormLayout()
        form.addRow(self.tr("Your name"), self.name_edit)
        form.addRow("", name_hint)
        layout.addLayout(form)
        layout.addWidget(self.name_error)
        layout.addSpacing(6)
        layout.addWidget(venues_title)
        layout.addWidget(venues_hint)
        layout.addWidget(self.venues, 1)
        layout.addWidget(self.venues_error)
        layout.addWidget(self.buttons)
        self.resize(640, 620)
        self.name_edit.setFocus()

    def _on_accept(self) -> None:
        name = " ".join(self.name_edit.text().split())
        show_error(self.name_error, None if name else self.tr("Tell Carnet what to call you."))
        if not self.venues.add_pending():
            return
        no_venue = not self.venues.drafts()
        show_error(self.venues_error, self.tr("Add at least one venue.") if no_venue else None)
        if not name:
            self.name_edit.setFocus()
            return
        if no_venue:
            self.venues.name_edit.setFocus()
            return
        self.venues.apply(self.notebook.venues)
        self.notebook.settings.set("display_name", name)
        self.sig_done.emit(name)
        self.accept()
