"""Small helpers shared by the benchmarks: timing, medians, percentiles, the README table, a
timed start-up."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_of(fn: Callable[[], object], runs: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    return statistics.median(timed(fn) for _ in range(runs))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def start_report(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run a start-up to its interactive window (``CARNET_EXIT_WHEN_SHOWN``, see
    app/ui/startup_probe.py): milliseconds from spawn to what it reports (``interactive_ms``,
    and ``shown_ms`` for Carnet).

    The clock is read just before the command's own process is created, with nothing launched
    in between (an intermediate interpreter would add its own start to every figure)."""
    launched = time.time()
    out = subprocess.run(
        command,
        env={**env, "CARNET_START_CLOCK": repr(launched), "CARNET_EXIT_WHEN_SHOWN": "1"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    for line in out.stdout.splitlines():
        if line.startswith("CARNET_STARTUP") and out.returncode == 0:
            fields = dict(part.split("=", 1) for part in line.split()[1:])
            return {name: float(value) for name, value in fields.items() if name.endswith("_ms")}
    raise RuntimeError(
        f"no start-up report (exit {out.returncode}): {out.stdout[-500:]} {out.stderr[-2000:]}"
    )
