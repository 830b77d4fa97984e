"""Composition root: paths → logging → profile → open+migrate DB → QApplication → translators →
window. Everything the widgets use is built here and handed to them (no globals)."""

from __future__ import annotations

import gc
import logging
import sys
from typing import TYPE_CHECKING, NamedTuple

from app import __version__
from app.paths import default_log_dir, resolve_data_dir

if TYPE_CHECKING:
    import argparse


class Arguments(NamedTuple):
    data_dir: str | None = None
    log_dir: str | None = None
    lang: str | None = None
    self_test: bool = False


_VALUE_OPTIONS = {"--data-dir": "data_dir", "--log-dir": "log_dir", "--lang": "lang"}


def _quick_parse(argv: list[str]) -> Arguments | None:
    """The usual command lines (``--data-dir D``, ``--log-dir=D``, ``--lang fr``,
    ``--self-test``) read without argparse, which builds a help formatter for each option it is
    given and loads ``locale`` for its messages (about 1 ms of the start). None for anything
    else (``--help``, ``--version``, an abbreviation, a mistake): argparse reads those, with its
    messages."""
    values: dict[str, str | bool] = {}
    i = 0
    while i < len(argv):
        name, equals, value = argv[i].partition("=")
        if name in _VALUE_OPTIONS:
            if not equals:
                if i + 1 == len(argv) or argv[i + 1].startswith("-"):
                    return None  # argparse explains what is missing
                i += 1
                value = argv[i]
            values[_VALUE_OPTIONS[name]] = value
        elif argv[i] == "--self-test":
            values["self_test"] = True
        else:
            return None
        i += 1
    return Arguments(**values)  # type: ignore[arg-type]


def parse_args(argv: list[str] | None = None) -> Arguments:
    args = sys.argv[1:] if argv is None else argv
    quick = _quick_parse(args)
    return quick if quick is not None else argparse_reading(args)


def argparse_reading(args: list[str]) -> Arguments:
    """The command line read by argparse (help, version and mistakes end the process)."""
    parsed = build_parser().parse_args(args)
    return Arguments(parsed.data_dir, parsed.log_dir, parsed.lang, parsed.self_test)


def build_parser() -> argparse.ArgumentParser:
    """The command line's full reader: help, version, messages."""
    import argparse

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
    return parser


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
