"""What the windows need besides the open notebook, built once by the application (no globals)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from app.models.errors import StorageError
from app.services.profiles import ProfileRegistry
from app.ui.sync.runtime import SyncRuntime

if TYPE_CHECKING:
    from app.models.communes import CommuneIndex

log = logging.getLogger(__name__)


class AppContext:
    def __init__(
        self,
        data_dir: Path,
        log_file: Path,
        registry: ProfileRegistry,
        communes: CommuneIndex | None = None,
        sync: SyncRuntime | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.log_file = log_file
        self.registry = registry
        self._communes = communes
        self._communes_lock = threading.Lock()
        # The device-token store and settings of the sync, shared by the windows of this run.
        self.sync = sync if sync is not None else SyncRuntime()

    @property
    def communes(self) -> CommuneIndex:
        """Loads itself on first search; preload_communes() warms it up off the UI thread. Made
        on first use (its module is not needed before the window shows)."""
        with self._communes_lock:
            if self._communes is None:
                from app.models.communes import CommuneIndex

                self._communes = CommuneIndex()
            return self._communes

    def preload_communes(self) -> threading.Thread:
        """Read the communes file on a worker thread, so the first picker answers at once."""

        def work() -> None:
            try:
                self.communes.load()
            except StorageError:
                log.exception("communes file unreadable")

        thread = threading.Thread(target=work, name="communes-preload", daemon=True)
        thread.start()
        return thread
