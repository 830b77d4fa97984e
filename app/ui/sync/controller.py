"""The sync of one main window: when to sync, on which thread, and what to show.

``SyncController`` runs every network call of its profile (enrolment, sync, probe, unlink) in
turn on one worker thread, and quick local reads (the review items, a fresh state) on short
threads of their own, so that the panel fills even during a long sync. Results come back to the
UI thread by a queued signal; the window never waits, except on close, for at most
``SyncTimings.close_wait_s``: closing in the middle of a sync loses nothing (the engine stores a
batch before sending it and resumes at the next start).

When it syncs: a little after the window is shown (once the services are warm), a little after
a change is saved, every few minutes while the hub answers, on "Synchroniser" (F5, Ctrl+R), when
the hub becomes reachable again (probed with exponential backoff and jitter, capped), and on close
when changes are waiting.

Nothing heavy here: ``requests``, ``keyring`` and the engine load on the worker (desktop.py).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6 import QtCore  # QtCore.Qt once the window is shown (see set_enum_property)
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

from app.sync.errors import RateLimited, SyncBusy, SyncCancelled, SyncError, TransportError

if TYPE_CHECKING:
    import datetime as dt
    import queue

    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMainWindow, QWidget

    from app.services.notebook import Notebook
    from app.sync.engine import SyncProgress, SyncReport
    from app.ui.sync.desktop import DesktopSync, SyncSnapshot
    from app.ui.sync.runtime import SyncRuntime

log = logging.getLogger(__name__)

CLOCK_NOTICE_MS = 20_000

Callback = Callable[[Any, BaseException | None], None]

# What the status indicator shows, most urgent first.
LOADING = "loading"
SYNCING = "syncing"
NOT_LINKED = "not_linked"
# The sync_state keys the engine writes on enrolment (a test checks they match the engine's).
ENROLMENT_KEYS = ("hub_url", "device_id")
PROBLEM = "problem"  # the user must act: link again, update Carnet, unlock the keyring…
OFFLINE = "offline"
ATTENTION = "attention"  # changes refused, conflicts, or a clock that is off
PENDING = "pending"
SYNCED = "synced"


class SyncView(NamedTuple):
    """Everything the status indicator needs, computed by the controller."""

    state: str
    pending: int
    open_issues: int
    last_sync_at: dt.datetime | None
    message: str | None  # the problem or the last transport error, in French
    clock_warning: str | None
    progress: SyncProgress | None


def is_offline_error(error: BaseException) -> bool:
    """No usable answer from the hub (network, timeout, 5xx, garbage): try again later."""
    from app.sync.wire import WireFormatError  # loaded by then: the worker raised the error

    return isinstance(error, TransportError | RateLimited | WireFormatError)


class _Worker:
    """One daemon thread running jobs in turn; results go back through ``deliver``."""

    def __init__(self, deliver: Callable[[tuple[Callback, Any, BaseException | None]], None]):
        self._deliver = deliver
        # Made with the thread, at the first job: the window is built without the queue module.
        self._jobs: queue.Queue[tuple[Callable[[], Any], Callback] | None] | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def submit(self, job: Callable[[], Any], callback: Callback) -> None:
        jobs = self._ensure_thread()
        if jobs is not None:
            jobs.put((job, callback))

    def stop(self) -> None:
        """The thread ends after the jobs already queued (the window is gone); later jobs are
        dropped."""
        with self._lock:
            self._stopped = True
            if self._jobs is not None:
                self._jobs.put(None)

    def _ensure_thread(self) -> queue.Queue[tuple[Callable[[], Any], Callback] | None] | None:
        with self._lock:
            if self._stopped:
                return None
            if self._jobs is None:
                import queue

                self._jobs = queue.Queue()
                self._thread = threading.Thread(
                    target=self._loop, args=(self._jobs,), name="sync", daemon=True
                )
                self._thread.start()
            return self._jobs

    def _loop(self, jobs: queue.Queue[tuple[Callable[[], Any], Callback] | None]) -> None:
        while True:
            item = jobs.get()
            if item is None or not run_job(*item, self._deliver):
                return  # the window is gone


def run_job(
    job: Callable[[], Any],
    callback: Callback,
    deliver: Callable[[tuple[Callback, Any, BaseException | None]], None],
) -> bool:
    """Run ``job`` and deliver its outcome; False when the receiver no longer exists."""
    result: Any = None
    error: BaseException | None = None
    try:
        result = job()
    except Exception as exc:  # delivered to the UI thread, which explains it
        error = exc
    try:
        deliver((callback, result, error))
    except RuntimeError:  # the controller was deleted with its window
        return False
    return True


class SyncController(QObject):
    sig_changed = Signal()  # the state changed: indicator, panel
    sig_synced = Signal(object)  # SyncReport, after a successful sync
    sig_enrol_finished = Signal(object, object)  # EnrolmentInfo or None, the error or None
    sig_issues = Signal(list)  # the open review items (SyncIssueInfo)
    sig_action_failed = Signal(str)  # a review action could not be done (French message)
    sig_idle = Signal()  # no sync running any more
    _sig_done = Signal(object)
    _sig_progress = Signal(object)

    def __init__(
        self,
        window: QMainWindow,
        notebook: Notebook,
        profile_key: str,
        runtime: SyncRuntime,
    ) -> None:
        super().__init__(window)
        self.setObjectName("syncController")
        self.window = window
        self.notebook = notebook
        self.profile_key = profile_key
        self.runtime = runtime
        self.timings = runtime.timings
        self.snapshot: SyncSnapshot | None = None
        # Set when the notebook shows no hub link: the full state is read on first need.
        self.unlinked_hint = False
        self.pending = 0
        self.online: bool | None = None
        self.syncing = False
        self.progress: SyncProgress | None = None
        self.problem: str | None = None  # needs the user (cleared by a successful sync)
        self.offline_reason: str | None = None
        self.clock_warning: str | None = None
        self.last_report: SyncReport | None = None
        self.panel: QObject | None = None
        self.sync_action: QAction | None = None  # set by install_sync
        self.indicator: QWidget | None = None
        self._clock_noticed = False
        self.enrol_dialog: QObject | None = None
        self._desktop_obj: DesktopSync | None = None
        self._desktop_lock = threading.Lock()
        self._closing = False
        self._started = False
        self._sync_wanted = False  # asked before the state was loaded
        self._probe_attempt = 0
        self._rng = random.Random()

        # Both emitted on worker threads only: Qt queues them to this controller's thread.
        self._sig_done.connect(self._on_done)
        self._sig_progress.connect(self._on_progress)
        self._worker = _Worker(self._sig_done.emit)
        self.destroyed.connect(self._worker.stop)
        self._start_timer = self._timer(self.start)  # dies with the window, unlike singleShot
        self._probe_timer = self._timer(self._on_probe_timer)
        self._after_change_timer = self._timer(lambda: self.sync_now(auto=True))
        self._periodic_timer = self._timer(lambda: self.sync_now(auto=True))
        window.installEventFilter(self)

    def _timer(self, slot: Callable[[], object]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(slot)
        return timer

    # ---- state -------------------------------------------------------------------------------
    @property
    def enrolled(self) -> bool:
        return self.snapshot is not None and self.snapshot.status.enrolled

    def view(self) -> SyncView:
        snap = self.snapshot
        issues = snap.status.open_issues if snap else 0
        if snap is None:
            state = SYNCING if self.syncing else (NOT_LINKED if self.unlinked_hint else LOADING)
        elif self.syncing:
            state = SYNCING
        elif not snap.status.enrolled:
            state = NOT_LINKED
        elif self.problem:
            state = PROBLEM
        elif self.online is False:
            state = OFFLINE
        elif issues or self.clock_warning:
            state = ATTENTION
        elif self.pending or snap.status.last_sync_at is None:
            state = PENDING
        else:
            state = SYNCED
        return SyncView(
            state=state,
            pending=self.pending,
            open_issues=issues,
            last_sync_at=snap.status.last_sync_at if snap else None,
            message=self.problem or (self.offline_reason if self.online is False else None),
            clock_warning=self.clock_warning,
            progress=self.progress,
        )

    # ---- threads -----------------------------------------------------------------------------
    def _desktop(self) -> DesktopSync:
        """Built on first use, on a worker thread (imports, keyring)."""
        with self._desktop_lock:
            if self._desktop_obj is None:
                from app.ui.sync.desktop import DesktopSync

                self._desktop_obj = DesktopSync(self.notebook, self.profile_key, self.runtime)
            return self._desktop_obj

    def _submit(self, job: Callable[[DesktopSync], Any], callback: Callback) -> None:
        """A network job, after the ones before it."""
        self._worker.submit(lambda: job(self._desktop()), callback)

    def _aside(self, job: Callable[[DesktopSync], Any], callback: Callback) -> None:
        """A quick local job on a thread of its own (never behind a long sync)."""
        threading.Thread(
            target=run_job,
            args=(lambda: job(self._desktop()), callback, self._sig_done.emit),
            name="sync-read",
            daemon=True,
        ).start()

    def _on_done(self, item: tuple[Callback, Any, BaseException | None]) -> None:
        callback, result, error = item
        callback(result, error)

    def _on_progress(self, progress: SyncProgress) -> None:
        if self.syncing:
            self.progress = progress
            self.sig_changed.emit()

    # ---- start -------------------------------------------------------------------------------
    def start_later(self, delay_ms: int) -> None:
        self._start_timer.start(delay_ms)

    def start(self) -> None:
        """Read the sync state, then sync if the device is linked (called once the window is
        shown and its services are warming up)."""
        if self._closing or self._started:
            return
        self._started = True
        if not self._linked_in_notebook():
            # Not linked to a hub: nothing to sync. The engine, requests and the keyring stay
            # unloaded until the mediator links the device (start-up time and memory).
            self.unlinked_hint = True
            self.pending = self.notebook.reader.pending_changes()
            if self._sync_wanted:  # "Synchronise" pressed before the state was read
                self._sync_wanted = False
                self.open_enrol_dialog()
            self.sig_changed.emit()
            return
        self._aside(lambda d: d.snapshot(), self._on_started)

    def _linked_in_notebook(self) -> bool:
        """The notebook's own record of a hub link, read without the engine."""
        reader = self.notebook.reader
        return all(reader.sync_state(key) for key in ENROLMENT_KEYS)

    def _on_started(self, snapshot: SyncSnapshot | None, error: BaseException | None) -> None:
        if error is not None or snapshot is None:
            log.error("sync state unreadable", exc_info=error)
            self.problem = _message(error)
            self.sig_changed.emit()
            return
        self._take(snapshot)
        if snapshot.status.enrolled:
            # Without its token (keyring locked or emptied, no keyring and a restart) the
            # engine stops before any request and says why: that becomes the problem shown.
            self._start_sync()
        elif self._sync_wanted:  # "Synchronise" pressed before the state was read
            self.open_enrol_dialog()
        self._sync_wanted = False
        self.sig_changed.emit()

    def _take(self, snapshot: SyncSnapshot) -> None:
        self.unlinked_hint = False
        self.snapshot = snapshot
        self.pending = snapshot.status.pending
        self.clock_warning = snapshot.clock_warning

    def reload(self) -> None:
        """Read the state again (after a review action, or to refresh the panel)."""
        self._aside(lambda d: d.snapshot(), self._on_reloaded)

    def _on_reloaded(self, snapshot: SyncSnapshot | None, error: BaseException | None) -> None:
        if snapshot is not None:
            self._take(snapshot)
            self.sig_changed.emit()

    # ---- sync --------------------------------------------------------------------------------
    def sync_now(self, auto: bool = False) -> bool:
        """Start a sync unless one is running. ``auto``: an automatic one (it never opens the
        enrolment dialog). Returns True when a sync was started."""
        if self._closing or self.syncing:
            return False
        if self.snapshot is None and self.unlinked_hint:
            if not auto:
                self.open_enrol_dialog()
            return False
        if self.snapshot is None:  # state not read yet: sync once it is
            if not auto:
                self._sync_wanted = True
                self.start()
            return False
        if not self.snapshot.status.enrolled:
            if not auto:
                self.open_enrol_dialog()
            return False
        self._start_sync()
        return True

    def _start_sync(self) -> None:
        self._after_change_timer.stop()
        self._periodic_timer.stop()
        self._probe_timer.stop()
        self.syncing = True
        self.progress = None
        self.sig_changed.emit()
        progress = self._sig_progress.emit
        self._submit(lambda d: (d.sync(progress), d.snapshot()), self._on_synced)

    def _on_synced(
        self, result: tuple[SyncReport, SyncSnapshot] | None, error: BaseException | None
    ) -> None:
        self.syncing = False
        self.progress = None
        if result is not None:
            report, snapshot = result
            self.last_report = report
            self._take(snapshot)
            self.online = True
            self.problem = self.offline_reason = None
            self._probe_attempt = 0
            self.clock_warning = report.clock_warning or snapshot.clock_warning
            if _changed_data(report):
                self._refresh_window()
            if report.clock_warning and not self._clock_noticed:
                self._clock_noticed = True  # once per run; the panel keeps showing it
                self.window.statusBar().showMessage(report.clock_warning, CLOCK_NOTICE_MS)
            if not self._closing:
                self._periodic_timer.start(self.timings.periodic_ms)
                if self.pending:  # saved during the sync
                    self._after_change_timer.start(self.timings.after_change_ms)
            self.sig_synced.emit(report)
        elif error is not None:
            self._on_failure(error)
            partial = getattr(error, "report", None)
            if partial is not None and _changed_data(partial):
                self._refresh_window()
            self.reload()
        self.sig_changed.emit()
        self.sig_idle.emit()

    def _on_failure(self, error: BaseException) -> None:
        if isinstance(error, SyncCancelled | SyncBusy):
            return
        if is_offline_error(error):
            self.online = False
            self.offline_reason = _message(error)
            log.info("hub unreachable (%s): probing with backoff", type(error).__name__)
            self._schedule_probe(getattr(error, "retry_after", 0.0))
            return
        if isinstance(error, SyncError):
            log.warning("sync stopped: %s", error.code)
            self.problem = error.message
            if error.code in ("token_invalid", "device_revoked", "protocol_unsupported"):
                self.online = True  # the hub answered
            return
        log.error("unexpected sync failure", exc_info=error)
        self.problem = _message(error)
        self._schedule_probe()

    def _refresh_window(self) -> None:
        refresh = getattr(self.window, "refresh", None)
        if refresh is not None:
            refresh(choices=True)

    # ---- the hub comes back ------------------------------------------------------------------
    def probe_delay(self) -> float:
        """Seconds before the next probe: base·2ⁿ capped, half of it random (equal jitter, so
        that devices cut off together do not all call back at the same instant)."""
        ceiling = min(self.timings.probe_cap_s, self.timings.probe_base_s * 2**self._probe_attempt)
        self._probe_attempt += 1
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _schedule_probe(self, at_least: float = 0.0) -> None:
        if self._closing:
            return
        delay = max(self.probe_delay(), at_least)
        self._probe_timer.start(int(delay * 1000))

    def _on_probe_timer(self) -> None:
        if self.syncing or self._closing or not self.enrolled:
            return
        self._submit(lambda d: d.probe(), self._on_probed)

    def _on_probed(self, reachable: bool | None, error: BaseException | None) -> None:
        if error is None and reachable:
            log.info("hub reachable again")
            self.online = True
            self.sync_now(auto=True)
        elif error is None or is_offline_error(error):
            self._schedule_probe(getattr(error, "retry_after", 0.0))
        else:
            self._on_failure(error)
        self.sig_changed.emit()

    # ---- local changes -----------------------------------------------------------------------
    def on_pending_changed(self, count: int) -> None:
        """A save, a delete or an undo in the window: the count now, a sync a little later."""
        self.pending = count
        if count and self.enrolled and self.online and not self.syncing and not self._closing:
            self._after_change_timer.start(self.timings.after_change_ms)
        self.sig_changed.emit()

    # ---- enrolment and the link with the hub -------------------------------------------------
    def enrol(self, hub_url: str, code: str, device_name: str) -> None:
        """Exchange the code for a token (sig_enrol_finished says how it went)."""
        self._submit(lambda d: (d.enrol(hub_url, code, device_name), d.snapshot()), self._on_enrol)

    def _on_enrol(self, result: Any, error: BaseException | None) -> None:
        if error is not None or result is None:
            if not isinstance(error, SyncError | ValueError):
                log.error("enrolment failed", exc_info=error)
            self.sig_enrol_finished.emit(None, error)
            return
        info, snapshot = result
        self._take(snapshot)
        self.problem = self.offline_reason = None
        self.online = True
        self._probe_attempt = 0
        self.sig_enrol_finished.emit(info, None)
        self.sig_changed.emit()
        self.sync_now(auto=True)

    def disconnect_hub(self) -> None:
        """ "Se déconnecter du hub": the token leaves the keyring; the data stays."""
        for timer in (self._probe_timer, self._after_change_timer, self._periodic_timer):
            timer.stop()

        def job(d: DesktopSync) -> SyncSnapshot:
            d.disconnect()
            return d.snapshot()

        self._submit(job, self._on_disconnected)

    def _on_disconnected(self, snapshot: SyncSnapshot | None, error: BaseException | None) -> None:
        if snapshot is not None:
            self._take(snapshot)
            self.online = None
            self.problem = self.offline_reason = None
        else:
            self.sig_action_failed.emit(_message(error))
        self.sig_changed.emit()

    def token_info(self, callback: Callable[[str | None], None]) -> None:
        """The notice to show when the token cannot be kept across restarts (no keyring)."""
        self._aside(lambda d: d.token_notice, lambda notice, _e: callback(notice))

    # ---- review items ------------------------------------------------------------------------
    def load_issues(self) -> None:
        self._aside(lambda d: d.issues(), self._on_issues)

    def _on_issues(self, issues: list[Any] | None, error: BaseException | None) -> None:
        if error is not None:
            log.error("review items unreadable", exc_info=error)
        self.sig_issues.emit(issues or [])

    def resolve(self, issue_id: int, action: str) -> None:
        """``keep_mine`` / ``keep_hub`` (conflicts) or ``dismiss``; then sync if it helps."""

        def job(d: DesktopSync) -> None:
            getattr(d, action)(issue_id)

        def done(_result: object, error: BaseException | None) -> None:
            if error is not None:
                self.sig_action_failed.emit(_message(error))
            self.load_issues()
            self.reload()
            if error is None and action != "dismiss" and self.online is not False:
                self.sync_now(auto=True)

        self._aside(job, done)

    # ---- windows -----------------------------------------------------------------------------
    def open_enrol_dialog(self) -> QObject:
        from app.ui.sync.enrol_dialog import EnrolDialog

        dialog = self.enrol_dialog
        if isinstance(dialog, EnrolDialog) and dialog.isVisible():
            dialog.raise_()
            return dialog
        dialog = EnrolDialog(self, self.window)
        self.enrol_dialog = dialog
        dialog.open()
        return dialog

    def open_panel(self) -> QObject:
        from app.ui.sync.panel import SyncPanel

        if self.snapshot is None and self.unlinked_hint:
            self.reload()  # the panel shows the full state: read it now
        panel = self.panel
        if not isinstance(panel, SyncPanel):
            panel = SyncPanel(self, self.window)
            panel.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
            panel.destroyed.connect(lambda: setattr(self, "panel", None))
            self.panel = panel
        panel.show()
        panel.raise_()
        panel.activateWindow()
        return panel

    # ---- close -------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Close and not self._closing:
            self.finish_before_close()
        return False

    def finish_before_close(self) -> None:
        """On close: sync what is waiting (if the hub was reachable), give a running sync a
        few seconds, then let it go. The next start resumes it; nothing is lost either way."""
        if not self.syncing and self._worth_a_last_sync():
            self._start_sync()
        self._closing = True
        for timer in (self._probe_timer, self._after_change_timer, self._periodic_timer):
            timer.stop()
        if not self.syncing:
            return
        self.window.statusBar().showMessage(
            self.tr("Finishing the synchronisation before closing…")
        )
        from PySide6.QtCore import QEventLoop  # only on close

        loop = QEventLoop()
        self.sig_idle.connect(loop.quit)
        QTimer.singleShot(int(self.timings.close_wait_s * 1000), loop.quit)
        loop.exec()
        self.sig_idle.disconnect(loop.quit)
        if self.syncing and self._desktop_obj is not None:
            log.info("sync still running at close: stopped at its next safe point")
            self._desktop_obj.cancel()

    def _worth_a_last_sync(self) -> bool:
        snap = self.snapshot
        return (
            snap is not None
            and snap.status.enrolled
            and snap.status.token_available
            and self.pending > 0
            and self.online is not False
            and self.problem is None
        )


def _changed_data(report: SyncReport) -> bool:
    """Did the sync change what the window shows (not only the pending count)?"""
    merges = getattr(report, "merged", 0) + getattr(report, "repointed", 0)  # duplicate people
    return bool(
        report.pulled
        or report.conflicts
        or report.gone
        or report.requeued
        or report.cursor_reset
        or merges
    )


def _message(error: BaseException | None) -> str:
    """The French sentence the sync errors carry, or a general one for the unexpected."""
    message = getattr(error, "message", None)
    if isinstance(message, str) and message:
        return message
    if error is not None and type(error).__name__ == "WireFormatError" and error.args:
        return str(error.args[0])
    return QCoreApplication.translate(
        "SyncController",
        "The synchronisation met an unexpected problem. Your data stays on this computer; "
        "Carnet's log keeps a trace of it.",
    )
