"""Fixtures for the desktop windows: a data folder with profiles, sessions, a main window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from app.models.communes import CommuneIndex
from app.services.notebook import Notebook
from app.services.profiles import ProfileRegistry
from app.services.sessions import SessionInput

TODAY = dt.date.today()


@pytest.fixture(scope="session")
def communes() -> CommuneIndex:
    return CommuneIndex().load()


@pytest.fixture
def app_context(tmp_path: Path, communes: CommuneIndex):
    from app.ui.context import AppContext

    data_dir = tmp_path / "donnees"
    data_dir.mkdir(exist_ok=True)
    log_file = tmp_path / "journal" / "carnet.log"
    log_file.parent.mkdir()
    return AppContext(data_dir, log_file, ProfileRegistry(data_dir), communes)


@pytest.fixture
def venues(notebook: Notebook) -> dict[str, str]:
    return {
        "lille": notebook.venues.add("Médiathèque Jean Lévy", "59350", "Lille", "59000"),
        "roubaix": notebook.venues.add("Centre social du Faubourg", "59512", "Roubaix", "59100"),
    }


Record = Callable[..., str]


@pytest.fixture
def record(notebook: Notebook, venues: dict[str, str]) -> Record:
    """Save a session through the service; keyword arguments override a plain individual one."""

    def make(**changes) -> str:
        inp = SessionInput(date=TODAY, venue_id=venues["lille"], themes=["email"])
        for key, value in changes.items():
            setattr(inp, key, value)
        return notebook.sessions.record(inp)

    return make


@pytest.fixture
def main_window(qtbot, notebook: Notebook, app_context, venues):
    from app.ui.main_window import MainWindow

    profile = app_context.registry.create("Camille")
    notebook.settings.set("display_name", "Camille")
    window = MainWindow(notebook, profile.id, app_context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def close_leftover_windows(qapp):
    """Close what a test left open, so that its dialogs do not confuse the next test. Used by
    the window tests with ``pytestmark = pytest.mark.usefixtures("close_leftover_windows")``."""
    yield
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()
        if widget.parent() is None:
            widget.deleteLater()
    QApplication.processEvents()
