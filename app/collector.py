"""Python's cyclic garbage collector during bulk work (a sync on the device, the hub's server).

A sync allocates tens of thousands of short-lived containers (a batch's ops, payload dicts,
parameter tuples, results), almost none of them in a reference cycle: reference counting
frees them. CPython's default thresholds still run a young-generation pass every 700 net
allocations and an older one every ten of those, each walking every container allocated
since; a first sync of 10,000 sessions spent about 0.13 s of the device's time and 0.28 s of
the hub's in collections that freed next to nothing (bench/README.md).

``fewer_collections()`` raises the young generation's threshold while the work it wraps runs
(the other generations keep theirs, so a full pass stays as rare, relative to young ones); the
previous thresholds come back when the last of the overlapping callers leaves. The threshold
is the process's: in the desktop app the interface thread also collects in larger passes while
a sync runs (a pass over 50,000 young objects takes a few milliseconds), and a threshold set
by anything else during the block is replaced on the way out. Cycles made meanwhile are still
collected, only in larger and rarer passes.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Net container allocations between two young-generation passes during bulk work. A pass
# over 50,000 young objects takes a few milliseconds; the memory it holds back is that of the
# cycles among them, which bulk work hardly makes.
BULK_THRESHOLD = 50_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with the young generation collected every ``BULK_THRESHOLD``
    allocations (unless it already is collected less often). Thread-safe and re-entrant:
    overlapping blocks share the raised threshold; the last one out restores the previous."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            young, middle, old = _saved
            if young:  # 0: automatic collection is off; leave it so
                gc.set_threshold(max(young, BULK_THRESHOLD), middle, old)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
