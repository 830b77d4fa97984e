"""The Debian package: it installs, launches its self-test, uninstalls cleanly, and the user's
data survives an uninstall and an upgrade to a version that brings a new migration.

Slow, and it installs a real package (root is needed, as on CI): the tests take a lock so that
two test runs on one machine never install "carnet" at the same time."""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.installer.conftest import ROOT, UPGRADE_REVISION, UPGRADE_TABLE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="paquet Debian : Linux"),
]

LOCK_FILE = Path("/tmp/carnet-installer-tests.lock")
INSTALLED_APP = Path("/opt/carnet")
LAUNCHER = Path("/usr/bin/carnet")
DESKTOP_ENTRY = Path("/usr/share/applications/carnet.desktop")
ICON = Path("/usr/share/icons/hicolor/256x256/apps/carnet.png")


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", 300)
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def build_deb(app_dir: Path, out: Path) -> Path:
    result = run([str(ROOT / "installer" / "build_deb.sh"), str(app_dir), str(out)])
    assert result.returncode == 0, result.stdout + result.stderr
    (deb,) = out.glob("carnet_*.deb")
    return deb


def dpkg(*args: str) -> subprocess.CompletedProcess:
    result = run(["dpkg", *args])
    assert result.returncode == 0, f"dpkg {' '.join(args)} :\n{result.stdout}{result.stderr}"
    return result


def installed_version() -> str | None:
    result = run(["dpkg-query", "-W", "-f=${Status} ${Version}", "carnet"])
    if result.returncode != 0 or not result.stdout.startswith("install ok installed"):
        return None
    return result.stdout.rsplit(" ", 1)[1]


@pytest.fixture(scope="module")
def package_lock() -> Iterator[None]:
    if os.geteuid() != 0:
        pytest.fail("installer un paquet Debian demande d'être root (comme en CI)")
    with open(LOCK_FILE, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed_version() is not None:
            # Left by an interrupted run (the lock says no other run is using it).
            dpkg("-r", "carnet")
        try:
            yield
        finally:
            if installed_version() is not None:
                run(["dpkg", "-r", "carnet"])
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
def debs(frozen_app, upgraded_app, tmp_path_factory, package_lock) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("paquets")
    return {
        "current": build_deb(frozen_app.app_dir, out / "actuel"),
        "next": build_deb(upgraded_app.app_dir, out / "suivant"),
    }


def package_files() -> list[Path]:
    listed = dpkg("-L", "carnet").stdout.splitlines()
    return [Path(p) for p in listed if p and not Path(p).is_dir()]


def test_deb_installs_runs_its_self_test_and_uninstalls_cleanly(debs, frozen_app, clean_env):
    control = run(["dpkg-deb", "-f", str(debs["current"]), "Version", "Depends"]).stdout
    assert f"Version: {frozen_app.version}" in control
    assert "libxkbcommon0" in control and "libegl1" in control and "libfontconfig1" in control

    dpkg("-i", str(debs["current"]))
    assert installed_version() == frozen_app.version
    assert LAUNCHER.is_symlink() and LAUNCHER.resolve() == INSTALLED_APP / "carnet"
    assert "Exec=carnet" in DESKTOP_ENTRY.read_text(encoding="utf-8")
    assert ICON.is_file()
    files = package_files()
    assert len(files) > 100

    result = run(["carnet", "--self-test"], env=clean_env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "application installée" in result.stdout and str(INSTALLED_APP) in result.stdout

    dpkg("-r", "carnet")
    assert installed_version() is None
    assert [f for f in files if f.exists() or f.is_symlink()] == []
    assert not INSTALLED_APP.exists()


def _start(env: dict[str, str]) -> subprocess.CompletedProcess:
    """A real start of the installed app (no screen): opens the last profile, shows the main
    window and quits (CARNET_EXIT_WHEN_SHOWN)."""
    started = dict(env, QT_QPA_PLATFORM="offscreen", CARNET_EXIT_WHEN_SHOWN="1")
    result = run(["carnet"], env=started, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CARNET_STARTUP shown_ms=" in result.stdout
    return result


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_user_data_survives_uninstall_and_upgrade_with_a_new_migration(
    debs, frozen_app, upgraded_app, clean_env
):
    from app.services.notebook import open_notebook
    from app.services.profiles import ProfileRegistry

    data_dir = Path(clean_env["HOME"]) / ".local" / "share" / "Carnet"
    dpkg("-i", str(debs["current"]))
    _start(clean_env)  # first start: a profile and its database in the user's data folder
    (profile,) = ProfileRegistry(data_dir).profiles
    db_path = ProfileRegistry(data_dir).db_path(profile.id)
    notebook = open_notebook(db_path)
    try:
        venue_id = notebook.venues.add("Espace France Services", "59350", "Lille", "59000")
    finally:
        notebook.close()
    before = _digest(data_dir)

    dpkg("-r", "carnet")
    assert not INSTALLED_APP.exists()
    assert _digest(data_dir) == before

    # Reinstalled, then upgraded in place to the next version.
    dpkg("-i", str(debs["current"]))
    dpkg("-i", str(debs["next"]))
    assert installed_version() == upgraded_app.version
    assert run(["carnet", "--version"]).stdout.strip() == f"Carnet {upgraded_app.version}"
    _start(clean_env)

    con = sqlite3.connect(db_path)
    try:
        (revision,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {
            row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        venues = con.execute("SELECT id, name FROM venue").fetchall()
    finally:
        con.close()
    assert revision == UPGRADE_REVISION
    assert UPGRADE_TABLE in tables
    assert (venue_id, "Espace France Services") in venues
    backups = list(db_path.parent.glob("*.sauvegarde.db"))
    assert len(backups) == 1  # taken before the migration

    dpkg("-r", "carnet")
    assert not INSTALLED_APP.exists()
    assert db_path.exists() and backups[0].exists()
