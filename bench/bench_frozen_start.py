"""Start-up of the installable app (PyInstaller bundle) against the same app run from source.

Both start in a fresh process on the same data folder (a set-up profile with generated
sessions), offscreen, and report through the start-up probe (``CARNET_EXIT_WHEN_SHOWN=1``,
``app/ui/startup_probe.py``): from the launch of the process (``CARNET_START_CLOCK``) to the
first paint of the main window, and to the event loop idle after it ("interactive"). Runs
alternate between the two so that machine load hits both alike; the first round warms the file
cache and is dropped. Target: frozen ≤ 1.2 × source. The bundle's size on disk is printed too.

Run: ``.venv/bin/python -m bench.bench_frozen_start [--runs 7] [--app-dir dist/carnet]``
(without ``--app-dir`` the bundle is built from the working tree into a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import start_report
from bench.datagen import generate_notebook

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.2


def prepare_data(data_dir: Path, sessions: int) -> None:
    from app.services.notebook import open_notebook
    from app.services.profiles import ProfileRegistry

    registry = ProfileRegistry(data_dir)
    profile = registry.create("Camille")
    registry.mark_used(profile.id)
    db_path = registry.db_path(profile.id)
    db_path.parent.mkdir(parents=True)
    generate_notebook(db_path, sessions)
    notebook = open_notebook(db_path)
    try:
        notebook.settings.set("display_name", "Camille")  # no welcome dialog: a normal start
    finally:
        notebook.close()


def bench(app_dir: Path, data_dir: Path, runs: int) -> dict[str, dict[str, float]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    commands = {
        "source": [sys.executable, "-m", "app", "--data-dir", str(data_dir)],
        "frozen": [str(app_dir / "carnet"), "--data-dir", str(data_dir)],
    }
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for _ in range(runs + 1):
        for name, command in commands.items():
            samples[name].append(start_report(command, env))
    return {
        name: {
            key: statistics.median(sample[key] for sample in values[1:])
            for key in ("shown_ms", "interactive_ms")
        }
        for name, values in samples.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--app-dir", type=Path, help="bundle déjà construit (dist/carnet)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from installer.build import build, disk_usage, format_size

    with tempfile.TemporaryDirectory() as tmp:
        app_dir = args.app_dir
        if app_dir is None:
            started = time.monotonic()
            app_dir = build(ROOT, Path(tmp) / "dist", Path(tmp) / "work")
            print(f"bundle construit en {time.monotonic() - started:.0f} s", flush=True)
        on_disk, apparent = disk_usage(app_dir)
        data_dir = Path(tmp) / "donnees"
        prepare_data(data_dir, args.sessions)
        result = bench(app_dir, data_dir, args.runs)

    src, frz = result["source"], result["frozen"]
    print(
        f"taille du bundle : {format_size(on_disk)} sur disque, {format_size(apparent)} de fichiers"
    )
    for key, label in (("shown_ms", "fenêtre affichée"), ("interactive_ms", "fenêtre interactive")):
        ratio = frz[key] / src[key]
        verdict = "ok" if ratio <= TARGET_RATIO else f"au-dessus de {TARGET_RATIO}×"
        print(
            f"{label} : figé {frz[key]:.0f} ms / sources {src[key]:.0f} ms = {ratio:.2f}× ({verdict})"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"bundle_bytes_on_disk": on_disk, "start": result}, indent=2),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
