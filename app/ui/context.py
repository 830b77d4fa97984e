"""What the windows need besides the open notebook, built once by the application (no globals)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from app.models.communes import CommuneIndex
from app.models.errors import StorageError
from app.services.profiles import ProfileRegistry
from app.ui.sync.runtime import SyncRuntime

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    data_dir: Path
    log_file: Path
    registry: ProfileRegistry
    # Loads itself on first search; preload() warms it up off the UI thread.
    communes: CommuneIndex = field(default_factory=CommuneIndex)
    # The device-token store and settings of the sync, shared by the windows of this run.
    sync: SyncRuntime = field(default_factory=SyncRuntime)

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
