"""The "Synchronisation" panel: the link with the hub, the state of the last sync, and the
changes the hub refused or found in conflict, each with its reason and what to do.

A conflict shows both values of each field changed on both sides; "Keep mine" sends this
computer's values to the hub as a new change, "Keep the hub's" leaves the hub's (already on this
computer) and tells the hub. A refused change can be opened to be corrected, or dismissed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.sync.controller import OFFLINE, PROBLEM, SyncController
from app.ui.sync.style import SYNC_STYLE

if TYPE_CHECKING:
    from app.sync.engine import SyncIssueInfo

META_FIELDS = {"id", "version", "created_at", "updated_at", "deleted_at"}
MAX_VALUE_CHARS = 160


def conflict_fields(issue: SyncIssueInfo) -> list[str]:
    """The fields changed on both sides (named by the hub, or found by comparing)."""
    if issue.fields:
        return list(issue.fields)
    theirs = issue.hub_payload or {}
    mine = issue.local_payload
    return sorted(k for k in mine if k not in META_FIELDS and mine.get(k) != theirs.get(k))


class IssueCard(QFrame):
    """One review item, with its actions."""

    def __init__(self, panel: SyncPanel, issue: SyncIssueInfo) -> None:
        super().__init__()
        self.setObjectName("card")
        self.panel = panel
        self.issue = issue
        self.buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        title = QLabel(f"{self._kind_title()} — {self._subject()}")
        title.setObjectName("cardTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        reason = QLabel(issue.reason)
        reason.setWordWrap(True)
        reason.setObjectName("issueReason")
        layout.addWidget(reason)
        if issue.kind == "conflict":
            layout.addWidget(self._conflict_table())
        if issue.advice:
            advice = QLabel(self.tr("What to do: %1").replace("%1", issue.advice))
            advice.setWordWrap(True)
            advice.setObjectName("hint")
            layout.addWidget(advice)
        noted = QLabel(self.tr("Noted on %1").replace("%1", panel.date_and_time(issue.created_at)))
        noted.setObjectName("muted")
        row = QHBoxLayout()
        row.addWidget(noted)
        row.addStretch(1)
        for action, text in self._actions():
            button = QPushButton(text)
            button.setObjectName(f"issue_{action}")
            button.clicked.connect(lambda _=False, a=action: self._on_action(a))
            self.buttons[action] = button
            row.addWidget(button)
        layout.addLayout(row)

    def _kind_title(self) -> str:
        if self.issue.kind == "conflict":
            return self.tr("Conflict")
        if self.issue.kind == "gone":
            return self.tr("Deleted on another device")
        return self.tr("Refused by the hub")

    def _subject(self) -> str:
        payload = self.issue.local_payload
        entity = self.issue.entity
        if entity == "accompagnement":
            day = _date_text(payload.get("date"))
            return self.tr("session of %1").replace("%1", day) if day else self.tr("a session")
        name = str(payload.get("name") or payload.get("code") or "")
        if entity == "venue":
            return self.tr("venue « %1 »").replace("%1", name)
        if entity == "beneficiary":
            return self.tr("followed person %1").replace("%1", name)
        if entity == "tag":
            return self.tr("tag « %1 »").replace("%1", name)
        return entity

    def _conflict_table(self) -> QTableWidget:
        names = conflict_fields(self.issue)
        mine = self.issue.local_payload
        theirs = self.issue.hub_payload or {}
        labels = self.panel.field_labels()
        table = QTableWidget(len(names), 3)
        table.setObjectName("conflictTable")
        table.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("On this computer"), self.tr("On the hub")]
        )
        for row, name in enumerate(names):
            cells = (
                labels.get(name, name),
                self._value(mine.get(name)),
                self._value(theirs.get(name)),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, col, item)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setWordWrap(True)
        table.resizeRowsToContents()
        height = table.horizontalHeader().height() + sum(
            table.rowHeight(r) for r in range(len(names))
        )
        table.setFixedHeight(height + 4)
        return table

    def _value(self, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return self.tr("yes") if value else self.tr("no")
        text = _date_text(value) if isinstance(value, str) else None
        text = text or str(value)
        return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"

    def _actions(self) -> list[tuple[str, str]]:
        if self.issue.kind == "conflict":
            return [("keep_mine", self.tr("Keep mine")), ("keep_hub", self.tr("Keep the hub's"))]
        actions = []
        if (
            self.issue.kind == "rejected"
            and self.issue.entity == "accompagnement"
            and not self.issue.local_payload.get("deleted_at")
            and hasattr(self.panel.parent(), "open_form")
        ):
            actions.append(("open", self.tr("Open the session")))
        actions.append(("dismiss", self.tr("Dismiss")))
        return actions

    def _on_action(self, action: str) -> None:
        if action == "open":
            window: Any = self.panel.parent()
            window.open_form(session_id=self.issue.entity_id)
            return
        for button in self.buttons.values():
            button.setEnabled(False)
        self.panel.controller.resolve(self.issue.id, action)


class SyncPanel(QDialog):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncPanel")
        self.controller = controller
        self.setWindowTitle(self.tr("Synchronisation"))
        self.setStyleSheet(SYNC_STYLE)
        self.resize(760, 680)
        self.cards: list[IssueCard] = []
        self.confirm_box: QMessageBox | None = None

        title = QLabel(self.tr("Synchronisation"))
        title.setObjectName("dialogTitle")

        # -- the link with the hub
        link_card = QFrame()
        link_card.setObjectName("card")
        link = QVBoxLayout(link_card)
        link_title = QLabel(self.tr("Link with the hub"))
        link_title.setObjectName("cardTitle")
        link.addWidget(link_title)
        grid = QGridLayout()
        self.link_values: dict[str, QLabel] = {}
        for row, (key, label) in enumerate(
            (
                ("hub", self.tr("Hub")),
                ("device", self.tr("This computer")),
                ("mediator", self.tr("Mediator")),
                ("since", self.tr("Linked since")),
            )
        ):
            name = QLabel(label)
            name.setObjectName("muted")
            value = QLabel()
            value.setObjectName(f"link_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
            self.link_values[key] = value
        grid.setColumnStretch(1, 1)
        self.link_grid = QWidget()
        self.link_grid.setLayout(grid)
        link.addWidget(self.link_grid)
        self.not_linked_label = QLabel(
            self.tr(
                "This computer is not linked to a hub: everything stays here. Ask your "
                "coordinator for an enrolment code to send your sessions to the hub."
            )
        )
        self.not_linked_label.setWordWrap(True)
        link.addWidget(self.not_linked_label)
        self.keyring_label = QLabel()
        self.keyring_label.setObjectName("keyringNotice")
        self.keyring_label.setWordWrap(True)
        link.addWidget(self.keyring_label)
        buttons = QHBoxLayout()
        self.sync_button = QPushButton(self.tr("Synchronise now"))
        self.sync_button.setObjectName("primaryButton")
        self.sync_button.clicked.connect(lambda: controller.sync_now())
        self.enrol_button = QPushButton(self.tr("Link to a hub…"))
        self.enrol_button.clicked.connect(controller.open_enrol_dialog)
        self.disconnect_button = QPushButton(self.tr("Disconnect from the hub"))
        self.disconnect_button.clicked.connect(self._on_disconnect)
        buttons.addWidget(self.sync_button)
        buttons.addStretch(1)
        buttons.addWidget(self.enrol_button)
        buttons.addWidget(self.disconnect_button)
        link.addLayout(buttons)

        # -- the last sync
        self.state_label = QLabel()
        self.state_label.setObjectName("syncState")
        self.state_label.setWordWrap(True)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("syncProblem")
        self.problem_label.setWordWrap(True)
        self.clock_label = QLabel()
        self.clock_label.setObjectName("clockWarning")
        self.clock_label.setWordWrap(True)
        self.action_error = QLabel()
        self.action_error.setObjectName("syncProblem")
        self.action_error.setWordWrap(True)
        self.action_error.setVisible(False)

        # -- review items
        issues_title = QLabel(self.tr("Refused changes and conflicts"))
        issues_title.setObjectName("sectionTitle")
        self.empty_label = QLabel(self.tr("Nothing to review: the hub accepted every change."))
        self.empty_label.setObjectName("muted")
        self.issues_box = QWidget()
        self.issues_box.setObjectName("issuesBox")
        self.issues_layout = QVBoxLayout(self.issues_box)
        self.issues_layout.setContentsMargins(0, 0, 0, 0)
        self.issues_layout.addWidget(self.empty_label)
        self.issues_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.issues_box)
        scroll.viewport().setAutoFillBackground(False)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(link_card)
        layout.addWidget(self.state_label)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.clock_label)
        layout.addWidget(self.action_error)
        layout.addWidget(issues_title)
        layout.addWidget(scroll, 1)
        layout.addWidget(close)

        controller.sig_changed.connect(self.update_state)
        controller.sig_issues.connect(self.show_issues)
        controller.sig_synced.connect(lambda _report: controller.load_issues())
        controller.sig_action_failed.connect(self._on_action_failed)
        self.update_state()
        controller.load_issues()

    # ---- state -------------------------------------------------------------------------------
    def update_state(self) -> None:
        controller = self.controller
        snapshot = controller.snapshot
        view = controller.view()
        enrolment = snapshot.enrolment if snapshot is not None else None
        linked = enrolment is not None
        self.link_grid.setVisible(linked)
        self.not_linked_label.setVisible(snapshot is not None and not linked)
        if enrolment is not None:
            hub = enrolment.hub_name or enrolment.hub_url
            self.link_values["hub"].setText(
                f"{hub} ({enrolment.hub_url})" if enrolment.hub_name else hub
            )
            self.link_values["device"].setText(enrolment.device_name or "—")
            self.link_values["mediator"].setText(enrolment.mediator_name or "—")
            self.link_values["since"].setText(
                self.date_and_time(enrolment.enrolled_at) if enrolment.enrolled_at else "—"
            )
        notice = snapshot.token_notice if snapshot is not None else None
        if linked:
            self.keyring_label.setText(
                notice
                or self.tr("This computer's key is kept in the system's keyring, never in a file.")
            )
        else:
            self.keyring_label.setText(notice or "")
        self.keyring_label.setVisible(bool(self.keyring_label.text()))
        self.sync_button.setEnabled(linked and not controller.syncing)
        self.disconnect_button.setVisible(linked)
        self.enrol_button.setText(self.tr("Link again…") if linked else self.tr("Link to a hub…"))
        indicator = controller.indicator
        describe = getattr(indicator, "describe", None)
        self.state_label.setText(describe(view)[0] if describe is not None else "")
        problem = view.message if view.state in (PROBLEM, OFFLINE) else None
        self.problem_label.setText(problem or "")
        self.problem_label.setVisible(bool(problem))
        self.clock_label.setText(view.clock_warning or "")
        self.clock_label.setVisible(bool(view.clock_warning))

    def show_issues(self, issues: list[SyncIssueInfo]) -> None:
        for card in self.cards:
            self.issues_layout.removeWidget(card)
            card.deleteLater()
        self.cards = []
        for issue in issues:
            card = IssueCard(self, issue)
            self.issues_layout.insertWidget(self.issues_layout.count() - 1, card)
            self.cards.append(card)
        self.empty_label.setVisible(not issues)

    def _on_action_failed(self, message: str) -> None:
        self.action_error.setText(message)
        self.action_error.setVisible(True)

    def _on_disconnect(self) -> None:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Disconnect from the hub"))
        box.setText(self.tr("Disconnect this computer from the hub?"))
        box.setInformativeText(
            self.tr(
                "Its key is removed from the keyring. Your sessions stay on this computer, and "
                "the %n change(s) waiting will go to the hub once the computer is linked again "
                "with a new code. If the computer leaves your hands, ask your coordinator to "
                "revoke it on the hub as well.",
                None,
                self.controller.pending,
            )
        )
        yes = box.addButton(self.tr("Disconnect"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)

        def on_finished() -> None:
            if box.clickedButton() is yes:
                self.controller.disconnect_hub()

        box.finished.connect(on_finished)
        self.confirm_box = box
        box.open()
        return None

    # ---- labels ------------------------------------------------------------------------------
    def date_and_time(self, when: dt.datetime) -> str:
        local = when.astimezone()
        return (
            self.tr("%1 at %2")
            .replace("%1", local.strftime("%d/%m/%Y"))
            .replace("%2", local.strftime("%H:%M"))
        )

    def field_labels(self) -> dict[str, str]:
        return {
            "date": self.tr("Date"),
            "duration_min": self.tr("Duration (minutes)"),
            "kind": self.tr("Kind of session"),
            "place_type": self.tr("Place"),
            "venue_id": self.tr("Venue"),
            "commune_name": self.tr("Commune"),
            "commune_insee": self.tr("Commune code"),
            "postal_code": self.tr("Postal code"),
            "themes": self.tr("Themes"),
            "demarche_name": self.tr("Procedure"),
            "materiels": self.tr("Equipment"),
            "tags": self.tr("Tags"),
            "notes": self.tr("Notes"),
            "autonomy": self.tr("Autonomy"),
            "oriented": self.tr("Referred"),
            "orientation": self.tr("Referred to"),
            "beneficiary_id": self.tr("Followed person"),
            "genre": self.tr("Gender"),
            "age_bracket": self.tr("Age"),
            "statut": self.tr("Status"),
            "residence_name": self.tr("Place of residence"),
            "residence_insee": self.tr("Residence code"),
            "workshop_title": self.tr("Workshop title"),
            "workshop_level": self.tr("Level"),
            "participants": self.tr("Participants"),
            "participants_returning": self.tr("Returning participants"),
            "counters": self.tr("Counts"),
            "name": self.tr("Name"),
            "code": self.tr("Follow-up code"),
        }


def _date_text(value: Any) -> str | None:
    """``2025-03-14`` → ``14/03/2025``; other values → None."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return None
