"""Load and search times, and memory, of the offline commune list (app.models.communes).

    .venv/bin/python -m bench.bench_communes

Prints the median of several runs: a cold load (fresh index, file read and indexed) and typical
queries typed by a mediator (name, partial name, postal code, INSEE code, one letter). Then the
memory of a loaded index, each figure measured in fresh processes: resident memory (VmRSS,
Linux) before and after ``CommuneIndex().load()`` (median of 5 processes), and the Python
allocations the index keeps and the peak while loading (tracemalloc, one process).
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from app.models.communes import CommuneIndex

QUERIES = (
    "lille",
    "saint etienne",
    "st etienne",
    "lil",
    "a",
    "saint",
    "st",
    "59000",
    "59",
    "2A004",
    "lille 59",
)
MEMORY_RUNS = 5
STATUS = Path("/proc/self/status")


def _median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _rss_mb() -> float:
    for line in STATUS.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _measure_in_this_process(kind: str) -> dict[str, float]:
    """One load in this (fresh) process; kind "rss" or "tracemalloc"."""
    index = CommuneIndex()
    gc.collect()
    if kind == "tracemalloc":
        tracemalloc.start()
        index.load()
        gc.collect()
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"kept": kept / 2**20, "peak": peak / 2**20}
    before = _rss_mb()
    index.load()
    gc.collect()
    return {"before": before, "after": _rss_mb()}


def _measure_in_fresh_process(kind: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_communes", "--memory", kind],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return json.loads(proc.stdout)


def main() -> None:
    load = _median_ms(lambda: CommuneIndex().load(), runs=7)
    index = CommuneIndex().load()
    print(f"communes: {len(index)}")
    print(f"chargement (médiane de 7) : {load:.1f} ms")
    for query in QUERIES:
        ms = _median_ms(lambda q=query: index.search(q), runs=50)
        print(f"recherche {query!r:16} (médiane de 50) : {ms:.2f} ms")
    if STATUS.exists():
        runs = [_measure_in_fresh_process("rss") for _ in range(MEMORY_RUNS)]
        before = statistics.median(r["before"] for r in runs)
        increase = statistics.median(r["after"] - r["before"] for r in runs)
        print(f"mémoire résidente du processus avant chargement : {before:.1f} Mo")
        print(f"hausse due au chargement (médiane de {MEMORY_RUNS}) : {increase:.1f} Mo")
    traced = _measure_in_fresh_process("tracemalloc")
    print(f"allocations Python gardées : {traced['kept']:.1f} Mo, pic : {traced['peak']:.1f} Mo")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--memory"]:
        print(json.dumps(_measure_in_this_process(sys.argv[2])))
    else:
        main()
