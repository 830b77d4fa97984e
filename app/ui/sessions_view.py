"""The list of sessions: a lazy table model, and its filter bar.

The model holds only the ordered SQLite row numbers returned by ``list_rowids`` (one indexed
query, packed in an array) and fetches the rows on screen page by page, so filtering or sorting
100,000 sessions costs one query and under a megabyte, not 100,000 objects.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from array import array
from collections import OrderedDict
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QTimer,
    Signal,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models import referentiels as ref
from app.services.quick_read import SessionFilter, SessionLister, SessionRow, VenueInfo
from app.ui.common import after_first_paint, set_enum_property, setup_read_only_table
from app.ui.formatting import format_date, format_duration, theme_labels

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDateEdit

log = logging.getLogger(__name__)

# Rows are read a page at a time as they come on screen; the window's first paint reads the
# first one, rows that lie scattered in the file (64 rows took 0.8 ms to read cold, 32 rows
# 0.5 ms), so a page is a full-HD screen's rows.
PAGE_SIZE = 32
CACHED_PAGES = 72  # about 2,300 rows kept
# The first load's ids (the rest follow from a thread): enough for the tallest window, so the
# first paint never shows the list cut short. Ids alone are cheap to read.
FIRST_IDS = 64
TEXT_FILTER_DELAY_MS = 200

AnyIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    DATE = 0
    KIND = 1
    DURATION = 2
    PLACE = 3
    THEMES = 4
    CODE = 5
    PARTICIPANTS = 6
    TAGS = 7


# Item roles and alignments as plain ints (Qt.ItemDataRole, Qt.AlignmentFlag; a test checks
# them): data() is called for every role of every cell painted, and nothing in this module
# reaches Python's ``Qt`` namespace before the window is shown (see SessionsView).
_DISPLAY = 0
_TOOLTIP = 3
_ALIGNMENT = 7
_USER = 256
_CELL_ROLES = frozenset((_DISPLAY, _TOOLTIP, _ALIGNMENT))
_LEFT = 0x0001 | 0x0080  # AlignLeft | AlignVCenter
_RIGHT = 0x0002 | 0x0080  # AlignRight | AlignVCenter

# Column → sort key of NotebookReader.list_rowids (None: not sortable).
SORT_KEYS: dict[Column, str | None] = {
    Column.DATE: "date",
    Column.KIND: "kind",
    Column.DURATION: "duration",
    Column.PLACE: "venue",
    Column.THEMES: "themes",
    Column.CODE: "code",
    Column.PARTICIPANTS: None,
    Column.TAGS: None,
}


class SessionsTableModel(QAbstractTableModel):
    """Sessions matching a filter, in server-side order, rows fetched lazily in pages."""

    sig_reloaded = Signal(int)  # number of rows
    _sig_rest_loaded = Signal(int, object)  # generation, ids (from the worker thread)

    def __init__(self, sessions: SessionLister, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sessions = sessions
        self._generation = 0
        self._progressive_next = False
        self._loading_generation: int | None = None
        # The query of the ids past the first page, until load_rest() starts it.
        self._rest_query: tuple[int, SessionFilter, str, bool] | None = None
        # Emitted on the worker thread: Qt queues it to this model's thread.
        self._sig_rest_loaded.connect(self._on_rest_loaded)
        # SQLite row numbers of the rows, in order: 8 bytes each, ids come with the pages.
        self._keys: array[int] = array("q")
        self._pages: OrderedDict[int, list[SessionRow]] = OrderedDict()
        self._filter = SessionFilter()
        self._sort_column = Column.DATE
        self._descending = True
        self._headers = {
            Column.DATE: self.tr("Date"),
            Column.KIND: self.tr("Type"),
            Column.DURATION: self.tr("Duration"),
            Column.PLACE: self.tr("Place"),
            Column.THEMES: self.tr("Themes"),
            Column.CODE: self.tr("Follow-up code"),
            Column.PARTICIPANTS: self.tr("Participants"),
            Column.TAGS: self.tr("Tags"),
        }
        self.kind_labels = {"individuel": self.tr("Individual"), "collectif": self.tr("Workshop")}

    # ---- query ---------------------------------------------------------------------------
    @property
    def session_filter(self) -> SessionFilter:
        return self._filter

    @property
    def sort_column(self) -> Column:
        return self._sort_column

    @property
    def descending(self) -> bool:
        return self._descending

    def set_filter(self, flt: SessionFilter) -> None:
        self._filter = flt
        self.reload()

    def reload(self) -> None:
        """Run the query again (after a filter change, a save or a delete)."""
        key = SORT_KEYS[self._sort_column] or "date"
        self._generation += 1
        self._rest_query = None
        if self._progressive_next:
            # The very first load shows the newest page at once; the other ids arrive from a
            # worker thread started by load_rest(), so the window appears without waiting.
            self._progressive_next = False
            keys = self._sessions.list_rowids(self._filter, key, self._descending, limit=FIRST_IDS)
            complete = len(keys) < FIRST_IDS
            if not complete:
                self._loading_generation = self._generation
                self._rest_query = (self._generation, self._filter, key, self._descending)
        else:
            keys = self._sessions.list_rowids(self._filter, key, self._descending)
            complete = True
            self._loading_generation = None
        self.beginResetModel()
        self._keys = keys
        self._pages.clear()
        self.endResetModel()
        if complete:
            self.sig_reloaded.emit(len(keys))

    @property
    def complete(self) -> bool:
        """False while the first load is still fetching the ids past the first page."""
        return self._loading_generation is None

    def load_progressively(self) -> None:
        """Make the next reload show its first page at once; ``load_rest`` then fetches the
        other ids on a thread."""
        self._progressive_next = True

    def load_rest(self) -> None:
        """Start reading the ids past the first page, if the last reload left them to read."""
        if self._rest_query is not None:
            query, self._rest_query = self._rest_query, None
            self._load_rest(*query)

    def _load_rest(self, generation: int, flt: SessionFilter, key: str, descending: bool) -> None:

        def work() -> None:
            keys: array[int] | None
            try:
                keys = self._sessions.list_rowids(flt, key, descending)
            except Exception:  # a failed background read must not vanish
                log.exception("loading the sessions list failed")
                keys = None
            finally:
                self._sessions.release_thread()
            with contextlib.suppress(RuntimeError):  # the list was closed meanwhile
                self._sig_rest_loaded.emit(generation, keys)

        threading.Thread(target=work, name="sessions-list", daemon=True).start()

    def _on_rest_loaded(self, generation: int, keys: array[int] | None) -> None:
        if generation != self._generation:
            return  # a newer query replaced this one meanwhile
        self._loading_generation = None
        if keys is None:
            keys = self._sessions.list_rowids(
                self._filter, SORT_KEYS[self._sort_column] or "date", self._descending
            )
        shown = len(self._keys)
        if keys[:shown] == self._keys and len(keys) > shown:
            self.beginInsertRows(QModelIndex(), shown, len(keys) - 1)
            self._keys = keys
            self.endInsertRows()
        elif keys != self._keys:
            self.beginResetModel()
            self._keys = keys
            self._pages.clear()
            self.endResetModel()
        self.sig_reloaded.emit(len(self._keys))

    def sort_by(self, column: int, descending: bool) -> None:
        """Sort on a column (its header was clicked); a column with no sort key is ignored.

        Not Qt's virtual ``sort``: the view calls this from its header's signal, so Qt never
        calls Python with a ``Qt.SortOrder`` at start-up (see SessionsView)."""
        col = Column(column)
        if SORT_KEYS[col] is None:
            return
        self._sort_column = col
        self._descending = descending
        self.reload()

    # ---- rows ----------------------------------------------------------------------------
    def session_id(self, row: int) -> str | None:
        found = self.session_row(row)
        return found.id if found is not None and found.id else None

    def row_of(self, session_id: str) -> int:
        key = self._sessions.rowid_of(session_id)
        if key is None:
            return -1
        try:
            return self._keys.index(key)
        except ValueError:
            return -1

    def session_row(self, row: int) -> SessionRow | None:
        if not 0 <= row < len(self._keys):
            return None
        page_no = row // PAGE_SIZE
        page = self._pages.get(page_no)
        if page is None:
            start = page_no * PAGE_SIZE
            page_keys = self._keys[start : start + PAGE_SIZE]
            fetched = self._sessions.fetch_rows_by_rowid(page_keys)
            page = [fetched.get(k) or _MISSING_ROW for k in page_keys]
            self._pages[page_no] = page
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page[row - page_no * PAGE_SIZE]

    # ---- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def column_title(self, column: int) -> str:
        return self._headers[Column(column)]

    def column_tip(self, column: int) -> str | None:
        """The header's tooltip: sortable columns say so."""
        return self.tr("Click to sort") if SORT_KEYS[Column(column)] else None

    def headerData(  # noqa: N802 (Qt API)
        self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY
    ) -> Any:
        """The titles for whoever asks the table's own model (screen readers do); the header
        shows those of ``header_labels`` (see SessionsView)."""
        from PySide6.QtCore import Qt

        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == _DISPLAY:
            return self.column_title(section)
        if role == _TOOLTIP:
            return self.column_tip(section)
        return None

    def header_labels(self, parent: QObject) -> QStandardItemModel:
        """The column titles as a model of their own, for the table's header (see SessionsView):
        the title, left-aligned, and a tooltip on the sortable columns."""
        labels = QStandardItemModel(0, len(Column), parent)
        for col in Column:
            item = QStandardItem(self.column_title(col))
            item.setData(_LEFT, _ALIGNMENT)
            tip = self.column_tip(col)
            if tip:
                item.setToolTip(tip)
            labels.setHorizontalHeaderItem(col, item)
        return labels

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        # Called for every role of every cell painted: plain ints, no enum built per call.
        if role not in _CELL_ROLES:
            if role == _USER and index.isValid():
                return self.session_id(index.row())
            return None
        if not index.isValid():
            return None
        col = index.column()
        if role == _ALIGNMENT:
            return _RIGHT if col in (Column.DURATION, Column.PARTICIPANTS) else _LEFT
        row = self.session_row(index.row())
        if row is None:
            return None
        if role == _TOOLTIP:
            if col not in (Column.THEMES, Column.PLACE, Column.TAGS):
                return None
            return self._cell_text(row, col) or None
        return self._cell_text(row, col)

    def _cell_text(self, row: SessionRow, col: int) -> str:
        if not row.kind:
            return ""
        if col == Column.DATE:
            return format_date(row.date)
        if col == Column.KIND:
            return self.kind_labels.get(row.kind, row.kind)
        if col == Column.DURATION:
            return format_duration(row.duration_min)
        if col == Column.PLACE:
            return row.place
        if col == Column.THEMES:
            return ", ".join(theme_labels(row.themes))
        if col == Column.CODE:
            return row.code or ""
        if col == Column.PARTICIPANTS:
            if row.kind == "individuel":
                return "1"
            return str(row.participants) if row.participants else ""
        return ", ".join(row.tags)


# Deleted between the query and the fetch: an empty line until the next reload.
_MISSING_ROW = SessionRow("", dt.date.min, "", 0, "", (), None, None, (), "")


# ---- periods -------------------------------------------------------------------------------
class Period(StrEnum):
    ALL = "all"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    THIS_YEAR = "this_year"
    CUSTOM = "custom"


def period_range(period: Period, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    if period == Period.THIS_MONTH:
        return today.replace(day=1), today
    if period == Period.LAST_MONTH:
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    if period == Period.THIS_YEAR:
        return dt.date(today.year, 1, 1), today
    return None, None


class SessionsFilterBar(QWidget):
    """Period, type, theme, venue, tag and text; emits the resulting filter."""

    sig_filter_changed = Signal(object)  # SessionFilter

    def __init__(self, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._today = today
        # Every widget is made with its final parent: under Carnet's style sheet, a widget
        # moved into another costs a second styling pass (about 3 ms over the window).
        self.period_combo = QComboBox(self)
        for label, period in (
            (self.tr("All dates"), Period.ALL),
            (self.tr("This month"), Period.THIS_MONTH),
            (self.tr("Last month"), Period.LAST_MONTH),
            (self.tr("This year"), Period.THIS_YEAR),
            (self.tr("Custom dates…"), Period.CUSTOM),
        ):
            self.period_combo.addItem(label, period.value)
        self.period_combo.setAccessibleName(self.tr("Period"))
        # The two date fields of a custom period are made when that period is first chosen:
        # Qt's first date field costs the start about 10 ms.
        self._dates: tuple[QDateEdit, QDateEdit] | None = None
        self.kind_combo = QComboBox(self)
        self.kind_combo.addItem(self.tr("All types"), None)
        for code, label in ref.TYPES.items():
            self.kind_combo.addItem(label, code)
        self.theme_combo = QComboBox(self)
        self.theme_combo.addItem(self.tr("All themes"), None)
        for code, label in ref.THEMES_MEDIATION.items():
            self.theme_combo.addItem(label, code)
        for code, label in ref.THEMES_DEMARCHES.items():
            self.theme_combo.addItem(f"   {label}", code)
        self.theme_combo.setMaxVisibleItems(20)
        self.venue_combo = QComboBox(self)
        self.tag_combo = QComboBox(self)
        self.text_edit = QLineEdit(self)
        self.text_edit.setPlaceholderText(self.tr("Search the notes…"))
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.setAccessibleName(self.tr("Text in notes"))
        self.reset_button = QPushButton(self.tr("Reset"), self)
        self.reset_button.setToolTip(self.tr("Show every session again"))
        self.reload_choices([], [])

        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(TEXT_FILTER_DELAY_MS)
        self._text_timer.timeout.connect(self._emit)

        top = self._top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel(self.tr("Period"), self))
        top.addWidget(self.period_combo)
        top.addSpacing(8)
        top.addWidget(self.kind_combo)
        top.addWidget(self.theme_combo, 1)
        top.addWidget(self.venue_combo, 1)
        top.addWidget(self.tag_combo)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.text_edit, 1)
        bottom.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(bottom)

        for combo in (
            self.period_combo,
            self.kind_combo,
            self.theme_combo,
            self.venue_combo,
            self.tag_combo,
        ):
            # Long labels (themes, venue names) must not widen the window.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        self.period_combo.setMinimumContentsLength(18)
        self.tag_combo.setMinimumContentsLength(16)
        self.period_combo.currentIndexChanged.connect(self._on_period_changed)
        for combo in (self.kind_combo, self.theme_combo, self.venue_combo, self.tag_combo):
            combo.currentIndexChanged.connect(self._emit)
        self.text_edit.textChanged.connect(self._text_timer.start)
        self.reset_button.clicked.connect(self._on_reset)

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    @property
    def date_from(self) -> QDateEdit:
        return self._date_edits()[0]

    @property
    def date_to(self) -> QDateEdit:
        return self._date_edits()[1]

    def _date_edits(self) -> tuple[QDateEdit, QDateEdit]:
        if self._dates is None:
            from PySide6.QtWidgets import QDateEdit  # its class and enums load with it

            date_from, date_to = QDateEdit(self), QDateEdit(self)
            date_from.setAccessibleName(self.tr("From"))
            date_to.setAccessibleName(self.tr("To"))
            after_period = self._top.indexOf(self.period_combo) + 1
            for offset, edit in enumerate((date_from, date_to)):
                edit.setCalendarPopup(True)
                edit.setDisplayFormat("dd/MM/yyyy")
                edit.setVisible(False)
                edit.dateChanged.connect(self._emit)
                self._top.insertWidget(after_period + offset, edit)
            # Made late, they would come last in the Tab order: right after the period.
            QWidget.setTabOrder(self.period_combo, date_from)
            QWidget.setTabOrder(date_from, date_to)
            self._dates = (date_from, date_to)
        return self._dates

    def _show_dates(self, shown: bool) -> None:
        if shown or self._dates is not None:
            for edit in self._date_edits():
                edit.setVisible(shown)

    def reload_choices(self, venues: list[VenueInfo], tags: list[str]) -> None:
        """Refill the venue and tag lists, keeping the current choice when it still exists."""
        current_venue = self.venue_combo.currentData()
        current_tag = self.tag_combo.currentData()
        for combo in (self.venue_combo, self.tag_combo):
            combo.blockSignals(True)
            combo.clear()
        self.venue_combo.addItem(self.tr("All venues"), None)
        for venue in venues:
            self.venue_combo.addItem(venue.display, venue.id)
        self.tag_combo.addItem(self.tr("All tags"), None)
        for tag in tags:
            self.tag_combo.addItem(tag, tag)
        self.venue_combo.setCurrentIndex(max(0, self.venue_combo.findData(current_venue)))
        self.tag_combo.setCurrentIndex(max(0, self.tag_combo.findData(current_tag)))
        for combo in (self.venue_combo, self.tag_combo):
            combo.blockSignals(False)
        if (current_venue and self.venue_combo.currentData() != current_venue) or (
            current_tag and self.tag_combo.currentData() != current_tag
        ):
            self._emit()

    def current_filter(self) -> SessionFilter:
        period = Period(self.period_combo.currentData())
        if period == Period.CUSTOM:
            start: dt.date | None = self.date_from.date().toPython()  # type: ignore[assignment]
            end: dt.date | None = self.date_to.date().toPython()  # type: ignore[assignment]
        else:
            start, end = period_range(period, self.today())
        return SessionFilter(
            date_from=start,
            date_to=end,
            kind=self.kind_combo.currentData(),
            theme=self.theme_combo.currentData(),
            venue_id=self.venue_combo.currentData(),
            tag=self.tag_combo.currentData(),
            text=self.text_edit.text().strip(),
        )

    def set_period(self, period: Period) -> None:
        self.period_combo.setCurrentIndex(self.period_combo.findData(period.value))

    def _on_period_changed(self) -> None:
        custom = Period(self.period_combo.currentData()) == Period.CUSTOM
        if custom:
            end = self.today()
            for edit, day in ((self.date_from, end.replace(day=1)), (self.date_to, end)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        self._show_dates(custom)
        self._emit()

    def _on_reset(self) -> None:
        widgets = (
            self.period_combo,
            self.kind_combo,
            self.theme_combo,
            self.venue_combo,
            self.tag_combo,
            self.text_edit,
        )
        for w in widgets:
            w.blockSignals(True)
        for combo in widgets[:-1]:
            combo.setCurrentIndex(0)  # type: ignore[attr-defined]
        self.text_edit.clear()
        for w in widgets:
            w.blockSignals(False)
        self._show_dates(False)
        self._emit()

    def _emit(self) -> None:
        self._text_timer.stop()
        self.sig_filter_changed.emit(self.current_filter())


class SessionsView(QWidget):
    """Filter bar above a table of sessions."""

    sig_activated = Signal(str)  # session id (Enter or double-click)
    sig_selection_changed = Signal()
    sig_count_changed = Signal(int)

    def __init__(
        self, sessions: SessionLister, parent: QWidget | None = None, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.model = SessionsTableModel(sessions, self)
        self.filter_bar = SessionsFilterBar(self, today=today)
        self.table = QTableView(self)  # made with its parent: see SessionsFilterBar
        self.table.setObjectName("sessionsTable")
        # Built before the first paint, the list reaches no enum of Python's ``Qt`` namespace:
        # the first one builds its 93 enum types at once (20 to 45 ms), which waits for the
        # window to be shown (app.ui.application). Qt calls the model's headerData with a
        # Qt.Orientation, so the header shows the titles of a model of their own, and takes it
        # while hidden: a shown header asks the table's model for its titles as soon as it gets
        # it. Sorting goes through the header's signal (Qt calls a Python ``sort`` with a
        # Qt.SortOrder); enum properties are set by name. The header starts on the first
        # column (the date), newest first: Qt's default indicator.
        vheader = self.table.verticalHeader()
        vheader.setVisible(False)
        header = self.table.horizontalHeader()
        header.setVisible(False)
        self.table.setModel(self.model)
        header.setModel(self.model.header_labels(header))
        header.setVisible(True)
        setup_read_only_table(self.table, QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setTabKeyNavigation(False)
        # Fixed row heights: Qt never measures 100,000 rows.
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 14)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        self._size_columns()
        self.empty_label = QLabel(self.tr("No session matches these filters."), self)
        self.empty_label.setObjectName("emptyLabel")
        set_enum_property(self.empty_label, "alignment", "AlignCenter")
        self.empty_label.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 6)
        layout.setSpacing(8)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)

        self.filter_bar.sig_filter_changed.connect(self._on_filter_changed)
        header.sortIndicatorChanged.connect(self._on_sort_indicator)
        self.model.sig_reloaded.connect(self._on_reloaded)
        # The first query (date, newest first) reads the first page; the rest of the ids is
        # read once the list has been painted.
        self.model.load_progressively()
        self.model.reload()
        self.table.setSortingEnabled(True)
        after_first_paint(self, self.model.load_rest)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self.sig_selection_changed)
        self.model.modelReset.connect(self.sig_selection_changed)

    def _size_columns(self) -> None:
        # Widths from typical contents in the styled font; never measured over all rows.
        self.table.ensurePolished()
        metrics = self.table.fontMetrics()
        samples = {
            Column.DATE: "00/00/0000",
            Column.KIND: max(self.model.kind_labels.values(), key=metrics.horizontalAdvance),
            Column.DURATION: "1 h 30",
            Column.PLACE: "Médiathèque Jean Lévy",
            Column.THEMES: "Aide aux démarches administratives",
            Column.CODE: "WWW-WWW",
            Column.PARTICIPANTS: "Participants",
        }
        header = self.table.horizontalHeader()
        header_metrics = header.fontMetrics()
        for col, sample in samples.items():
            title = self.model.column_title(col)
            width = max(metrics.horizontalAdvance(sample), header_metrics.horizontalAdvance(title))
            header.resizeSection(col, width + 40)

    # ---- public --------------------------------------------------------------------------
    def refresh(self, keep_selection: bool = True) -> None:
        selected = self.selected_ids() if keep_selection else []
        current = self.current_id()
        self.model.reload()
        self.select_ids(selected, current)

    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [sid for sid in (self.model.session_id(r) for r in rows) if sid]

    def current_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.session_id(index.row()) if index.isValid() else None

    def select_ids(self, ids: list[str], current: str | None = None) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows  # type: ignore[attr-defined]
        first = -1
        for sid in ids:
            row = self.model.row_of(sid)
            if row >= 0:
                selection.select(self.model.index(row, 0), flags)
                first = row if first < 0 else first
        target = self.model.row_of(current) if current else first
        if target >= 0:
            selection.setCurrentIndex(self.model.index(target, 0), selection.SelectionFlag.NoUpdate)
            self.table.scrollTo(self.model.index(target, 0))

    # ---- handlers ------------------------------------------------------------------------
    def _on_filter_changed(self, flt: SessionFilter) -> None:
        self.model.set_filter(flt)

    def _on_sort_indicator(self, column: int, order: Qt.SortOrder) -> None:
        from PySide6.QtCore import Qt

        if SORT_KEYS[Column(column)] is not None:
            self.model.sort_by(column, order == Qt.SortOrder.DescendingOrder)
            return
        # Not sortable: put the indicator back where the order really is.
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(
            self.model.sort_column,
            Qt.SortOrder.DescendingOrder if self.model.descending else Qt.SortOrder.AscendingOrder,
        )
        header.blockSignals(False)

    def _on_reloaded(self, count: int) -> None:
        self.empty_label.setVisible(count == 0)
        self.sig_count_changed.emit(count)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        sid = self.model.session_id(index.row())
        if sid:
            self.sig_activated.emit(sid)
