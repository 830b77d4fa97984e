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


@pytest.fixture
def full_disk():
    """``with full_disk(notebook):`` the database cannot grow, as on a full disk (SQLite's
    max_page_count caps every new connection), then it is back to normal."""
    import sqlite3
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def cap(nb):
        con = sqlite3.connect(nb.db_path)
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.close()

        def _cap(dbapi_conn, _rec):
            dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

        event.listen(nb.engine, "connect", _cap)
        nb.engine.dispose()
        try:
            yield
        finally:
            event.remove(nb.engine, "connect", _cap)
            nb.engine.dispose()

    return cap
