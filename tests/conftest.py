"""Shared fixtures: a fresh notebook database per test, offscreen Qt, in-memory keyring."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "donnees"
    d.mkdir()
    return d


@pytest.fixture
def notebook(tmp_path: Path):
    from app.services.notebook import open_notebook

    nb = open_notebook(tmp_path / "carnet.db")
    yield nb
    nb.close()


@pytest.fixture
def venue_id(notebook) -> str:
    return notebook.venues.add("Centre social Albert Camus", "59350", "Lille", "59000")
