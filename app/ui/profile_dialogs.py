"""Profiles on a shared computer: choose one at start, unlock one with its PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.profiles import ProfileRegistry
from app.ui.common import error_label, show_error, styled_label
from app.ui.icons import icon

PIN_PATTERN = r"\d{0,8}"


def pin_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName("pinEdit")
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(8)
    edit.setValidator(QRegularExpressionValidator(PIN_PATTERN, edit))
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    return edit


class PinDialog(QDialog):
    """Asks the PIN of one profile; accepted only with the right PIN."""

    def __init__(
        self, registry: ProfileRegistry, profile_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.registry = registry
        self.profile_id = profile_id
        profile = registry.get(profile_id)
        name = profile.name if profile else ""
        self.setWindowTitle(self.tr("Locked profile"))
        self.failures = 0
        label = QLabel(self.tr("Type the PIN of the profile “%1”.").replace("%1", name))
        label.setWordWrap(True)
        self.pin_edit = pin_edit()
        self.error = error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Unlock"))
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.pin_edit)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_unlock)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(340)

    def _on_unlock(self) -> None:
        if self.registry.check_pin(self.profile_id, self.pin_edit.text()):
            self.accept()
            return
        self.failures += 1
        show_error(self.error, self.tr("Wrong PIN. Try again."))
        self.pin_edit.clear()
        self.pin_edit.setFocus()


class ProfilePickerDialog(QDialog):
    """At start, when Carnet cannot simply reopen the last profile: pick one (PIN if locked)."""

    sig_profile_chosen = Signal(str)
    sig_new_profile = Signal()

    def __init__(
        self,
        registry: ProfileRegistry,
        preselect: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.registry = registry
        self.setObjectName("profilePicker")
        self.setWindowTitle(self.tr("Carnet — choose your profile"))
        title = styled_label(self.tr("Who is using Carnet?"), "dialogTitle")
        self.list = QListWidget()
        self.list.setObjectName("profileList")
        for profile in registry.profiles:
            item = QListWidgetItem(icon("lock" if profile.has_pin else "profile"), profile.name)
            item.setData(Qt.ItemDataRole.UserRole, profile.id)
            self.list.addItem(item)
            if profile.id == preselect:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self.pin_label = QLabel(self.tr("PIN"))
        self.pin_edit = pin_edit()
        self.error = error_label()
        self.new_button = QPushButton(self.tr("New profile…"))
        self.new_button.setAutoDefault(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Close
        )
        self.buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.pin_label)
        layout.addWidget(self.pin_edit)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.list.currentRowChanged.connect(self._on_current_changed)
        self.list.itemActivated.connect(self._on_open)
        self.buttons.accepted.connect(self._on_open)
        self.buttons.rejected.connect(self.reject)
        self.new_button.clicked.connect(self._on_new_profile)
        self._on_current_changed()
        self.resize(420, 380)

    def current_profile_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _on_current_changed(self) -> None:
        profile_id = self.current_profile_id()
        profile = self.registry.get(profile_id) if profile_id else None
        locked = bool(profile and profile.has_pin)
        self.pin_label.setVisible(locked)
        self.pin_edit.setVisible(locked)
        self.pin_edit.clear()
        show_error(self.error, None)
        if locked:
            self.pin_edit.setFocus()
        else:
            self.list.setFocus()

    def _on_open(self) -> None:
        profile_id = self.current_profile_id()
        if profile_id is None:
            return
        if not self.registry.check_pin(profile_id, self.pin_edit.text()):
            show_error(self.error, self.tr("Wrong PIN. Try again."))
            self.pin_edit.clear()
            self.pin_edit.setFocus()
            return
        self.sig_profile_chosen.emit(profile_id)
        self.accept()

    def _on_new_profile(self) -> None:
        self.sig_new_profile.emit()
        self.accept()
