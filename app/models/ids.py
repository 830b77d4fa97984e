"""UUIDv7 generator (RFC 9562): time-ordered ids born on the device.

Python < 3.14 has no ``uuid.uuid7``. The id doubles as the sync idempotency key, so it must be
unique across devices (74 random bits) and sort by creation time within a device (a monotonic
counter in ``rand_a`` keeps ids ordered even when several are made in the same millisecond or the
clock steps back).
"""

from __future__ import annotations

import os
import threading
import time
import uuid


class UUID7Generator:
    """Keeps the last timestamp and counter so that ids stay ordered within one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._counter = 0

    def __call__(self, now_ms: int | None = None) -> uuid.UUID:
        with self._lock:
            ms = int(time.time() * 1000) if now_ms is None else now_ms
            if ms <= self._last_ms:
                # Same millisecond or clock stepped back: stay on the last timestamp, count up.
                ms = self._last_ms
                self._counter += 1
                if self._counter > 0xFFF:
                    ms += 1
                    self._counter = 0
            else:
                # Random start, leaving headroom to count up within the millisecond.
                self._counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
            self._last_ms = ms
            rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
            value = (ms & ((1 << 48) - 1)) << 80
            value |= 0x7 << 76
            value |= self._counter << 64
            value |= 0b10 << 62
            value |= rand_b
            return uuid.UUID(int=value)


uuid7 = UUID7Generator()


def new_id() -> str:
    """A new record id as text (the form stored in SQLite and sent on the wire)."""
    return str(uuid7())


def uuid7_time_ms(value: str | uuid.UUID) -> int:
    """The creation time (ms since epoch) embedded in a UUIDv7."""
    u = value if isinstance(value, uuid.UUID) else uuid.UUID(value)
    return u.int >> 80
