"""What the sync windows of one run share: the device-token store and the timing knobs.

Built by the composition root with the ``AppContext`` (no globals) and light on purpose: the
keyring, ``requests`` and the sync engine are imported on a worker thread, on first use, never
on the path to the first window. One token store per run matters when there is no keyring: the
token then lives in memory, and it must survive a switch to another profile and back.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

    from app.sync.credentials import TokenStore


class SyncTimings:
    """Delays of the automatic sync (milliseconds unless said otherwise).

    This class and SyncRuntime are plain classes rather than dataclasses: they are made before
    the window shows, and the ``dataclasses`` module (about 3.5 ms) and each dataclass (about
    1.4 ms) would be paid by every start."""

    __slots__ = (
        "start_delay_ms",
        "after_change_ms",
        "periodic_ms",
        "probe_base_s",
        "probe_cap_s",
        "close_wait_s",
    )

    def __init__(
        self,
        start_delay_ms: int = 1500,  # after the window is shown: the services warm up first
        after_change_ms: int = 30_000,  # a saved change goes up this long after the last save
        periodic_ms: int = 10 * 60_000,  # while online: the other devices' changes come down
        probe_base_s: float = 2.0,  # offline: first probe of the hub after about this long…
        probe_cap_s: float = 300.0,  # …doubling (with jitter) up to this
        close_wait_s: float = 3.0,  # on close, a running sync gets this long, then it is let go
    ) -> None:
        self.start_delay_ms = start_delay_ms
        self.after_change_ms = after_change_ms
        self.periodic_ms = periodic_ms
        self.probe_base_s = probe_base_s
        self.probe_cap_s = probe_cap_s
        self.close_wait_s = close_wait_s

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"SyncTimings({values})"


class SyncRuntime:
    """The token store (opened once, on a worker thread) and the sync settings of this run.

    ``keyring_backend`` and ``engine_options`` are for tests (an in-memory keyring, a short
    backoff); Carnet itself uses the system keyring and the engine's defaults."""

    def __init__(
        self,
        keyring_backend: KeyringBackend | None = None,
        engine_options: dict[str, Any] | None = None,
        timings: SyncTimings | None = None,
        transport_timeout: tuple[float, float] = (10.0, 60.0),
        probe_timeout: tuple[float, float] = (3.0, 5.0),
        ca_bundle: str | None = None,  # a hub behind a private certificate authority
    ) -> None:
        self.keyring_backend = keyring_backend
        self.engine_options: dict[str, Any] = engine_options if engine_options is not None else {}
        self.timings = timings if timings is not None else SyncTimings()
        self.transport_timeout = transport_timeout
        self.probe_timeout = probe_timeout
        self.ca_bundle = ca_bundle
        self._lock = threading.Lock()
        self._store: TokenStore | None = None
        self._notice: str | None = None

    def token_store(self) -> tuple[TokenStore, str | None]:
        """The store and, when the token cannot outlive this run, the French notice saying so
        (call from a worker thread: the first call asks the system for its keyring)."""
        with self._lock:
            if self._store is None:
                from app.sync.credentials import open_token_store

                self._store, self._notice = open_token_store(self.keyring_backend)
            return self._store, self._notice
