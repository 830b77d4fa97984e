"""Composition root: paths → logging → profile → open+migrate DB → QApplication → translators →
window. Everything the widgets use is built here and handed to them (no globals)."""

from __future__ import annotations

import argparse
import gc
import logging
import sys

from app import __version__
from app.paths import default_log_dir, resolve_data_dir


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="carnet", description="Carnet, le carnet du médiateur numérique"
    )
    parser.add_argument(
        "--data-dir",
        help="dossier des données (sinon CARNET_DATA_DIR, sinon le dossier de l'utilisateur)",
    )
    parser.add_argument("--log-dir", help="dossier du journal")
    parser.add_argument("--lang", default=None, help="langue de l'interface (fr, en)")
    parser.add_argument(
        "--self-test", action="store_true", help="vérifie l'installation puis quitte"
    )
    parser.add_argument("--version", action="version", version=f"Carnet {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    # No cyclic garbage collection during the start (imports, Qt's types, the window: much is
    # allocated, little is garbage); app.ui.application.run resumes it once the window shows.
    gc.disable()
    args = parse_args(argv)
    from pathlib import Path

    from app.logging_setup import setup_logging

    log_dir = Path(args.log_dir) if args.log_dir else default_log_dir()
    log_file = setup_logging(log_dir)
    logging.getLogger(__name__).info("Carnet %s starting", __version__)
    if args.self_test:
        from app.ui.self_test import run_self_test

        return run_self_test(log_file)
    from app.ui.application import run
    from app.ui.startup_probe import arm

    probe = arm()  # CARNET_EXIT_WHEN_SHOWN=1: time the start-up, then quit (benchmarks)
    return run(resolve_data_dir(args.data_dir), log_file, args.lang, probe.watch if probe else None)


if __name__ == "__main__":
    sys.exit(main())
