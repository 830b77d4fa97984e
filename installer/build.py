#!/usr/bin/env python3
"""Build the frozen app (one folder, ``dist/carnet/``) and print its size on disk.

Usage::

    .venv/bin/python installer/build.py                 # → dist/carnet (and dist/Carnet.app on macOS)
    .venv/bin/python installer/build.py --dist /tmp/d   # elsewhere
    installer/build_deb.sh                              # then, on Debian/Ubuntu: the .deb

The French catalogue is compiled first (``scripts/i18n.py build``) so the bundle never ships a
stale one. PyInstaller keeps a cache in ``--work``: a second build takes a fraction of the first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "carnet.spec"
APP_NAME = "carnet"


def disk_usage(path: Path) -> tuple[int, int]:
    """(bytes on disk, apparent bytes) of a folder, like ``du``: symbolic links are not followed
    and a file linked twice counts once. On Windows, where blocks are unknown, both are sizes."""
    seen: set[tuple[int, int]] = set()
    on_disk = apparent = 0
    for folder, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            st = os.lstat(os.path.join(folder, name))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            apparent += st.st_size
            on_disk += st.st_blocks * 512 if hasattr(st, "st_blocks") else st.st_size
    return on_disk, apparent


def format_size(size: int) -> str:
    return f"{size / 1e6:.1f} Mo ({size / 2**20:.1f} Mio)".replace(".", ",")


def build_translations(root: Path) -> None:
    script = root / "scripts" / "i18n.py"
    if script.exists():
        subprocess.run([sys.executable, str(script), "build"], cwd=root, check=True)


def build(root: Path = ROOT, dist: Path | None = None, work: Path | None = None) -> Path:
    """Run PyInstaller on the spec of the tree at ``root``; returns the app folder."""
    dist = dist or root / "dist"
    work = work or root / "build" / "pyinstaller"
    build_translations(root)
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        os.environ.get("CARNET_PYINSTALLER_LOG", "WARN"),
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(root / "installer" / "carnet.spec"),
    ]
    subprocess.run(command, cwd=root, check=True)
    return dist / APP_NAME


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construit l'application Carnet (un dossier)")
    parser.add_argument("--dist", type=Path, help="dossier de sortie (défaut : dist/)")
    parser.add_argument("--work", type=Path, help="dossier de travail (défaut : build/pyinstaller)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    app_dir = build(ROOT, args.dist, args.work)
    on_disk, apparent = disk_usage(app_dir)
    print(f"Application construite : {app_dir} en {time.monotonic() - started:.0f} s")
    print(
        f"Taille sur disque : {format_size(on_disk)} ; taille des fichiers : {format_size(apparent)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
