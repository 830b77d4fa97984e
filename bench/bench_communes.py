"""Load and search times of the offline commune list (app.models.communes).

    .venv/bin/python -m bench.bench_communes

Prints the median of several runs: a cold load (fresh index, file read and indexed) and typical
queries typed by a mediator (name, partial name, postal code, INSEE code, one letter).
"""

from __future__ import annotations

import statistics
import time

from app.models.communes import CommuneIndex

QUERIES = ("lille", "saint etienne", "st etienne", "lil", "a", "59000", "59", "2A004", "lille 59")


def _median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    load = _median_ms(lambda: CommuneIndex().load(), runs=7)
    index = CommuneIndex().load()
    print(f"communes: {len(index)}")
    print(f"chargement (médiane de 7) : {load:.1f} ms")
    for query in QUERIES:
        ms = _median_ms(lambda q=query: index.search(q), runs=50)
        print(f"recherche {query!r:16} (médiane de 50) : {ms:.2f} ms")


if __name__ == "__main__":
    main()
