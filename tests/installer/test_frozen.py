"""The frozen app (PyInstaller, one folder): size, contents, and its self-test run offscreen.

Slow: the bundle is built once per test session (about a minute on two cores)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from installer.build import disk_usage
from installer.bundle_rules import required_data_files

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bundle Linux seulement ici"),
]

MAX_BUNDLE_BYTES = 110_000_000  # on disk


def internal(app_dir: Path) -> Path:
    return app_dir / "_internal"


def test_bundle_fits_in_110_mb(frozen_app):
    on_disk, _apparent = disk_usage(frozen_app.app_dir)
    print(f"taille sur disque : {on_disk / 1e6:.1f} Mo")
    assert on_disk <= MAX_BUNDLE_BYTES


def test_frozen_self_test_passes_offscreen(frozen_app, clean_env):
    result = subprocess.run(
        [str(frozen_app.app_dir / "carnet"), "--self-test"],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "application installée" in result.stdout
    assert "Fenêtre principale : affichée (offscreen)" in result.stdout
    assert "Tri alphabétique : avion, Écluse, école, zèbre" in result.stdout


def test_frozen_version_is_the_source_version(frozen_app):
    result = subprocess.run(
        [str(frozen_app.app_dir / "carnet"), "--version"], capture_output=True, text=True
    )
    assert result.stdout.strip() == f"Carnet {frozen_app.version}"


def test_bundle_carries_every_resource_and_migration(frozen_app):
    missing = [
        f"{dest}/{src.name}"
        for src, dest in required_data_files(frozen_app.source)
        if not (internal(frozen_app.app_dir) / dest / src.name).is_file()
    ]
    assert missing == []


def test_bundle_leaves_out_what_carnet_does_not_use(frozen_app):
    files = [p.relative_to(frozen_app.app_dir).as_posix() for p in frozen_app.app_dir.rglob("*")]
    unwanted = [
        f
        for f in files
        if any(
            part in f
            for part in (
                "Qt6Qml",
                "Qt6Quick",
                "Qt6Pdf",
                "Qt6WebEngine",
                "Qt63D",
                "Qt6Multimedia",
                "QtNetwork",
                "PIL",
                "pygments",
                "/qmltooling/",
                "/sqldrivers/",
                "libqeglfs",
                "libqvnc",
                "qtbase_de.qm",
                "tkinter",
            )
        )
    ]
    assert unwanted == []
    platforms = {p.name for p in internal(frozen_app.app_dir).rglob("plugins/platforms/*")}
    assert {"libqxcb.so", "libqwayland.so", "libqoffscreen.so"} <= platforms
    translations = {p.name for p in internal(frozen_app.app_dir).rglob("translations/*.qm")}
    assert translations == {"qtbase_fr.qm"}
    dangling = [f for f in frozen_app.app_dir.rglob("*") if f.is_symlink() and not f.exists()]
    assert dangling == []


def test_frozen_self_test_catches_a_file_missing_from_the_bundle(frozen_app, clean_env, tmp_path):
    broken = tmp_path / "carnet"
    shutil.copytree(frozen_app.app_dir, broken, symlinks=True, copy_function=os.link)
    (internal(broken) / "resources" / "data" / "communes.tsv.gz").unlink()
    result = subprocess.run(
        [str(broken / "carnet"), "--self-test"],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "[ÉCHEC] Communes" in result.stdout
    assert (internal(frozen_app.app_dir) / "resources" / "data" / "communes.tsv.gz").is_file()
