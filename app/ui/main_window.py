"""The main window: the sessions list, its actions, the profile menu and the status bar."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6 import QtCore  # QtCore.Qt once the window is shown (see set_enum_property)
from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from app import __version__
from app.models.errors import StorageError
from app.services.notebook import Notebook
from app.services.quick_read import NEW_SESSION_KEY, SessionFilter
from app.ui.common import after_first_paint, set_enum_property
from app.ui.context import AppContext
from app.ui.errors import storage_error_box
from app.ui.icons import icon
from app.ui.sessions_view import SessionsView
from app.ui.stats_menu import close_stats_window, install_stats_menu
from app.ui.sync.shell import install_sync
from app.ui.training.shell import install_training

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog, QMessageBox

    from app.services.sessions import SessionInput

log = logging.getLogger(__name__)

UNDO_NOTICE_MS = 15_000


def pending_changes(notebook: Notebook) -> int:
    """Changes waiting for the hub (the outbox)."""
    return notebook.reader.pending_changes()


class DeleteSessionsCommand(QUndoCommand):
    """Soft delete of sessions; undo brings them back (the hub sees both as changes)."""

    def __init__(self, text: str, ids: list[str], apply: Callable[[list[str], bool], None]) -> None:
        super().__init__(text)
        self.ids = list(ids)
        self._apply = apply
        self._already_done = True  # the window deletes before pushing, to report errors

    def redo(self) -> None:
        if self._already_done:
            self._already_done = False
            return
        self._apply(self.ids, True)

    def undo(self) -> None:
        self._apply(self.ids, False)


class MainWindow(QMainWindow):
    sig_switch_profile = Signal(str)  # profile id chosen in the profile menu
    sig_new_profile = Signal()
    sig_settings_changed = Signal()
    sig_closed = Signal()
    sig_pending_changed = Signal(int)  # changes waiting for the hub, after each local change
    _sig_tags_loaded = Signal(object)  # list[str], from the worker reading the tags at start

    def __init__(
        self,
        notebook: Notebook,
        profile_id: str,
        context: AppContext,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.notebook = notebook
        self.profile_id = profile_id
        self.context = context
        self.undo_stack = QUndoStack(self)
        self.form: QDialog | None = None  # the open SessionFormDialog, if any
        self.person_pages: list[QWidget] = []
        self.message_box: QMessageBox | None = None
        self._total: int | None = None  # sessions in the notebook, counted once per change

        self.sessions_view = SessionsView(notebook.reader, self)
        self.setCentralWidget(self.sessions_view)
        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self._make_status_bar()

        self.sessions_view.sig_activated.connect(self._on_session_activated)
        self.sessions_view.sig_selection_changed.connect(self._on_selection_changed)
        self.sessions_view.sig_count_changed.connect(self._on_count_changed)
        self.undo_stack.indexChanged.connect(self._on_undo_index_changed)

        # The tags come from a scan of every session: read on a worker once the window has
        # been painted, the list meanwhile.
        self.sessions_view.filter_bar.reload_choices(self.notebook.reader.venues(), [])
        # Emitted on the worker thread: Qt queues it to the window's thread.
        self._sig_tags_loaded.connect(self._on_tags_loaded)
        after_first_paint(self, self._load_tags_in_background)
        self.update_title()
        if self.sessions_view.model.complete:  # else the count comes with the rest of the list
            self._on_count_changed(self.sessions_view.model.rowCount())
        self._update_pending()
        self._on_selection_changed()
        self.stats_action = install_stats_menu(self, notebook)
        self.resize(1180, 720)
        self.sessions_view.table.setFocus()
        install_training(self)  # light: the training window loads when first opened
        self.sync = install_sync(self)  # light: the engine loads on a worker after the show

    # ---- construction --------------------------------------------------------------------
    def _action(
        self,
        text: str,
        handler: Callable[[], object],
        shortcut: QKeySequence | list[QKeySequence] | None = None,
        tip: str = "",
        icon_name: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            # setShortcuts: the overloads of setShortcut make Python build the Qt namespace's
            # enums (see set_enum_property).
            action.setShortcuts(shortcut if isinstance(shortcut, list) else [shortcut])
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(handler)
        return action

    def _make_actions(self) -> None:
        self.new_action = self._action(
            self.tr("New session"),
            self._on_new_session,
            QKeySequence("Ctrl+N"),
            self.tr("Record a new session (Ctrl+N)"),
            "new",
        )
        self.edit_action = self._action(
            self.tr("Edit"),
            self._on_edit_session,
            [QKeySequence("Return"), QKeySequence("Enter")],
            self.tr("Open the selected session to correct it (Enter)"),
            "edit",
        )
        self.duplicate_action = self._action(
            self.tr("Duplicate"),
            self._on_duplicate_session,
            QKeySequence("Ctrl+D"),
            self.tr("A new session like the selected one, dated today (Ctrl+D)"),
            "duplicate",
        )
        self.delete_action = self._action(
            self.tr("Delete"),
            self._on_delete_sessions,
            QKeySequence(QKeySequence.StandardKey.Delete),
            self.tr("Delete the selected sessions; Ctrl+Z brings them back"),
            "delete",
        )
        # Enter and Del belong to the list: in a text field they edit the text. (Enum
        # properties by name before the first paint: see set_enum_property.)
        for action in (self.edit_action, self.delete_action):
            set_enum_property(action, "shortcutContext", "WidgetShortcut")
        self.person_of_session_action = self._action(
            self.tr("See the followed person"),
            self._on_person_of_session,
            None,
            self.tr("The page of the person followed in this session"),
            "person",
        )
        # Right-click on the list: the same actions.
        table = self.sessions_view.table
        set_enum_property(table, "contextMenuPolicy", "ActionsContextMenu")
        for action in (
            self.edit_action,
            self.duplicate_action,
            self.person_of_session_action,
            self.delete_action,
        ):
            table.addAction(action)
        self.undo_action = self.undo_stack.createUndoAction(self, self.tr("Undo"))
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = self.undo_stack.createRedoAction(self, self.tr("Redo"))
        self.redo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Redo)])
        self.person_action = self._action(
            self.tr("Followed person…"),
            self._on_find_person,
            QKeySequence("Ctrl+F"),
            self.tr("Type a follow-up code to see the person's page (Ctrl+F)"),
            "person",
        )
        self.settings_action = self._action(
            self.tr("Settings"),
            self._on_settings,
            QKeySequence("Ctrl+,"),
            self.tr("Your name, your venues, your profile and its PIN"),
            "settings",
        )
        self.new_profile_action = self._action(
            self.tr("New profile…"), self.sig_new_profile.emit, None, self.tr("Add a profile")
        )
        self.about_action = self._action(self.tr("About Carnet"), self._on_about)
        self.quit_action = self._action(
            self.tr("Quit"), self.close, QKeySequence(QKeySequence.StandardKey.Quit)
        )

    def _make_menus(self) -> None:
        bar = self.menuBar()
        carnet = bar.addMenu(self.tr("&Carnet"))
        carnet.addAction(self.settings_action)
        carnet.addSeparator()
        carnet.addAction(self.quit_action)
        sessions = bar.addMenu(self.tr("&Sessions"))
        for action in (self.new_action, self.edit_action, self.duplicate_action):
            sessions.addAction(action)
        sessions.addAction(self.delete_action)
        sessions.addSeparator()
        sessions.addAction(self.undo_action)
        sessions.addAction(self.redo_action)
        people = bar.addMenu(self.tr("&People"))
        people.addAction(self.person_action)
        self.profile_menu = bar.addMenu(self.tr("P&rofile"))
        self.profile_menu.aboutToShow.connect(self._on_profile_menu_about_to_show)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.about_action)
        self._on_profile_menu_about_to_show()

    def _make_toolbar(self) -> None:
        toolbar = self.addToolBar(self.tr("Actions"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        set_enum_property(toolbar, "toolButtonStyle", "ToolButtonTextBesideIcon")
        toolbar.addAction(self.new_action)
        new_button = toolbar.widgetForAction(self.new_action)
        new_button.setObjectName("primaryButton")
        toolbar.addSeparator()
        for action in (self.edit_action, self.duplicate_action, self.delete_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.person_action)
        spacer = QWidget()  # the toolbar takes it (and the button below) as its own
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.profile_button = QToolButton()
        self.profile_button.setObjectName("profileButton")
        self.profile_button.setIcon(icon("profile"))
        set_enum_property(self.profile_button, "toolButtonStyle", "ToolButtonTextBesideIcon")
        self.profile_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.profile_button.setMenu(self.profile_menu)
        self.profile_button.setToolTip(self.tr("Switch profile"))
        toolbar.addWidget(self.profile_button)
        toolbar.addAction(self.settings_action)
        self.toolbar = toolbar

    def _make_status_bar(self) -> None:
        status = self.statusBar()
        self.undo_label = QLabel(status)  # made with its final parent (see SessionsFilterBar)
        self.undo_button = QPushButton(self.tr("Undo"), status)
        self.undo_button.setObjectName("undoButton")
        self.undo_button.clicked.connect(self._on_undo_clicked)
        self.undo_label.setVisible(False)
        self.undo_button.setVisible(False)
        status.addWidget(self.undo_label)
        status.addWidget(self.undo_button)
        self.count_label = QLabel(status)
        self.count_label.setObjectName("countLabel")
        self.pending_label = QLabel(status)
        self.pending_label.setObjectName("pendingLabel")
        status.addPermanentWidget(self.count_label)
        status.addPermanentWidget(self.pending_label)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_NOTICE_MS)
        self._undo_timer.timeout.connect(self._hide_undo_notice)

    # ---- state ---------------------------------------------------------------------------
    def update_title(self) -> None:
        name = self.notebook.reader.display_name()
        self.setWindowTitle(f"Carnet — {name}" if name else "Carnet")
        profile = self.context.registry.get(self.profile_id)
        self.profile_button.setText(profile.name if profile else self.tr("Profile"))

    def reload_choices(self) -> None:
        self.sessions_view.filter_bar.reload_choices(
            self.notebook.reader.venues(), self.notebook.reader.known_tags()
        )

    def _load_tags_in_background(self) -> None:
        reader = self.notebook.reader

        def work() -> None:
            try:
                tags = reader.known_tags()
            except Exception:  # a closed notebook (profile switched): nothing to show
                log.debug("tags not loaded", exc_info=True)
                return
            finally:
                reader.release_thread()
            with contextlib.suppress(RuntimeError):  # the window was closed meanwhile
                self._sig_tags_loaded.emit(tags)

        threading.Thread(target=work, name="filter-tags", daemon=True).start()

    def _on_tags_loaded(self, tags: list[str]) -> None:
        self.sessions_view.filter_bar.reload_choices(self.notebook.reader.venues(), tags)

    def refresh(self, choices: bool = False) -> None:
        """After a change: the list (keeping the selection) and the counters; the venue and tag
        choices too when they may have changed (a save, the settings)."""
        self._total = None
        self.sessions_view.refresh()
        if choices:
            self.reload_choices()
        self._update_pending()

    def _update_pending(self) -> None:
        count = pending_changes(self.notebook)
        self.pending_label.setText(
            self.tr("%n change(s) waiting to be synchronised", None, count)
            if count
            else self.tr("Everything is synchronised")
        )
        self.sig_pending_changed.emit(count)

    def _on_count_changed(self, shown: int) -> None:
        # The total changes only with the data: a filter change does not count it again.
        if self.sessions_view.model.session_filter == SessionFilter():
            self._total = shown
        elif self._total is None:
            self._total = self.notebook.reader.count()
        total = self._total
        if shown == total:
            self.count_label.setText(self.tr("%n session(s)", None, total))
        else:
            self.count_label.setText(
                self.tr("Shown: %1 out of %n session(s)", None, total).replace("%1", str(shown))
            )

    def _on_selection_changed(self) -> None:
        selected = self.sessions_view.selected_ids()
        self.edit_action.setEnabled(len(selected) == 1)
        self.duplicate_action.setEnabled(len(selected) == 1)
        self.delete_action.setEnabled(bool(selected))
        self.person_of_session_action.setEnabled(self._selected_code() is not None)

    def _selected_code(self) -> str | None:
        view = self.sessions_view
        selected = view.selected_ids()
        if len(selected) != 1:
            return None
        row = view.model.session_row(view.model.row_of(selected[0]))
        return row.code if row else None

    def _on_person_of_session(self) -> None:
        code = self._selected_code()
        if code:
            self.open_person_page(code)

    def _show_storage_error(self, err: StorageError) -> None:
        box = storage_error_box(err.message, self, self.tr("Carnet could not save"))
        self.message_box = box
        box.open()

    # ---- sessions ------------------------------------------------------------------------
    def open_form(self, session_id: str | None = None, initial: SessionInput | None = None):
        """Open the session form (window-modal, non-blocking) and return it."""
        from app.ui.session_form import SessionFormDialog

        form = SessionFormDialog(
            self.notebook,
            self.context.communes,
            session_id=session_id,
            initial=initial,
            parent=self,
        )
        form.sig_saved.connect(self._on_session_saved)
        form.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        form.finished.connect(self._on_form_finished)
        self.form = form
        form.open()
        return form

    def _on_form_finished(self) -> None:
        self.form = None
        self.sessions_view.table.setFocus()

    def _on_new_session(self) -> None:
        self.open_form()

    def _on_edit_session(self) -> None:
        selected = self.sessions_view.selected_ids()
        if len(selected) == 1:
            self.open_form(session_id=selected[0])

    def _on_session_activated(self, session_id: str) -> None:
        self.open_form(session_id=session_id)

    def _on_duplicate_session(self) -> None:
        selected = self.sessions_view.selected_ids()
        if len(selected) == 1:
            self.open_form(initial=self.notebook.sessions.duplicate(selected[0]))

    def _on_session_saved(self, session_id: str) -> None:
        self._total = None
        self.sessions_view.refresh(keep_selection=False)
        self.sessions_view.select_ids([session_id], session_id)
        self.reload_choices()
        self._update_pending()
        self.statusBar().showMessage(self.tr("Session saved."), 5000)

    def _on_delete_sessions(self) -> None:
        ids = self.sessions_view.selected_ids()
        if not ids:
            return
        row = self.sessions_view.model.row_of(ids[0])
        try:
            for sid in ids:
                self.notebook.sessions.delete(sid)
        except StorageError as err:
            self._show_storage_error(err)
            self.refresh()
            return
        text = self.tr("delete %n session(s)", None, len(ids))
        self.undo_stack.push(DeleteSessionsCommand(text, ids, self._apply_delete))
        self.refresh()
        # Keep the cursor where it was, on the next session.
        model = self.sessions_view.model
        if model.rowCount():
            target = model.session_id(min(row, model.rowCount() - 1))
            if target:
                self.sessions_view.select_ids([target], target)
        self._show_undo_notice(self.tr("%n session(s) deleted.", None, len(ids)))

    def _apply_delete(self, ids: list[str], deleted: bool) -> None:
        try:
            for sid in ids:
                if deleted:
                    self.notebook.sessions.delete(sid)
                else:
                    self.notebook.sessions.undelete(sid)
        except StorageError as err:
            self._show_storage_error(err)
        self.refresh()
        if not deleted:
            self.sessions_view.select_ids(ids, ids[0])

    def _show_undo_notice(self, text: str) -> None:
        self.undo_label.setText(text)
        self.undo_label.setVisible(True)
        self.undo_button.setVisible(True)
        self._undo_timer.start()

    def _hide_undo_notice(self) -> None:
        self.undo_label.setVisible(False)
        self.undo_button.setVisible(False)

    def _on_undo_clicked(self) -> None:
        self.undo_stack.undo()
        self.sessions_view.table.setFocus()

    def _on_undo_index_changed(self) -> None:
        if not self.undo_stack.canUndo():
            self._hide_undo_notice()

    # ---- drafts --------------------------------------------------------------------------
    def offer_drafts(self) -> QMessageBox | None:
        """After a crash or a closed form: offer to take the unsaved input back."""
        keys = self.notebook.reader.draft_keys()
        if not keys:
            return None
        from PySide6.QtWidgets import QMessageBox

        key = keys[0]
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Unsaved input"))
        box.setText(self.tr("An unsaved input was found: take it back?"))
        resume = box.addButton(self.tr("Take it back"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(self.tr("Discard it"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Later"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(resume)

        def on_finished() -> None:
            clicked = box.clickedButton()
            if clicked is resume:
                session_id = None if key == NEW_SESSION_KEY else key.split(":", 1)[1]
                if session_id and self.notebook.sessions.is_deleted(session_id):
                    # The session was deleted since: its input comes back as a new session,
                    # kept as the new-session draft until it is saved or discarded.
                    kept = self.notebook.drafts.load(key)
                    if kept is not None:
                        self.notebook.drafts.save(NEW_SESSION_KEY, kept)
                    self.notebook.drafts.discard(key)
                    session_id = None
                form = self.open_form(session_id=session_id)
                form_resume = getattr(form, "resume_button", None)
                if form_resume is not None and not form.draft_banner.isHidden():
                    form_resume.click()  # already answered here: no second question
            elif clicked is discard:
                self.notebook.drafts.discard(key)

        box.finished.connect(on_finished)
        self.message_box = box
        box.open()
        return box

    # ---- people --------------------------------------------------------------------------
    def _on_find_person(self) -> None:
        from app.ui.person_page import FollowUpLookupDialog

        dialog = FollowUpLookupDialog(self.notebook.beneficiaries, self)
        dialog.sig_code_chosen.connect(self.open_person_page)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.lookup_dialog = dialog
        dialog.open()

    def open_person_page(self, code: str):
        from app.ui.person_page import PersonPage

        summary = self.notebook.beneficiaries.summary(code)
        if summary is None:
            return None
        page = PersonPage(summary, self)
        from app.ui.training.person_section import install_training_section

        install_training_section(page, self.notebook)
        page.sig_open_session.connect(self._on_session_activated)
        page.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        page.destroyed.connect(lambda: self.person_pages.remove(page))
        self.person_pages.append(page)
        page.show()
        return page

    # ---- settings, profiles, about -------------------------------------------------------
    def _on_settings(self) -> None:
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.notebook, self.context.registry, self.profile_id, self.context.communes, self
        )
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._on_settings_saved)
        self.settings_dialog = dialog
        dialog.open()

    def _on_settings_saved(self) -> None:
        self.update_title()
        self.refresh(choices=True)
        self.sig_settings_changed.emit()

    def _on_profile_menu_about_to_show(self) -> None:
        menu: QMenu = self.profile_menu
        menu.clear()
        for profile in self.context.registry.profiles:
            action = menu.addAction(profile.name)
            action.setCheckable(True)
            action.setChecked(profile.id == self.profile_id)
            if profile.has_pin:
                action.setIcon(icon("lock"))
            action.setData(profile.id)
            action.triggered.connect(
                lambda _checked=False, pid=profile.id: self._on_profile_chosen(pid)
            )
        menu.addSeparator()
        menu.addAction(self.new_profile_action)

    def _on_profile_chosen(self, profile_id: str) -> None:
        if profile_id != self.profile_id:
            self.sig_switch_profile.emit(profile_id)

    def _on_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setWindowTitle(self.tr("About Carnet"))
        box.setIconPixmap(icon("app").pixmap(64, 64))
        box.setText(f"<b>Carnet {__version__}</b>")
        box.setInformativeText(
            self.tr("The field notebook of digital-inclusion mediators: anonymous, works offline.")
            + "<br><br>"
            + self.tr("Data folder: %1").replace("%1", str(self.context.data_dir))
            + "<br>"
            + self.tr("Log folder: %1").replace("%1", str(self.context.log_file.parent))
            + "<br><br>"
            + self.tr("Free software under the EUPL 1.2 licence.")
        )
        box.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_box = box
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        # An open form keeps its draft; closing the window is always safe.
        for page in list(self.person_pages):
            page.close()
        close_stats_window(self)
        super().closeEvent(event)
        if event.isAccepted():
            self.sig_closed.emit()
