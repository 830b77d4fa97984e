"""The session form: what a mediator fills in after every session, individual or workshop.

Fast from the keyboard (Alt+1..9 tick the most used themes, Ctrl+S saves, Esc closes), with the
national fields and codes, and nothing typed is ever lost: every change is kept as a draft
(debounced) and on close, offered back next time, and only discarded once the session is saved.
There is no name, phone or e-mail field: a note that looks like one gets a warning first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QDate, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from app.models import referentiels as ref
from app.models.communes import CommuneIndex
from app.models.errors import StorageError
from app.services.drafts import key_for
from app.services.notebook import Notebook
from app.services.privacy import find_identity_data
from app.services.sessions import SessionInput, ValidationError, validate
from app.ui.widgets import style
from app.ui.widgets.chips import ChipGroup
from app.ui.widgets.collapsible import CollapsibleSection
from app.ui.widgets.commune_picker import CommunePicker
from app.ui.widgets.counters import CountersEditor
from app.ui.widgets.duration_picker import DurationPicker
from app.ui.widgets.followup_code import FollowupCodeField
from app.ui.widgets.place_picker import VENUE, WITH_COMMUNE, PlacePicker
from app.ui.widgets.tag_editor import TagEditor
from app.ui.widgets.theme_picker import ThemePicker

log = logging.getLogger(__name__)

DRAFT_DELAY_MS = 500
MAX_PARTICIPANTS = 999
# Order of the fields on screen: the first one in error gets the focus.
FIELD_ORDER = (
    "kind",
    "date",
    "duration_min",
    "place_type",
    "venue_id",
    "commune",
    "themes",
    "materiels",
    "followup_code",
    "autonomy",
    "orientation",
    "genre",
    "age_bracket",
    "statut",
    "workshop_title",
    "workshop_level",
    "participants",
    "participants_returning",
    "counters",
    "tags",
)

_QSS = f"""
QDialog#session_form {{ background: {style.PAGE}; }}
QScrollArea#form_scroll, QWidget#form_body {{ background: {style.PAGE}; border: none; }}
QFrame#card {{ background: {style.SURFACE}; border: 1px solid #dde2e8; border-radius: 10px; }}
QLabel#card_title {{ color: {style.TEXT}; font-size: 13pt; font-weight: 600; }}
QLabel#field_label {{ color: {style.TEXT}; font-weight: 600; padding-top: 8px; }}
QLabel#hint {{ color: {style.TEXT_MUTED}; }}
QLabel#heading {{ color: {style.TEXT}; font-size: 16pt; font-weight: 600; }}
QLabel#field_error {{ {style.ERROR_LABEL_QSS} }}
QLineEdit, QPlainTextEdit {{
    background: {style.SURFACE}; color: {style.TEXT}; border: 1px solid {style.BORDER};
    border-radius: 6px; padding: 5px 8px; min-height: 22px;
}}
QDateEdit, QComboBox, QSpinBox {{ min-height: 30px; }}
QLineEdit:focus, QPlainTextEdit:focus {{
    border: 2px solid {style.ACCENT};
}}
QLineEdit[invalid="true"] {{
    border: 2px solid {style.ERROR}; border-radius: 6px;
}}
QPushButton {{
    background: {style.SURFACE}; color: {style.TEXT}; border: 1px solid {style.BORDER};
    border-radius: 8px; padding: 7px 16px; min-height: 22px;
}}
QPushButton:hover {{ background: {style.SURFACE_HOVER}; border-color: {style.BORDER_HOVER}; }}
QPushButton:focus {{ border: 2px solid {style.ACCENT}; }}
QPushButton#primary {{
    background: {style.ACCENT}; color: white; border: 1px solid {style.ACCENT}; font-weight: 600;
}}
QPushButton#primary:hover {{ background: #244c93; }}
QPushButton#primary:focus {{ border: 2px solid {style.ACCENT_TEXT}; }}
QPushButton#link {{
    border: none; background: transparent; color: {style.ACCENT}; padding: 4px 6px;
    text-decoration: underline;
}}
QFrame#draft_banner {{
    background: {style.ACCENT_SOFT}; border: 1px solid {style.ACCENT}; border-radius: 8px;
}}
QFrame#privacy_banner {{
    background: {style.WARNING_SOFT}; border: 1px solid {style.WARNING_BORDER}; border-radius: 8px;
}}
QLabel#save_message {{
    background: {style.ERROR_SOFT}; color: {style.ERROR}; border: 1px solid {style.ERROR};
    border-radius: 8px; padding: 8px 12px; font-weight: 600;
}}
"""


def _to_date(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class _Card(QFrame):
    """A titled group of fields: label on the left, field and its error message on the right."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 14, 20, 16)
        outer.setSpacing(8)
        heading = QLabel(title)
        heading.setObjectName("card_title")
        outer.addWidget(heading)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        self.grid.setVerticalSpacing(12)
        self.grid.setColumnMinimumWidth(0, 150)
        self.grid.setColumnStretch(1, 1)
        outer.addLayout(self.grid)

    def add_row(
        self, text: str, field: QWidget, buddy: QWidget | None = None
    ) -> tuple[QLabel, QLabel, QWidget]:
        """Add a labelled field; returns (label, error label, row container)."""
        row = self.grid.rowCount()
        label = QLabel(text)
        label.setObjectName("field_label")
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setBuddy(buddy or field)
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setSpacing(4)
        box_layout.addWidget(field)
        error = QLabel()
        error.setObjectName("field_error")
        error.setWordWrap(True)
        error.setVisible(False)
        box_layout.addWidget(error)
        self.grid.addWidget(label, row, 0)
        self.grid.addWidget(box, row, 1)
        return label, error, box


class SessionFormDialog(QDialog):
    """Record a new session, correct one (``session_id``) or start from a copy (``initial``)."""

    sig_saved = Signal(str)

    def __init__(
        self,
        notebook: Notebook,
        communes: CommuneIndex,
        *,
        session_id: str | None = None,
        initial: SessionInput | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._nb = notebook
        self._session_id = session_id
        self._draft_key = key_for(session_id)
        self._dirty = False
        self._loading = False
        self._identity_ack: str | None = None
        self._errors: dict[str, QLabel] = {}
        # Text fields framed in red while in error (spin boxes keep their native frame).
        self._error_widgets: dict[str, QLineEdit] = {}
        self._focus: dict[str, Callable[[], None]] = {}
        self.saved_id: str | None = None

        durations, themes = notebook.sessions.usage_ranking()
        if session_id:
            start = notebook.sessions.get(session_id)
        else:
            start = initial or notebook.sessions.defaults()
        self._pending_draft = notebook.drafts.load(self._draft_key)

        self.setObjectName("session_form")
        self.setStyleSheet(_QSS)
        self.setWindowTitle(self._title(initial))
        self.setSizeGripEnabled(True)
        self._build(notebook, communes, durations, themes, self._title(initial))
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self._connect_changes()
        self._install_shortcuts()
        self.set_input(start)
        if self._pending_draft is not None and self._pending_draft != start:
            self.draft_banner.setVisible(True)
        elif self._pending_draft is not None:
            # The draft says nothing the form does not already show: nothing to offer.
            self._pending_draft = None
            self._nb.drafts.discard(self._draft_key)
        self._set_tab_order()
        self._fit_to_screen(920, 820)
        if session_id is None:
            QTimer.singleShot(0, self, self.themes.focus_first)

    def _fit_to_screen(self, width: int, height: int) -> None:
        # Old laptops have 1366×768 screens: never open taller or wider than the screen.
        parent = self.parentWidget()
        screen = parent.screen() if parent is not None else self.screen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.95))
            height = min(height, int(available.height() * 0.92))
        self.resize(width, height)

    def _title(self, initial: SessionInput | None) -> str:
        if self._session_id:
            return self.tr("Edit the session")
        if initial is not None:
            return self.tr("New session (copy)")
        return self.tr("New session")

    # ==== building ============================================================================
    def _build(
        self,
        notebook: Notebook,
        communes: CommuneIndex,
        durations: list[int],
        themes: list[str],
        title: str,
    ) -> None:
        # Heading and the draft banner stay above the scrolling fields.
        heading = QLabel(title)
        heading.setObjectName("heading")
        keys_hint = QLabel(
            self.tr("Alt+1…9: most used themes · Ctrl+S: save · Esc: close (the draft is kept)")
        )
        keys_hint.setObjectName("hint")
        self.draft_banner = self._build_draft_banner()

        body = QWidget()
        body.setObjectName("form_body")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(18, 6, 18, 18)
        body_layout.setSpacing(14)
        body_layout.addWidget(self._build_session_card(notebook, communes, durations))
        body_layout.addWidget(self._build_themes_card(themes))
        self.person_card = self._build_person_card(notebook, communes)
        body_layout.addWidget(self.person_card)
        self.workshop_card = self._build_workshop_card()
        body_layout.addWidget(self.workshop_card)
        body_layout.addWidget(self._build_notes_card(notebook))
        body_layout.addWidget(self._build_progress_card(notebook))
        body_layout.addStretch(1)

        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("form_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(body)

        self.save_message = QLabel()
        self.save_message.setObjectName("save_message")
        self.save_message.setWordWrap(True)
        self.save_message.setVisible(False)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setToolTip(self.tr("Esc: close; what you typed is kept as a draft"))
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("primary")
        self.save_button.setToolTip(self.tr("Ctrl+S or Ctrl+Enter"))
        for button in (self.close_button, self.save_button):
            button.setAutoDefault(False)
            button.setMinimumWidth(130)
        self.close_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        footer = QHBoxLayout()
        footer.setContentsMargins(18, 8, 18, 14)
        footer.addWidget(self.save_message, 1)
        footer.addStretch(0)
        footer.addWidget(self.close_button)
        footer.addWidget(self.save_button)

        top = QVBoxLayout()
        top.setContentsMargins(18, 14, 18, 4)
        top.setSpacing(4)
        top.addWidget(heading)
        top.addWidget(keys_hint)
        top.addWidget(self.draft_banner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.scroll_area, 1)
        footer_frame = QFrame()
        footer_frame.setStyleSheet("QFrame { border-top: 1px solid #dde2e8; }")
        footer_frame.setLayout(footer)
        layout.addWidget(footer_frame)

    def _build_draft_banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("draft_banner")
        row = QHBoxLayout(banner)
        row.setContentsMargins(14, 8, 10, 8)
        text = QLabel(self.tr("Resume the interrupted entry?"))
        text.setStyleSheet(f"color: {style.ACCENT_TEXT}; font-weight: 600;")
        detail = QLabel(self.tr("A form was not saved last time."))
        detail.setStyleSheet(f"color: {style.ACCENT_TEXT};")
        self.resume_button = QPushButton(self.tr("Resume"))
        self.resume_button.setObjectName("primary")
        self.ignore_button = QPushButton(self.tr("Ignore"))
        for button in (self.resume_button, self.ignore_button):
            button.setAutoDefault(False)
        self.resume_button.clicked.connect(self._on_resume_draft)
        self.ignore_button.clicked.connect(self._on_ignore_draft)
        row.addWidget(text)
        row.addWidget(detail, 1)
        row.addWidget(self.resume_button)
        row.addWidget(self.ignore_button)
        banner.setVisible(False)
        return banner

    def _field(
        self,
        card: _Card,
        text: str,
        widget: QWidget,
        fields: tuple[str, ...],
        focus: Callable[[], None],
        buddy: QWidget | None = None,
        highlight: QLineEdit | None = None,
    ) -> QWidget:
        label, error, box = card.add_row(text, widget, buddy)
        for name in fields:
            self._errors[name] = error
            self._focus[name] = focus
            if highlight is not None:
                self._error_widgets[name] = highlight
        return box

    def _build_session_card(
        self, notebook: Notebook, communes: CommuneIndex, durations: list[int]
    ) -> _Card:
        card = _Card(self.tr("The session"))
        self.kind = ChipGroup(list(ref.TYPES.items()), single=True, required=True)
        self.kind.setObjectName("kind")
        self._field(card, self.tr("&Type"), self.kind, ("kind",), self.kind.focus_first)

        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("date")
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMinimumDate(QDate(2000, 1, 1))
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.date_edit.setMinimumWidth(150)
        self.date_relative = QLabel()
        self.date_relative.setObjectName("hint")
        self.today_button = QPushButton(self.tr("Today"))
        self.yesterday_button = QPushButton(self.tr("Yesterday"))
        for button, days in ((self.today_button, 0), (self.yesterday_button, 1)):
            button.setObjectName("link")
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(
                lambda _c=False, d=days: self.date_edit.setDate(QDate.currentDate().addDays(-d))
            )
        date_row = QWidget()
        date_layout = QHBoxLayout(date_row)
        date_layout.setContentsMargins(0, 0, 0, 0)
        date_layout.addWidget(self.date_edit)
        date_layout.addWidget(self.date_relative)
        date_layout.addSpacing(12)
        date_layout.addWidget(self.today_button)
        date_layout.addWidget(self.yesterday_button)
        date_layout.addStretch(1)
        self._field(
            card,
            self.tr("&Date"),
            date_row,
            ("date",),
            self.date_edit.setFocus,
            buddy=self.date_edit,
        )

        self.duration = DurationPicker(durations)
        self._field(
            card,
            self.tr("D&uration"),
            self.duration,
            ("duration_min",),
            self.duration.focus_custom,
            buddy=self.duration.presets,
        )

        self.place = PlacePicker(notebook.venues.list(), communes)
        self._field(
            card,
            self.tr("P&lace"),
            self.place,
            ("place_type",),
            self.place.types.focus_first,
            buddy=self.place.types,
        )
        # The venue and commune errors show under the place, each focusing its own input.
        self._errors["venue_id"] = self._errors["commune"] = self._errors["place_type"]
        self._focus["venue_id"] = self._focus_venue
        self._focus["commune"] = self.place.commune.edit.setFocus
        self._error_widgets["commune"] = self.place.commune.edit
        return card

    def _focus_venue(self) -> None:
        if self.place.venues.isVisible() and self.place.venues.chips():
            self.place.venues.focus_first()
        else:
            self.place.types.focus_first()

    def _build_themes_card(self, themes: list[str]) -> _Card:
        card = _Card(self.tr("What it was about"))
        self.themes = ThemePicker(themes)
        self._field(
            card,
            self.tr("T&hemes"),
            self.themes,
            ("themes",),
            self.themes.focus_first,
            buddy=self.themes.main,
        )
        self.materials = ChipGroup(list(ref.MATERIELS.items()), exclusive=("aucun",))
        self.materials.setObjectName("materiels")
        self._field(
            card, self.tr("&Equipment"), self.materials, ("materiels",), self.materials.focus_first
        )
        return card

    def _build_person_card(self, notebook: Notebook, communes: CommuneIndex) -> _Card:
        card = _Card(self.tr("The person"))
        self.code = FollowupCodeField(notebook.beneficiaries, self._session_id)
        self._field(
            card,
            self.tr("Follow-up &code"),
            self.code,
            ("followup_code",),
            self.code.edit.setFocus,
            buddy=self.code.edit,
            highlight=self.code.edit,
        )
        self.autonomy = ChipGroup(
            [
                (code, f"{ref.AUTONOMY_SCORE[code]}/3 · {text}")
                for code, text in ref.AUTONOMIES.items()
            ],
            single=True,
        )
        self.autonomy.setObjectName("autonomy")
        self._field(
            card, self.tr("&Autonomy"), self.autonomy, ("autonomy",), self.autonomy.focus_first
        )

        self.oriented = ChipGroup([("non", self.tr("No")), ("oui", self.tr("Yes"))], single=True)
        self.oriented.setObjectName("oriented")
        self.orientation = QComboBox()
        self.orientation.setObjectName("orientation")
        self.orientation.setPlaceholderText(self.tr("Choose the structure…"))
        for code, text in ref.ORIENTATIONS.items():
            self.orientation.addItem(text, code)
        self.orientation.setCurrentIndex(-1)
        orientation_box = QWidget()
        orientation_layout = QHBoxLayout(orientation_box)
        orientation_layout.setContentsMargins(0, 0, 0, 0)
        orientation_layout.addWidget(self.oriented)
        orientation_layout.addWidget(self.orientation, 1)
        self._field(
            card,
            self.tr("Referred &on"),
            orientation_box,
            ("orientation",),
            self._focus_orientation,
            buddy=self.oriented,
        )

        details = QWidget()
        details_card = QGridLayout(details)
        details_card.setContentsMargins(0, 0, 0, 0)
        details_card.setColumnMinimumWidth(0, 150)
        details_card.setHorizontalSpacing(18)
        details_card.setVerticalSpacing(8)
        self.genre = ChipGroup(list(ref.GENRES.items()), single=True)
        self.genre.setObjectName("genre")
        self.age = ChipGroup(list(ref.TRANCHES_AGE.items()), single=True)
        self.age.setObjectName("age_bracket")
        self.statut = ChipGroup(list(ref.STATUTS.items()), single=True)
        self.statut.setObjectName("statut")
        self.residence = CommunePicker(communes)
        self.residence.setObjectName("residence")
        detail_rows: list[tuple[str, QWidget, str, Callable[[], None]]] = [
            (self.tr("Gender"), self.genre, "genre", self.genre.focus_first),
            (self.tr("Age"), self.age, "age_bracket", self.age.focus_first),
            (self.tr("Status"), self.statut, "statut", self.statut.focus_first),
            (self.tr("Commune of residence"), self.residence, "residence", self.residence.setFocus),
        ]
        for row, (text, widget, name, focus) in enumerate(detail_rows):
            label = QLabel(text)
            label.setObjectName("hint")
            label.setBuddy(widget)
            details_card.addWidget(label, 2 * row, 0, Qt.AlignmentFlag.AlignTop)
            details_card.addWidget(widget, 2 * row, 1)
            error = QLabel()
            error.setObjectName("field_error")
            error.setVisible(False)
            details_card.addWidget(error, 2 * row + 1, 1)
            self._errors[name] = error
            self._focus[name] = self._expand_then(focus)
        details_card.setColumnStretch(1, 1)
        self.characteristics = CollapsibleSection(
            self.tr("Anonymous characteristics (optional)"), details
        )
        card.grid.addWidget(self.characteristics, card.grid.rowCount(), 0, 1, 2)
        return card

    def _focus_orientation(self) -> None:
        if self.orientation.isVisible():
            self.orientation.setFocus()
        else:
            self.oriented.focus_first()

    def _expand_then(self, focus: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            self.characteristics.set_expanded(True)
            focus()

        return run

    def _build_workshop_card(self) -> _Card:
        card = _Card(self.tr("The workshop"))
        self.workshop_title = QLineEdit()
        self.workshop_title.setObjectName("workshop_title")
        self.workshop_title.setMaxLength(200)
        self.workshop_title.setPlaceholderText(self.tr("e.g. Sending photos by e-mail"))
        self._field(
            card,
            self.tr("T&itle"),
            self.workshop_title,
            ("workshop_title",),
            self.workshop_title.setFocus,
            highlight=self.workshop_title,
        )
        self.level = ChipGroup(list(ref.NIVEAUX_ATELIER.items()), single=True)
        self.level.setObjectName("workshop_level")
        self._field(
            card, self.tr("Le&vel"), self.level, ("workshop_level",), self.level.focus_first
        )

        self.participants = self._count_spin("participants")
        self.returning = self._count_spin("participants_returning")
        counts = QWidget()
        counts_layout = QHBoxLayout(counts)
        counts_layout.setContentsMargins(0, 0, 0, 0)
        counts_layout.addWidget(self.participants)
        returning_label = QLabel(self.tr("of whom al&ready supported"))
        returning_label.setBuddy(self.returning)
        counts_layout.addSpacing(16)
        counts_layout.addWidget(returning_label)
        counts_layout.addWidget(self.returning)
        counts_layout.addStretch(1)
        self._field(
            card,
            self.tr("&Participants"),
            counts,
            ("participants",),
            self.participants.setFocus,
            buddy=self.participants,
        )
        self._errors["participants_returning"] = self._errors["participants"]
        self._focus["participants_returning"] = self.returning.setFocus

        self.counters = CountersEditor()
        self.counters_section = CollapsibleSection(
            self.tr("Breakdown by gender, age and status (optional)"), self.counters
        )
        box = self._field(
            card,
            "",
            self.counters_section,
            ("counters",),
            self._expand_counters,
            buddy=self.counters_section.toggle_button,
        )
        card.grid.removeWidget(box)
        card.grid.addWidget(box, card.grid.rowCount() - 1, 0, 1, 2)
        return card

    def _count_spin(self, name: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(0, MAX_PARTICIPANTS)
        spin.setSpecialValueText("–")
        spin.setMinimumWidth(90)
        return spin

    def _expand_counters(self) -> None:
        self.counters_section.set_expanded(True)
        self.counters.first_spin().setFocus()

    def _build_notes_card(self, notebook: Notebook) -> _Card:
        card = _Card(self.tr("Tags and notes"))
        self.tags = TagEditor(notebook.sessions.known_tags())
        self._field(
            card,
            self.tr("Ta&gs"),
            self.tags,
            ("tags",),
            self.tags.edit.setFocus,
            buddy=self.tags.edit,
        )
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(96)
        self.notes.setPlaceholderText(
            self.tr("No sensitive data: no name, phone number, e-mail, health or password.")
        )
        self.privacy_banner = self._build_privacy_banner()
        notes_box = QWidget()
        notes_layout = QVBoxLayout(notes_box)
        notes_layout.setContentsMargins(0, 0, 0, 0)
        notes_layout.addWidget(self.notes)
        notes_layout.addWidget(self.privacy_banner)
        self._field(
            card, self.tr("&Notes"), notes_box, ("notes",), self.notes.setFocus, buddy=self.notes
        )
        return card

    def _build_progress_card(self, notebook: Notebook) -> _Card:
        """Training paths: tick the modules worked on during this session (folded away)."""
        from app.ui.training.session_link import SessionProgressPanel

        card = _Card(self.tr("Training paths"))
        self.progress_panel = SessionProgressPanel(notebook.training)
        self.progress_section = CollapsibleSection(
            self.tr("Modules worked on during this session"), self.progress_panel
        )
        card.grid.addWidget(self.progress_section, card.grid.rowCount(), 0, 1, 2)
        if self._session_id:
            self.progress_panel.show_linked(self._session_id)
        return card

    def _sync_progress_subject(self) -> None:
        if self.kind.current() == "collectif":
            self.progress_panel.set_workshop()
        else:
            self.progress_panel.set_person(self.code.value())

    def _build_privacy_banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("privacy_banner")
        layout = QVBoxLayout(banner)
        layout.setContentsMargins(14, 10, 14, 10)
        self.privacy_text = QLabel()
        self.privacy_text.setWordWrap(True)
        self.privacy_text.setStyleSheet(f"color: {style.TEXT};")
        buttons = QHBoxLayout()
        self.edit_note_button = QPushButton(self.tr("Edit the note"))
        self.edit_note_button.setObjectName("primary")
        self.save_anyway_button = QPushButton(self.tr("Save anyway"))
        for button in (self.edit_note_button, self.save_anyway_button):
            button.setAutoDefault(False)
        self.edit_note_button.clicked.connect(self._on_edit_note)
        self.save_anyway_button.clicked.connect(self._on_save_anyway)
        buttons.addWidget(self.edit_note_button)
        buttons.addWidget(self.save_anyway_button)
        buttons.addStretch(1)
        layout.addWidget(self.privacy_text)
        layout.addLayout(buttons)
        banner.setVisible(False)
        return banner

    # ==== wiring ==============================================================================
    def _connect_changes(self) -> None:
        def changed(*fields: str) -> Callable[..., None]:
            return lambda *_args: self._on_changed(fields)

        self.kind.sig_changed.connect(changed("kind"))
        self.kind.sig_changed.connect(self._sync_kind)
        self.date_edit.dateChanged.connect(changed("date"))
        self.date_edit.dateChanged.connect(self._sync_date_label)
        self.duration.sig_changed.connect(changed("duration_min"))
        self.place.sig_changed.connect(changed("place_type", "venue_id", "commune"))
        self.themes.sig_changed.connect(changed("themes"))
        self.materials.sig_changed.connect(changed("materiels"))
        self.code.sig_changed.connect(changed("followup_code"))
        self.code.sig_changed.connect(self._sync_progress_subject)
        self.kind.sig_changed.connect(self._sync_progress_subject)
        self.autonomy.sig_changed.connect(changed("autonomy"))
        self.oriented.sig_changed.connect(changed("orientation"))
        self.oriented.sig_changed.connect(self._sync_orientation)
        self.orientation.currentIndexChanged.connect(changed("orientation"))
        self.genre.sig_changed.connect(changed("genre"))
        self.age.sig_changed.connect(changed("age_bracket"))
        self.statut.sig_changed.connect(changed("statut"))
        self.residence.sig_changed.connect(changed("residence"))
        self.workshop_title.textEdited.connect(changed("workshop_title"))
        self.level.sig_changed.connect(changed("workshop_level"))
        self.participants.valueChanged.connect(changed("participants", "participants_returning"))
        self.participants.valueChanged.connect(self.counters.set_total)
        self.returning.valueChanged.connect(changed("participants_returning"))
        self.counters.sig_changed.connect(changed("counters"))
        self.tags.sig_changed.connect(changed("tags"))
        self.notes.textChanged.connect(changed("notes"))
        self.notes.textChanged.connect(self._on_notes_changed)

    def _install_shortcuts(self) -> None:
        for keys in ("Ctrl+S", "Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.save)
        for number in range(1, 10):
            QShortcut(
                QKeySequence(f"Alt+{number}"),
                self,
                lambda n=number: self._on_theme_shortcut(n),
            )

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [self.resume_button, self.ignore_button]
        chain += self.kind.chips()
        chain.append(self.date_edit)
        chain += self.duration.presets.chips() + [self.duration.hours, self.duration.minutes]
        chain += self.place.types.chips() + self.place.venues.chips() + [self.place.commune.edit]
        chain += self.themes.main.chips() + self.themes.sub.chips() + [self.themes.demarche_name]
        chain += self.materials.chips()
        chain += [self.code.edit, self.code.new_button]
        chain += self.autonomy.chips() + self.oriented.chips() + [self.orientation]
        chain.append(self.characteristics.toggle_button)
        chain += self.genre.chips() + self.age.chips() + self.statut.chips()
        chain.append(self.residence.edit)
        chain.append(self.workshop_title)
        chain += self.level.chips() + [self.participants, self.returning]
        chain.append(self.counters_section.toggle_button)
        chain += [spin for group in self.counters.spins.values() for spin in group.values()]
        chain += [self.tags.edit, self.notes, self.edit_note_button, self.save_anyway_button]
        chain += [self.close_button, self.save_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # ==== data in and out =====================================================================
    def current_input(self) -> SessionInput:
        """Everything on screen, hidden parts included (that is what the draft keeps)."""
        commune_insee, commune_name, postal_code = self.place.commune_value()
        residence_insee, residence_name, _postal = self.residence.value()
        oriented_choice = self.oriented.current()
        return SessionInput(
            kind=self.kind.current() or "individuel",
            date=_to_date(self.date_edit.date()),
            duration_min=self.duration.value(),
            place_type=self.place.place_type(),
            venue_id=self.place.venue_id(),
            commune_insee=commune_insee,
            commune_name=commune_name,
            postal_code=postal_code,
            themes=self.themes.value(),
            demarche_name=self.themes.demarche_name.text(),
            materiels=self.materials.value(),
            tags=self.tags.value(),
            notes=self.notes.toPlainText(),
            autonomy=self.autonomy.current(),
            oriented=None if oriented_choice is None else oriented_choice == "oui",
            orientation=self.orientation.currentData(),
            followup_code=self.code.value(),
            genre=self.genre.current(),
            age_bracket=self.age.current(),
            statut=self.statut.current(),
            residence_insee=residence_insee,
            residence_name=residence_name,
            workshop_title=self.workshop_title.text(),
            workshop_level=self.level.current(),
            participants=self.participants.value() or None,
            participants_returning=self.returning.value() or None,
            counters=self.counters.value(),
        )

    def input_to_save(self) -> SessionInput:
        """What is saved: only the parts that apply to the type and place chosen."""
        inp = self.current_input()
        with_commune = inp.place_type in WITH_COMMUNE
        return dataclasses.replace(
            inp,
            themes=self.themes.saved_value(),
            venue_id=inp.venue_id if inp.place_type == VENUE else None,
            commune_insee=inp.commune_insee if with_commune else None,
            commune_name=inp.commune_name if with_commune else None,
            postal_code=inp.postal_code if with_commune else None,
            orientation=inp.orientation if inp.oriented else None,
            tags=[" ".join(t.split()) for t in inp.tags],
        )

    def set_input(self, inp: SessionInput) -> None:
        self._loading = True
        try:
            self.kind.set_current(inp.kind if inp.kind in ref.TYPES else "individuel")
            self.date_edit.setDate(QDate(inp.date.year, inp.date.month, inp.date.day))
            self.duration.set_value(inp.duration_min)
            self.place.set_value(
                inp.place_type, inp.venue_id, (inp.commune_insee, inp.commune_name, inp.postal_code)
            )
            self.themes.set_value(inp.themes, inp.demarche_name)
            self.materials.set_value(inp.materiels)
            self.code.set_value(inp.followup_code)
            self.autonomy.set_current(inp.autonomy)
            self.oriented.set_current(
                None if inp.oriented is None else "oui" if inp.oriented else "non"
            )
            self.orientation.setCurrentIndex(self.orientation.findData(inp.orientation))
            self.genre.set_current(inp.genre)
            self.age.set_current(inp.age_bracket)
            self.statut.set_current(inp.statut)
            self.residence.set_value(inp.residence_insee, inp.residence_name)
            self.characteristics.set_expanded(
                any((inp.genre, inp.age_bracket, inp.statut, inp.residence_insee))
            )
            self.workshop_title.setText(inp.workshop_title)
            self.level.set_current(inp.workshop_level)
            self.participants.setValue(inp.participants or 0)
            self.returning.setValue(inp.participants_returning or 0)
            self.counters.set_total(inp.participants or 0)
            self.counters.set_value(inp.counters)
            self.counters_section.set_expanded(bool(inp.counters))
            self.tags.set_value(inp.tags)
            self.notes.setPlainText(inp.notes)
        finally:
            self._loading = False
        self._sync_kind()
        self._sync_orientation()
        self._sync_date_label()
        self._sync_progress_subject()

    # ==== reactions ===========================================================================
    def _on_changed(self, fields: tuple[str, ...]) -> None:
        if self._loading:
            return
        self._dirty = True
        for name in fields:
            self._clear_error(name)
        self._draft_timer.start()

    def _sync_kind(self) -> None:
        individual = self.kind.current() != "collectif"
        self.person_card.setVisible(individual)
        self.workshop_card.setVisible(not individual)

    def _sync_orientation(self) -> None:
        self.orientation.setVisible(self.oriented.current() == "oui")

    def _sync_date_label(self) -> None:
        # The day of the week confirms the date at a glance ("mardi 3 juin").
        self.date_relative.setText(QLocale().toString(self.date_edit.date(), "dddd d MMMM"))

    def _on_theme_shortcut(self, number: int) -> None:
        if self.themes.toggle_number(number):
            chip = next(c for c in self.themes.main.chips() if c.number == number)
            self.scroll_area.ensureWidgetVisible(chip)

    def _on_notes_changed(self) -> None:
        if self.privacy_banner.isVisible() and not find_identity_data(self.notes.toPlainText()):
            self.privacy_banner.setVisible(False)

    # ==== drafts ==============================================================================
    def save_draft(self) -> None:
        """Keep what is typed (called after a pause in typing and on close)."""
        self._draft_timer.stop()
        if not self._dirty:
            return
        try:
            self._nb.drafts.save(self._draft_key, self.current_input())
        except (SQLAlchemyError, OSError):
            # The disk may be full: the previous draft stays, the form keeps everything.
            log.warning("The draft could not be saved", exc_info=True)

    def _on_resume_draft(self) -> None:
        draft = self._pending_draft
        self.draft_banner.setVisible(False)
        self._pending_draft = None
        if draft is None:
            return
        self.set_input(draft)
        self._dirty = True
        self.save_draft()
        self.kind.focus_first()

    def _on_ignore_draft(self) -> None:
        self.draft_banner.setVisible(False)
        self._pending_draft = None
        if self._dirty:
            self.save_draft()  # what was typed meanwhile replaces the old draft
        else:
            self._nb.drafts.discard(self._draft_key)
        self.themes.focus_first()

    # ==== saving ==============================================================================
    def save(self) -> bool:
        """Validate, warn about identity data in the note, then save. True once saved."""
        inp = self.input_to_save()
        self._clear_all_errors()
        errors = validate(inp)
        if errors:
            self._show_errors(errors)
            return False
        warnings = find_identity_data(inp.notes)
        if warnings and self._identity_ack != inp.notes:
            self._show_privacy_warning([w.message for w in warnings])
            return False
        try:
            if self._session_id:
                self._nb.sessions.update(self._session_id, inp)
                saved_id = self._session_id
            else:
                saved_id = self._nb.sessions.record(inp)
        except ValidationError as err:
            self._show_errors(err.errors)
            return False
        except StorageError as err:  # DiskFullError included: the form and draft stay
            self._show_save_message(err.message)
            self.save_draft()
            return False
        self._draft_timer.stop()
        self._dirty = False
        try:
            self._nb.drafts.discard(self._draft_key)
        except (SQLAlchemyError, OSError):
            log.warning("The draft could not be discarded", exc_info=True)
        self.saved_id = saved_id
        self._record_progress(saved_id, inp.date)
        self.sig_saved.emit(saved_id)
        self.accept()
        return True

    def _record_progress(self, session_id: str, day: dt.date) -> None:
        """The ticked modules, linked to the saved session. The session itself is saved
        whatever happens here; a refusal is explained on the window behind the form."""
        from app.services.training import TrainingError

        try:
            self.progress_panel.apply(session_id, day)
        except TrainingError as err:
            log.warning("progress not recorded: %s", err)
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Training paths"),
                self.tr("The session is saved, but the modules were not recorded: %1").replace(
                    "%1", str(err)
                ),
                QMessageBox.StandardButton.Ok,
                self.parentWidget(),
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    def _show_errors(self, errors: dict[str, str]) -> None:
        by_label: dict[QLabel, list[str]] = {}
        for name in FIELD_ORDER:
            if name in errors:
                if name == "followup_code":
                    self.code.show_error(errors[name])
                label = self._errors.get(name)
                if label is not None and name != "followup_code":
                    by_label.setdefault(label, []).append(errors[name])
                widget = self._error_widgets.get(name)
                if widget is not None:
                    widget.setProperty("invalid", True)
                    widget.style().unpolish(widget)
                    widget.style().polish(widget)
        for label, messages in by_label.items():
            label.setText("\n".join(messages))
            label.setVisible(True)
        self._show_save_message(
            self.tr(
                "%n field(s) to correct before saving: see the messages in red.", "", len(errors)
            )
        )
        first = next((name for name in FIELD_ORDER if name in errors), None)
        if first is not None:
            self._focus[first]()
            label = self._errors.get(first)
            if label is not None:
                QTimer.singleShot(
                    0, self, lambda: self.scroll_area.ensureWidgetVisible(label, 50, 80)
                )

    def _clear_error(self, name: str) -> None:
        label = self._errors.get(name)
        if label is not None and label.isVisible():
            label.clear()
            label.setVisible(False)
        widget = self._error_widgets.get(name)
        if widget is not None and widget.property("invalid"):
            widget.setProperty("invalid", False)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        if not any(lbl.isVisible() for lbl in self._errors.values()):
            self.save_message.setVisible(False)

    def _clear_all_errors(self) -> None:
        for name in list(self._errors):
            self._clear_error(name)
        self.save_message.setVisible(False)

    def field_error(self, name: str) -> str:
        """The message shown for a field ("" when none): used by tests and accessibility."""
        if name == "followup_code":
            return self.code.problem_text()
        label = self._errors.get(name)
        return label.text() if label is not None and label.isVisible() else ""

    def _show_save_message(self, text: str) -> None:
        self.save_message.setText(text)
        self.save_message.setVisible(True)

    def _show_privacy_warning(self, messages: list[str]) -> None:
        self.privacy_text.setText(
            "\n".join(messages)
            + "\n"
            + self.tr(
                "Carnet keeps no identity: prefer a follow-up code. Edit the note, or save anyway."
            )
        )
        self.privacy_banner.setVisible(True)
        self.edit_note_button.setFocus()
        QTimer.singleShot(
            0, self, lambda: self.scroll_area.ensureWidgetVisible(self.privacy_banner)
        )

    def _on_edit_note(self) -> None:
        self.privacy_banner.setVisible(False)
        text = self.notes.toPlainText()
        warnings = find_identity_data(text)
        self.notes.setFocus()
        if warnings:
            start = text.find(warnings[0].excerpt)
            cursor = self.notes.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(start + len(warnings[0].excerpt), QTextCursor.MoveMode.KeepAnchor)
            self.notes.setTextCursor(cursor)

    def _on_save_anyway(self) -> None:
        self._identity_ack = self.notes.toPlainText()
        self.privacy_banner.setVisible(False)
        self.save()

    # ==== closing =============================================================================
    def reject(self) -> None:
        """Esc, Close or the window's cross: keep what was typed as a draft."""
        self.save_draft()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.save_draft()
        super().closeEvent(event)

    def has_unsaved_changes(self) -> bool:
        return self._dirty
