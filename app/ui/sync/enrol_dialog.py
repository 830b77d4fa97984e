"""Link this device to the hub: the hub's address and a one-time code from the coordinator.

The QR code printed by ``carnet-hub enrol-code`` holds ``carnet://inscription?hub=…&code=…``;
pasted into either field, that link fills both. The exchange runs on the sync worker: the dialog
stays responsive, and every failure gets a French sentence next to the field to correct.
"""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, urlsplit

from PySide6.QtCore import QSysInfo, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.sync.errors import (
    InsecureHubAddress,
    RateLimited,
    RequestRejected,
    SyncBusy,
    SyncError,
    TransportError,
)
from app.sync.wire import WireFormatError
from app.ui.sync.controller import SyncController
from app.ui.sync.style import SYNC_STYLE, show_notice

LINK_SCHEME = "carnet"
LINK_HOST = "inscription"


def parse_enrolment_link(text: str) -> tuple[str | None, str | None] | None:
    """``carnet://inscription?hub=<address>&code=ABCD-EFGH`` → (hub, code); None when the text
    is not such a link (``hub`` is absent when the operator gave no public address)."""
    value = text.strip()
    if not value.lower().startswith(f"{LINK_SCHEME}://"):
        return None
    parts = urlsplit(value)
    if parts.netloc.lower() != LINK_HOST:
        return None
    query = parse_qs(parts.query)
    hub = query.get("hub", [""])[0].strip()
    code = query.get("code", [""])[0].strip().upper()
    return hub or None, code or None


class EnrolDialog(QDialog):
    sig_linked = Signal(object)  # EnrolmentInfo

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolDialog")
        self.controller = controller
        self.setWindowTitle(self.tr("Link to a hub"))
        self.setMinimumWidth(520)
        self.setStyleSheet(SYNC_STYLE)
        self.busy = False

        title = QLabel(self.tr("Link this computer to your hub"))
        title.setObjectName("dialogTitle")
        intro = QLabel(
            self.tr(
                "Your coordinator gives you the hub's address and a one-time code (or a QR code: "
                "paste the link it holds into one of the fields). Your sessions stay on this "
                "computer; the hub receives a copy, for your other devices and for the statistics "
                "of your structure."
            )
        )
        intro.setWordWrap(True)
        intro.setObjectName("hint")

        self.hub_edit = QLineEdit()
        self.hub_edit.setObjectName("hubEdit")
        self.hub_edit.setPlaceholderText("https://hub.exemple.fr")
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("codeEdit")
        self.code_edit.setPlaceholderText("ABCD-EFGH")
        self.name_edit = QLineEdit(QSysInfo.machineHostName())
        self.name_edit.setObjectName("deviceNameEdit")
        self.name_edit.setMaxLength(100)
        self.name_edit.setToolTip(
            self.tr("How the hub's staff will recognise this computer in the list of devices.")
        )
        form = QFormLayout()
        form.addRow(self.tr("Hub address"), self.hub_edit)
        form.addRow(self.tr("Enrolment code"), self.code_edit)
        form.addRow(self.tr("Name of this computer"), self.name_edit)

        self.keyring_label = QLabel(self.tr("Checking where the device's key can be kept…"))
        self.keyring_label.setObjectName("keyringNotice")
        self.keyring_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("enrolError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setVisible(False)
        self.busy_label = QLabel(self.tr("Contacting the hub…"))
        self.busy_label.setObjectName("hint")
        self.busy_label.setVisible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.link_button = self.buttons.addButton(
            self.tr("Link"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.link_button.setObjectName("linkButton")
        self.link_button.setDefault(True)
        self.buttons.accepted.connect(self._on_link)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.keyring_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.busy_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        for edit in (self.hub_edit, self.code_edit):
            edit.textChanged.connect(self._on_text_changed)
        snapshot = controller.snapshot
        if snapshot is not None and snapshot.last_hub_url:
            self.hub_edit.setText(snapshot.last_hub_url)
            self.code_edit.setFocus()
        controller.sig_enrol_finished.connect(self._on_enrol_finished)
        controller.token_info(self._show_token_notice)

    # ---- input -------------------------------------------------------------------------------
    def _on_text_changed(self, text: str) -> None:
        link = parse_enrolment_link(text)
        if link is None:
            return
        hub, code = link
        for edit, value in ((self.hub_edit, hub), (self.code_edit, code)):
            edit.blockSignals(True)
            if value:
                edit.setText(value)
            elif edit.text().strip().lower().startswith(f"{LINK_SCHEME}://"):
                edit.clear()  # the link itself, pasted here, holds no value for this field
            edit.blockSignals(False)
        # Without the hub's address in the link, it is the field left to fill in.
        (self.link_button if self.hub_edit.text().strip() else self.hub_edit).setFocus()

    def _show_token_notice(self, notice: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # the dialog was closed meanwhile
            show_notice(
                self.keyring_label,
                notice
                or self.tr(
                    "The hub gives this computer its own key. Carnet keeps it in the system's "
                    "keyring (its password manager), never in a file."
                ),
                warning=notice is not None,
            )

    def show_error(self, message: str, field: QLineEdit | None = None) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(True)
        if field is not None:
            field.setFocus()
            field.selectAll()

    # ---- exchange ----------------------------------------------------------------------------
    def _on_link(self) -> None:
        if self.busy:
            return
        hub = self.hub_edit.text().strip()
        code = self.code_edit.text().strip()
        if not hub:
            self.show_error(self.tr("Enter the hub's address."), self.hub_edit)
            return
        if not code:
            self.show_error(self.tr("Enter the enrolment code."), self.code_edit)
            return
        self._set_busy(True)
        self.error_label.setVisible(False)
        self.controller.enrol(hub, code, self.name_edit.text().strip())

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.hub_edit, self.code_edit, self.name_edit, self.link_button):
            widget.setEnabled(not busy)
        self.busy_label.setVisible(busy)

    def _on_enrol_finished(self, info: object, error: BaseException | None) -> None:
        if not self.busy:
            return
        self._set_busy(False)
        if info is not None:
            self.sig_linked.emit(info)
            self.accept()
            return
        message, field = self.explain(error)
        self.show_error(message, field)

    def explain(self, error: BaseException | None) -> tuple[str, QLineEdit | None]:
        """The French sentence for a failed enrolment, and the field to correct."""
        if isinstance(error, InsecureHubAddress):
            return error.message, self.hub_edit
        if isinstance(error, RequestRejected) and error.code == "enrolment_code_invalid":
            return error.message, self.code_edit  # wrong, used or expired: the hub says which not
        if isinstance(error, RateLimited):
            seconds = max(1, round(error.retry_after))
            return (
                self.tr(
                    "Too many attempts from this computer: wait %n second(s), then try again.",
                    None,
                    seconds,
                ),
                self.code_edit,
            )
        if isinstance(error, TransportError):
            return self._explain_transport(error), self.hub_edit
        if isinstance(error, WireFormatError):
            return self._not_a_hub(), self.hub_edit
        if isinstance(error, SyncBusy):
            return self.tr("A synchronisation is running: try again in a moment."), None
        if isinstance(error, SyncError):
            field = self.code_edit if error.code == "mediator_mismatch" else None
            return error.message, field
        return (
            self.tr(
                "The link with the hub failed for an unexpected reason. Nothing was changed; "
                "Carnet's log keeps a trace of it."
            ),
            None,
        )

    def _explain_transport(self, error: TransportError) -> str:
        import requests  # loaded already: the transport raised this error

        cause = error.__cause__
        if isinstance(cause, requests.exceptions.SSLError):
            return self.tr(
                "The secure connection to the hub failed: its certificate is not recognised, or "
                "the address does not answer in https. Check the address with your coordinator. "
                "Nothing was sent."
            )
        if isinstance(cause, requests.exceptions.RequestException):
            return self.tr(
                "The hub cannot be reached at this address. Check the address (as given by your "
                "coordinator) and this computer's connection, then try again."
            )
        if "HTTP 5" in error.message:
            return error.message  # the hub is there but failing: its own words
        return self._not_a_hub()

    def _not_a_hub(self) -> str:
        return self.tr(
            "The server at this address does not answer like a Carnet hub. Check the address: "
            "it may be a web page, a proxy or a Wi-Fi login page."
        )
