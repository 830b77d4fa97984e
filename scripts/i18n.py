#!/usr/bin/env python3
"""French translation of the desktop app: update the .ts source, build the .qm.

    .venv/bin/python scripts/i18n.py update   # collect the tr() strings of app/ui into the .ts
    .venv/bin/python scripts/i18n.py build    # compile the .ts into the .qm that Carnet loads
    .venv/bin/python scripts/i18n.py check    # the .ts is complete and the .qm matches it

``update`` keeps the existing translations and drops strings no longer in the code; new strings
come in as "unfinished" for a translator to fill in (Qt Linguist, or by editing the XML).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "app" / "ui"
TS_FILE = ROOT / "resources" / "i18n" / "carnet_fr.ts"
QM_FILE = ROOT / "resources" / "i18n" / "carnet_fr.qm"


def tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease from the same environment as this Python."""
    for folder in (Path(sys.executable).parent, Path(sys.executable).parent / "Scripts"):
        for candidate in (folder / name, folder / f"{name}.exe"):
            if candidate.exists():
                return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} introuvable : installez les dépendances (scripts/setup.sh).")
    return found


def source_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in SOURCES.rglob("*.py"))


def update(ts_file: Path = TS_FILE) -> None:
    ts_file.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            tool("pyside6-lupdate"),
            *source_files(),
            "-ts",
            str(ts_file),
            "-no-obsolete",
            "-locations",
            "none",
            "-source-language",
            "en",
            "-target-language",
            "fr_FR",
            "-silent",
        ],
        cwd=ROOT,
        check=True,
    )


def build(ts_file: Path = TS_FILE, qm_file: Path = QM_FILE) -> None:
    subprocess.run(
        [tool("pyside6-lrelease"), "-silent", str(ts_file), "-qm", str(qm_file)],
        cwd=ROOT,
        check=True,
    )


def untranslated(ts_file: Path = TS_FILE) -> list[str]:
    """Source strings with no finished French translation."""
    missing = []
    for message in ET.parse(ts_file).getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        forms = [] if translation is None else list(translation.iter("numerusform"))
        texts = (
            [f.text for f in forms]
            if forms
            else [translation.text if translation is not None else None]
        )
        unfinished = translation is None or translation.get("type") in ("unfinished", "vanished")
        if unfinished or not all(texts):
            missing.append(source)
    return missing


def check() -> list[str]:
    """Problems: strings in the code missing from the .ts or untranslated, a stale .qm."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh_ts = Path(tmp) / TS_FILE.name
        shutil.copyfile(TS_FILE, fresh_ts)
        update(fresh_ts)
        problems += [f"non traduit : {s!r}" for s in untranslated(fresh_ts)]
        if fresh_ts.read_bytes() != TS_FILE.read_bytes():
            problems.append(f"{TS_FILE.name} n'est pas à jour : lancez « scripts/i18n.py update »")
        fresh_qm = Path(tmp) / QM_FILE.name
        build(TS_FILE, fresh_qm)
        if not QM_FILE.exists() or fresh_qm.read_bytes() != QM_FILE.read_bytes():
            problems.append(
                f"{QM_FILE.name} ne correspond pas au .ts : lancez « scripts/i18n.py build »"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Traductions de Carnet (Qt Linguist)")
    parser.add_argument("command", choices=["update", "build", "check"])
    args = parser.parse_args(argv)
    if args.command == "update":
        update()
        missing = untranslated()
        print(f"{TS_FILE.relative_to(ROOT)} : {len(missing)} texte(s) à traduire")
        for source in missing:
            print(f"  {source!r}")
    elif args.command == "build":
        build()
        print(f"{QM_FILE.relative_to(ROOT)} construit")
    else:
        problems = check()
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
