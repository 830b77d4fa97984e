"""Paramètres: the display name, the venues, the profile's name and its PIN."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.communes import CommuneIndex
from app.services.notebook import Notebook
from app.services.profiles import ProfileRegistry
from app.ui.common import error_label, show_error, styled_label
from app.ui.profile_dialogs import pin_edit
from app.ui.welcome import NAME_MAX, VenuesEditor

PIN_MIN = 4


class SettingsDialog(QDialog):
    def __init__(
        self,
        notebook: Notebook,
        registry: ProfileRegistry,
        profile_id: str,
        communes: CommuneIndex,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.notebook = notebook
        self.registry = registry
        self.profile_id = profile_id
        profile = registry.get(profile_id)
        self.setWindowTitle(self.tr("Settings"))

        # -- you
        self.name_edit = QLineEdit(notebook.settings.display_name)
        self.name_edit.setObjectName("displayName")
        self.name_edit.setMaxLength(NAME_MAX)
        self.name_error = error_label()
        self.profile_name_edit = QLineEdit(profile.name if profile else "")
        self.profile_name_edit.setObjectName("profileName")
        self.profile_name_edit.setMaxLength(NAME_MAX)
        self.profile_name_error = error_label()
        you = QWidget()
        you_form = QFormLayout(you)
        you_form.addRow(self.tr("Your name"), self.name_edit)
        you_form.addRow("", self._hint(self.tr("A first name or a pseudonym is enough.")))
        you_form.addRow("", self.name_error)
        you_form.addRow(self.tr("Profile name"), self.profile_name_edit)
        you_form.addRow(
            "",
            self._hint(
                self.tr("Shown in the profile list when several people share this computer.")
            ),
        )
        you_form.addRow("", self.profile_name_error)

        # -- venues
        self.venues = VenuesEditor(communes, notebook.venues)
        self.venues_error = error_label()
        venues_page = QWidget()
        venues_layout = QVBoxLayout(venues_page)
        venues_layout.addWidget(self.venues, 1)
        venues_layout.addWidget(self.venues_error)

        # -- PIN
        has_pin = bool(profile and profile.has_pin)
        self.pin_state = QLabel(
            self.tr("This profile is locked by a PIN.")
            if has_pin
            else self.tr("This profile has no PIN: anyone using this computer can open it.")
        )
        self.pin_state.setWordWrap(True)
        self.pin_edit = pin_edit()
        self.pin_confirm = pin_edit()
        self.pin_confirm.setObjectName("pinConfirm")
        self.remove_pin_check = QCheckBox(self.tr("Remove the PIN"))
        self.remove_pin_check.setVisible(has_pin)
        self.pin_error = error_label()
        pin_page = QWidget()
        pin_form = QFormLayout(pin_page)
        pin_form.addRow(self.pin_state)
        pin_form.addRow(
            self.tr("New PIN") if has_pin else self.tr("PIN (4 to 8 digits)"), self.pin_edit
        )
        pin_form.addRow(self.tr("Confirm the PIN"), self.pin_confirm)
        pin_form.addRow("", self.remove_pin_check)
        pin_form.addRow("", self.pin_error)
        pin_form.addRow(
            "",
            self._hint(
                self.tr(
                    "The PIN keeps a colleague from opening your notebook by mistake on a shared "
                    "computer. Leave it empty to keep things as they are."
                )
            ),
        )

        self.tabs = QTabWidget()
        self.tabs.addTab(you, self.tr("You"))
        self.tabs.addTab(venues_page, self.tr("Venues"))
        self.tabs.addTab(pin_page, self.tr("PIN"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        self.remove_pin_check.toggled.connect(self._on_remove_pin_toggled)
        self.resize(640, 560)

    @staticmethod
    def _hint(text: str) -> QLabel:
        return styled_label(text, "hint", wrap=True)

    def _on_remove_pin_toggled(self, checked: bool) -> None:
        self.pin_edit.setEnabled(not checked)
        self.pin_confirm.setEnabled(not checked)

    def _pin_problem(self) -> str | None:
        if self.remove_pin_check.isChecked():
            return None
        pin, confirm = self.pin_edit.text(), self.pin_confirm.text()
        if not pin and not confirm:
            return None
        if len(pin) < PIN_MIN or not pin.isdigit():
            return self.tr("A PIN has 4 to 8 digits.")
        if pin != confirm:
            return self.tr("The two PINs differ.")
        return None

    def _on_save(self) -> None:
        name = " ".join(self.name_edit.text().split())
        profile_name = " ".join(self.profile_name_edit.text().split())
        pin_problem = self._pin_problem()
        show_error(self.name_error, None if name else self.tr("Tell Carnet what to call you."))
        show_error(
            self.profile_name_error, None if profile_name else self.tr("Give the profile a name.")
        )
        show_error(self.pin_error, pin_problem)
        venues_ok = self.venues.add_pending()
        no_venue = venues_ok and not self.venues.drafts()
        show_error(self.venues_error, self.tr("Keep at least one venue.") if no_venue else None)
        problems = [
            (not name or not profile_name, 0),
            (not venues_ok or no_venue, 1),
            (pin_problem is not None, 2),
        ]
        for failed, tab in problems:
            if failed:
                self.tabs.setCurrentIndex(tab)
                return
        self.notebook.settings.set("display_name", name)
        self.venues.apply(self.notebook.venues)
        self.registry.rename(self.profile_id, profile_name)
        if self.remove_pin_check.isChecked():
            self.registry.set_pin(self.profile_id, None)
        elif self.pin_edit.text():
            self.registry.set_pin(self.profile_id, self.pin_edit.text())
        self.accept()
