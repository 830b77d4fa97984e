"""The hub server's background drain: counts the pushed sessions into the statistics'
aggregates while the hub is quiet (hub/stats/maintain.py).

A push only marks its sessions ``uncounted``; this thread counts them, chunk by chunk (each
chunk a short write transaction: SQLite's write lock is never held long), once no sync request
(push or pull) has come for ``quiet`` seconds, or sooner when the oldest waiting session is
``max_delay`` seconds old — then, while requests go on, it leaves them as much time as each
chunk took. Sessions left
waiting by another process (a second server process, a stopped one) are found by a probe every
``poll`` seconds. The figures shown never depend on it: every reader of the aggregates counts
what still waits first (``catch_up``).
"""

from __future__ import annotations

import logging
import math
import threading
import time

from sqlalchemy.exc import OperationalError

from hub.db import Database
from hub.stats.maintain import FIRST_CHUNK, chunk_seconds, count_waiting, has_waiting, next_chunk

log = logging.getLogger(__name__)


class Drainer:
    """Call :meth:`pushed` after each committed push, :meth:`pulled` after each pull;
    :meth:`start` / :meth:`stop` with the server."""

    def __init__(
        self, database: Database, quiet: float = 1.0, max_delay: float = 10.0, poll: float = 5.0
    ) -> None:
        self.database = database
        self.quiet = quiet
        self.max_delay = max_delay
        self.poll = poll
        self.counted = 0
        self._size = FIRST_CHUNK
        self._seconds = chunk_seconds(database)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._last_request = -math.inf  # a push or a pull
        self._last_push = -math.inf
        self._waiting_since: float | None = None  # the first push not yet drained
        self._thread: threading.Thread | None = None

    def pushed(self) -> None:
        now = time.monotonic()
        with self._lock:
            self._last_request = self._last_push = now
            if self._waiting_since is None:
                self._waiting_since = now
        self._wake.set()

    def pulled(self) -> None:
        """A device pulled: the hub is not quiet (nothing new to count, though)."""
        with self._lock:
            self._last_request = time.monotonic()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="carnet-stats-drain", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # ---- the thread -----------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll)
            self._wake.clear()
            try:
                self._drain_when_due()
            except OperationalError as exc:  # locks, deadlock, lost connection: later
                log.warning("Comptage statistique reporté : %s", exc)
                self._stop.wait(self.poll)
            except Exception:
                log.exception("Comptage statistique en échec ; nouvel essai plus tard")
                self._stop.wait(self.poll)

    def _due_in(self) -> float:
        """Seconds until a drain is due: quiet for ``quiet`` seconds, or a backlog too old."""
        now = time.monotonic()
        with self._lock:
            due = self._last_request + self.quiet - now
            if self._waiting_since is not None:
                due = min(due, self._waiting_since + self.max_delay - now)
        return max(0.0, due)

    def _drain_when_due(self) -> None:
        while not self._stop.is_set():
            wait = self._due_in()
            if wait > 0:
                self._stop.wait(wait)
                continue
            started = time.monotonic()
            with self.database.session() as db:  # a read first: no write lock when idle
                waiting = has_waiting(db)
            counted = 0
            if waiting:
                with self.database.write() as db:
                    counted = count_waiting(db, self._size)
            elapsed = time.monotonic() - started
            if not counted:
                with self._lock:
                    if self._last_push < started:
                        self._waiting_since = None
                    elif self._waiting_since is not None:
                        self._waiting_since = max(self._waiting_since, started)
                return
            self.counted += counted
            self._size = next_chunk(self._size, counted, elapsed, self._seconds)
            with self._lock:
                busy = time.monotonic() - self._last_request < self.quiet
            if busy:  # requests go on: leave them the time this chunk took
                self._stop.wait(elapsed)
