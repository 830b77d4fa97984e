"""The frozen app, built once per test session from a copy of the source tree (so that building
never writes into the working tree), and an "upgraded" build: the same tree with a bumped
version and one more migration, as the next release would be."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from installer.bundle_rules import read_version

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("app", "resources", "installer", "scripts")
UPGRADE_REVISION = "9001_upgrade_check"
UPGRADE_TABLE = "upgrade_check"


@dataclass(frozen=True)
class Build:
    source: Path  # the copied tree it was built from
    app_dir: Path  # dist/carnet
    version: str


def copy_tree(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in COPIED:
        shutil.copytree(
            ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    return target


def bumped(version: str) -> str:
    """0.1.0 → 0.1.1: the next release, which Debian orders after this one."""
    head, _, last = version.rpartition(".")
    return f"{head}.{int(last) + 1}"


def add_upgrade_migration(tree: Path) -> None:
    """One more migration after the current head, and the app's head constant moved to it."""
    migrate = tree / "app" / "models" / "migrate.py"
    text = migrate.read_text(encoding="utf-8")
    head = re.search(r'^HEAD_REVISION = "([^"]+)"', text, re.M)
    assert head, "HEAD_REVISION introuvable dans app/models/migrate.py"
    migrate.write_text(text.replace(head.group(0), f'HEAD_REVISION = "{UPGRADE_REVISION}"'))
    (tree / "app" / "models" / "migrations" / "versions" / f"{UPGRADE_REVISION}.py").write_text(
        f'''"""a table that only the upgraded app has (installer upgrade test)"""

import sqlalchemy as sa
from alembic import op

revision = "{UPGRADE_REVISION}"
down_revision = "{head.group(1)}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "{UPGRADE_TABLE}",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("note", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("{UPGRADE_TABLE}")
''',
        encoding="utf-8",
    )


def bump_version(tree: Path) -> str:
    init = tree / "app" / "__init__.py"
    text = init.read_text(encoding="utf-8")
    current = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    assert current
    new = bumped(current.group(1))
    init.write_text(text.replace(current.group(0), f'__version__ = "{new}"'), encoding="utf-8")
    return new


def build(tree: Path, out: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(tree / "installer" / "build.py"),
            "--dist",
            str(out / "dist"),
            "--work",
            str(out / "work"),
        ],
        cwd=tree,
        check=True,
        timeout=1200,
    )
    return out / "dist" / "carnet"


@pytest.fixture(scope="session")
def frozen_app(tmp_path_factory: pytest.TempPathFactory) -> Build:
    base = tmp_path_factory.mktemp("gel")
    tree = copy_tree(base / "source")
    return Build(tree, build(tree, base), read_version(tree))


@pytest.fixture(scope="session")
def upgraded_app(tmp_path_factory: pytest.TempPathFactory) -> Build:
    base = tmp_path_factory.mktemp("gel-suivante")
    tree = copy_tree(base / "source")
    add_upgrade_migration(tree)
    version = bump_version(tree)
    return Build(tree, build(tree, base), version)


@pytest.fixture
def clean_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment with no screen and a fresh home (logs and data go there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "QT_QPA"))}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["HOME"] = str(tmp_path / "maison")
    Path(env["HOME"]).mkdir()
    yield env
