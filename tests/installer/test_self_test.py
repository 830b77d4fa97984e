"""``carnet --self-test`` and the start-up probe, run from the source tree as a user would."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from app.ui.self_test import CHECKS, needs_offscreen

ROOT = Path(__file__).resolve().parents[2]


def run_app(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_offscreen_only_without_a_screen():
    assert needs_offscreen({}, "linux")
    assert not needs_offscreen({"DISPLAY": ":0"}, "linux")
    assert not needs_offscreen({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not needs_offscreen({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not needs_offscreen({}, "win32")
    assert not needs_offscreen({}, "darwin")


def test_self_test_passes_from_source_without_a_screen(clean_env: dict[str, str]):
    result = run_app(["--self-test"], clean_env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Carnet ") and "depuis les sources" in lines[0]
    checks = [line for line in lines if line.lstrip().startswith("[")]
    assert len(checks) == len(CHECKS)
    assert all(line.lstrip().startswith("[ok]") for line in checks), result.stdout
    assert "Fenêtre principale : affichée (offscreen)" in result.stdout
    assert "« About Carnet » → « À propos de Carnet »" in result.stdout
    assert lines[-1] == f"Résultat : les {len(CHECKS)} vérifications ont réussi."


def test_self_test_says_what_is_missing_from_a_broken_install(
    tmp_path: Path, clean_env: dict[str, str]
):
    install = tmp_path / "installation"
    for name in ("app", "resources"):
        shutil.copytree(ROOT / name, install / name, ignore=shutil.ignore_patterns("__pycache__"))
    (install / "resources" / "data" / "communes.tsv.gz").unlink()
    (install / "resources" / "i18n" / "carnet_fr.qm").unlink()
    result = run_app(["--self-test"], clean_env, cwd=install)
    assert result.returncode == 1
    assert str(install) in result.stdout.splitlines()[0]
    assert "[ÉCHEC] Traductions : catalogue introuvable" in result.stdout
    assert re.search(r"\[ÉCHEC\] Communes : .*communes\.tsv\.gz", result.stdout), result.stdout
    assert "[ok] Base de données" in result.stdout
    assert "Résultat : 2 vérification(s) sur" in result.stdout


def test_startup_probe_reports_the_main_window_then_quits(
    tmp_path: Path, clean_env: dict[str, str]
):
    env = dict(
        clean_env,
        QT_QPA_PLATFORM="offscreen",
        CARNET_EXIT_WHEN_SHOWN="1",
        CARNET_START_CLOCK=repr(time.time()),
    )
    result = run_app(["--data-dir", str(tmp_path / "donnees")], env)
    assert result.returncode == 0, result.stdout + result.stderr
    found = re.search(
        r"^CARNET_STARTUP shown_ms=([\d.]+) interactive_ms=([\d.]+) clock=launcher$",
        result.stdout,
        re.M,
    )
    assert found, result.stdout
    shown, interactive = float(found.group(1)), float(found.group(2))
    assert 0 < shown <= interactive < 120_000
    # The start was a real one: a profile and its database were created.
    assert list((tmp_path / "donnees").rglob("*.db"))
