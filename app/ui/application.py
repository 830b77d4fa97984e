"""The Qt application: translators, style, error reporting, profiles and the main window."""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLockFile, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from app import APP_NAME, __version__
from app.logging_setup import rotate_log
from app.models.errors import StorageError
from app.models.migrate import check_writable
from app.paths import resource_path
from app.services.notebook import Notebook, open_notebook
from app.services.profiles import ProfileRegistry
from app.ui.common import after_first_paint
from app.ui.context import AppContext
from app.ui.errors import ErrorReporter, storage_error_box
from app.ui.i18n import install_translators
from app.ui.icons import icon
from app.ui.main_window import MainWindow

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from app.ui.profile_dialogs import ProfilePickerDialog
    from app.ui.welcome import WelcomeDialog

log = logging.getLogger(__name__)

# The user reads the window for a moment before acting: that is when the rest loads.
WARM_UP_DELAY_MS = 150
# app.__main__ pauses the garbage collector during the start; it resumes once the first main
# window is painted, or after this delay when the start asks something first (profile, PIN).
GC_RESUME_MS = 2000

EXIT_STORAGE_ERROR = 2

# Next to a profile's database: held while a Carnet process has the notebook open (its sync
# engine assumes it is the only one writing that notebook).
LOCK_SUFFIX = ".verrou"


def apply_style(app: QApplication) -> None:
    qss = resource_path("resources", "style.qss")
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
    app.setWindowIcon(icon("app"))


class AppController(QObject):
    """Owns the open notebook and its window; opens, switches and creates profiles.

    ``sig_exit`` asks the application to stop with a code (2 when the data cannot be opened)."""

    sig_exit = Signal(int)
    sig_window_changed = Signal(object)  # the new MainWindow

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.notebook: Notebook | None = None
        self.window: MainWindow | None = None
        self.profile_id: str | None = None
        self.dialog: QWidget | None = None  # the dialog being shown (picker, PIN, welcome, error)
        self._placeholder_name: str | None = None  # profile named before the welcome is filled
        self._switching = False
        self._first_start = False
        self._lock: QLockFile | None = None  # the open profile's single-instance lock

    @property
    def registry(self) -> ProfileRegistry:
        return self.context.registry

    # ---- start ---------------------------------------------------------------------------
    def start(self) -> None:
        """First start: a new profile then the welcome; otherwise the last profile (its PIN if
        it has one), or the profile list when there is no obvious choice."""
        try:
            check_writable(self.context.data_dir)
        except StorageError as err:
            self._fail(err)
            return
        profiles = self.registry.profiles
        last = self.registry.get(self.registry.last_used or "")
        if not profiles:
            self._first_start = True
            self.new_profile()
        elif last is not None and not last.has_pin:
            self.open_profile(last.id)
        elif len(profiles) == 1 and not profiles[0].has_pin:
            self.open_profile(profiles[0].id)
        else:
            self.show_picker(last.id if last else None)

    def show_picker(self, preselect: str | None = None) -> ProfilePickerDialog:
        from app.ui.profile_dialogs import ProfilePickerDialog

        picker = ProfilePickerDialog(self.registry, preselect)
        picker.sig_profile_chosen.connect(self.open_profile)
        picker.sig_new_profile.connect(self.new_profile)
        picker.rejected.connect(self._on_start_cancelled)
        self.dialog = picker
        picker.open()
        return picker

    def _on_start_cancelled(self) -> None:
        if self.window is None:
            self.sig_exit.emit(0)

    def _fail(self, err: StorageError) -> None:
        """Explain a storage problem. With no window open yet, Carnet stops (code 2)."""
        log.error("storage error (%s) on %s", err.code, err.path)
        box = storage_error_box(err.message, self.window)
        self.dialog = box
        if self.window is None:
            box.finished.connect(lambda _result: self.sig_exit.emit(EXIT_STORAGE_ERROR))
        box.open()

    # ---- profiles ------------------------------------------------------------------------
    def new_profile(self) -> None:
        name = QCoreApplication.translate("AppController", "New profile")
        try:
            profile = self.registry.create(name)
        except OSError as exc:
            self._fail(_read_only_error(self.context.data_dir, exc))
            return
        self._placeholder_name = name
        self.open_profile(profile.id)

    def switch_profile(self, profile_id: str) -> None:
        """From the profile menu: the PIN first when the profile has one."""
        profile = self.registry.get(profile_id)
        if profile is None or profile_id == self.profile_id:
            return
        if not profile.has_pin:
            self.open_profile(profile_id)
            return
        from app.ui.profile_dialogs import PinDialog

        dialog = PinDialog(self.registry, profile_id, self.window)
        dialog.accepted.connect(lambda: self.open_profile(profile_id))
        self.dialog = dialog
        dialog.open()

    def open_profile(self, profile_id: str) -> bool:
        db_path = self.registry.db_path(profile_id)
        try:
            lock = lock_profile(db_path)
        except OSError as exc:
            self._fail(_read_only_error(db_path.parent, exc))
            return False
        if lock is None:
            self._already_open(profile_id)
            return False
        try:
            notebook = open_notebook(db_path)
        except StorageError as err:
            lock.unlock()
            self._fail(err)
            return False
        try:
            self.registry.mark_used(profile_id)
        except OSError as exc:
            notebook.close()
            lock.unlock()
            self._fail(_read_only_error(self.context.data_dir, exc))
            return False
        log.info("profile opened")
        previous_window, previous_notebook = self.window, self.notebook
        previous_lock, self._lock = self._lock, lock
        self.notebook, self.profile_id = notebook, profile_id
        window = MainWindow(notebook, profile_id, self.context)
        window.sig_switch_profile.connect(self.switch_profile)
        window.sig_new_profile.connect(self.new_profile)
        window.sig_settings_changed.connect(self._on_settings_changed)
        window.sig_closed.connect(self._on_window_closed)
        self.window = window
        window.show()
        # The new window is up before the old one goes, so Carnet never has no window.
        if previous_window is not None:
            self._switching = True
            previous_window.close()
            previous_window.deleteLater()
            self._switching = False
        if previous_notebook is not None:
            previous_notebook.close()
        if previous_lock is not None:
            previous_lock.unlock()
        self.sig_window_changed.emit(window)
        if not notebook.reader.display_name():
            self.show_welcome()
        else:
            window.offer_drafts()
        # Once the window is up and idle: the write side of the services (SQLAlchemy) and the
        # communes load on worker threads, so the first save or commune search does not wait.
        QTimer.singleShot(WARM_UP_DELAY_MS, lambda: self._warm_up(notebook))
        return True

    def _already_open(self, profile_id: str) -> QMessageBox:
        """Another Carnet has this notebook open. With a window open, it stays as it is;
        at start, the other profiles are offered, or Carnet stops when there is none."""
        from PySide6.QtWidgets import QMessageBox

        log.info("profile already open in another Carnet")
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self.tr("Profile already open"))
        box.setText(self.tr("This profile is already open in another Carnet window."))
        others = [p for p in self.registry.profiles if p.id != profile_id]
        if self.window is None and others:
            box.setInformativeText(self.tr("Go back to that window, or choose another profile."))
            box.finished.connect(lambda _result: self.show_picker())
        elif self.window is None:
            box.setInformativeText(self.tr("Go back to that window: this one closes."))
            box.finished.connect(lambda _result: self.sig_exit.emit(0))
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.dialog = box
        box.open()
        return box

    def _warm_up(self, notebook: Notebook) -> None:
        if notebook is not self.notebook:
            return  # switched profile meanwhile

        def work() -> None:
            rotate_log()  # the log's rotation loads now, off the start
            notebook.warm_up()

        threading.Thread(target=work, name="services-warm-up", daemon=True).start()
        if not self.context.communes.loaded:
            self.context.preload_communes()

    def show_welcome(self) -> WelcomeDialog:
        assert self.notebook is not None and self.window is not None
        from app.ui.welcome import WelcomeDialog

        welcome = WelcomeDialog(self.notebook, self.context.communes, self.window)
        welcome.sig_done.connect(self._on_welcome_done)
        welcome.rejected.connect(self._on_welcome_rejected)
        self.dialog = welcome
        welcome.open()
        return welcome

    def _on_welcome_done(self, display_name: str) -> None:
        profile = self.registry.get(self.profile_id or "")
        if profile is not None and profile.name == self._placeholder_name:
            self.registry.rename(profile.id, display_name)
        self._placeholder_name = None
        self._first_start = False
        if self.window is not None:
            self.window.update_title()
            self.window.reload_choices()

    def _on_welcome_rejected(self) -> None:
        # Nothing can be recorded without a venue: on the very first start, closing the
        # welcome closes Carnet (it comes back next time); otherwise the window stays.
        if self._first_start and self.window is not None:
            self.window.close()

    def _on_settings_changed(self) -> None:
        if self.window is not None:
            self.window.update_title()

    def _on_window_closed(self) -> None:
        if not self._switching:
            self.sig_exit.emit(0)

    def shutdown(self) -> None:
        if self.notebook is not None:
            self.notebook.close()
            self.notebook = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def lock_profile(db_path: Path) -> QLockFile | None:
    """Take the profile's single-instance lock: None when another Carnet holds it. A lock left
    by a crashed Carnet (its process is gone) is taken over. OSError when the folder is not
    writable."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(db_path) + LOCK_SUFFIX)
    # Held for as long as the notebook is open: stale only when its process is gone, never by
    # age (Qt's advice for long-lived locks).
    lock.setStaleLockTime(0)
    if lock.tryLock(100):
        return lock
    if lock.error() == QLockFile.LockError.LockFailedError:
        return None
    raise PermissionError(f"lock file {lock.fileName()} cannot be written")


def _read_only_error(folder: Path, exc: OSError) -> StorageError:
    try:
        check_writable(folder)
    except StorageError as err:
        return err
    return StorageError(
        f"Carnet n'a pas pu écrire dans « {folder} » ({exc.strerror or exc}). "
        "Rien n'a été modifié.",
        folder,
    )


def resume_gc() -> None:
    """End the start's pause of the garbage collector. What the start built (modules, classes,
    the window) lives as long as Carnet, and it left almost no garbage (about a hundred
    objects): it moves to the permanent generation, so no collection ever scans it again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def finish_start() -> None:
    """Once the window is shown and answering: build Python's ``Qt`` namespace, which the start
    leaves alone (its first enum builds all 93 of its enum types at once, see
    app.ui.common.set_enum_property), so the first key pressed or dialog opened does not wait for
    it; then end the start's pause of the garbage collector, which freezes them with the rest."""
    from PySide6.QtCore import Qt  # noqa: F401 (built on import)

    resume_gc()


def run(
    data_dir: Path,
    log_file: Path,
    lang: str | None,
    on_window: Callable[[MainWindow], None] | None = None,
) -> int:
    """Start the desktop application; returns the process exit code. ``on_window`` is called
    with each new main window, shown but not yet painted (the start-up probe)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("carnet")  # Wayland: ties the window to carnet.desktop and its icon
    app.setQuitOnLastWindowClosed(False)  # the controller decides, so a profile switch is safe
    translators = install_translators(app, lang)
    apply_style(app)
    reporter = ErrorReporter(log_file)
    reporter.install()
    context = AppContext(data_dir, log_file, ProfileRegistry(data_dir))
    controller = AppController(context)
    controller.sig_exit.connect(app.exit)
    # After the window's first paint, behind the other work that waits for it (the tags and the
    # list's remaining ids, which start threads) and after the start-up probe's mark: the
    # probe times the window until it answers input, and this comes right after (20 to 45 ms).
    controller.sig_window_changed.connect(
        lambda window: after_first_paint(window, lambda: QTimer.singleShot(0, finish_start))
    )
    if on_window is not None:
        controller.sig_window_changed.connect(on_window)
    if not gc.isenabled():
        QTimer.singleShot(GC_RESUME_MS, resume_gc)
    QTimer.singleShot(0, controller.start)
    try:
        code = app.exec()
    finally:
        controller.shutdown()
        reporter.uninstall()
        for translator in translators:
            app.removeTranslator(translator)
    log.info("Carnet stopped (%s)", code)
    return code
