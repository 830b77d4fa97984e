"""Fixtures of the desktop sync tests: the real hub on loopback (tests/e2e), a main window whose
sync uses an in-memory keyring and short delays, and helpers to link it and wait for it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.services.notebook import Notebook
from app.sync.transport import Backoff
from app.ui.sync.runtime import SyncRuntime, SyncTimings

# The real hub: one SQLite hub for the run, emptied before each test (tests/e2e/conftest.py).
from tests.e2e.conftest import hub, hub_template, shared_hub, start_sqlite_hub  # noqa: F401
from tests.e2e.harness import Device, HubServer, NotebookTemplate
from tests.sync.test_credentials import InMemoryKeyring


@pytest.fixture
def keyring_backend() -> InMemoryKeyring:
    return InMemoryKeyring()


def quick_timings(**changes: Any) -> SyncTimings:
    """Automatic syncs happen only when a test asks: long delays, except at start."""
    values: dict[str, Any] = {
        "start_delay_ms": 0,
        "after_change_ms": 3_600_000,
        "periodic_ms": 3_600_000,
        "probe_base_s": 0.2,
        "probe_cap_s": 0.8,
        "close_wait_s": 1.0,
    }
    values.update(changes)
    return SyncTimings(**values)


@pytest.fixture
def sync_runtime(keyring_backend: InMemoryKeyring) -> SyncRuntime:
    return SyncRuntime(
        keyring_backend=keyring_backend,
        engine_options={"backoff": Backoff(base=0.01, cap=0.05), "max_tries": 2},
        timings=quick_timings(),
        transport_timeout=(3.0, 20.0),
        probe_timeout=(1.0, 3.0),
    )


@pytest.fixture
def open_window(qtbot, app_context, venues) -> Callable[..., Any]:
    """``open_window(notebook, runtime)``: a shown MainWindow whose sync state is loaded."""
    from app.ui.main_window import MainWindow

    def make(notebook: Notebook, runtime: SyncRuntime, profile_id: str | None = None) -> Any:
        app_context.sync = runtime
        if profile_id is None:
            profile_id = app_context.registry.create("Camille").id
        notebook.settings.set("display_name", "Camille")
        window = MainWindow(notebook, profile_id, app_context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        # Loaded, or known to be unlinked (then the engine loads on first need).
        qtbot.waitUntil(
            lambda: window.sync.snapshot is not None or window.sync.unlinked_hint, timeout=10_000
        )
        return window

    return make


@pytest.fixture
def sync_window(open_window, notebook: Notebook, sync_runtime: SyncRuntime) -> Any:
    return open_window(notebook, sync_runtime)


def enrolment_link(hub_url: str | None, code: str) -> str:
    from urllib.parse import urlencode

    query = {"hub": hub_url, "code": code} if hub_url else {"code": code}
    return "carnet://inscription?" + urlencode(query)


def link_window(
    qtbot, window: Any, server: HubServer, mediator_id: str, url: str | None = None
) -> Any:
    """Link through the dialog (the QR link pasted into the code field); waits for the first
    sync that follows."""
    from PySide6.QtCore import Qt

    controller = window.sync
    dialog = controller.open_enrol_dialog()
    qtbot.waitExposed(dialog)
    dialog.code_edit.setText(enrolment_link(url or server.url, server.enrolment_code(mediator_id)))
    with qtbot.waitSignal(controller.sig_synced, timeout=20_000):
        qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    return dialog


def wait_synced(qtbot, window: Any, trigger: Callable[[], Any], timeout: int = 20_000) -> Any:
    """Run ``trigger`` and wait for the sync it starts to end (well or not)."""
    controller = window.sync
    with qtbot.waitSignal(controller.sig_idle, timeout=timeout):
        trigger()
    return controller.last_report


@pytest.fixture
def own_hub(hub_template: Path, tmp_path: Path) -> Iterator[Callable[..., HubServer]]:  # noqa: F811
    """A hub of the test's own, which it may stop and start again (same file, same port)."""
    servers: list[HubServer] = []
    folder = tmp_path / "hub"
    folder.mkdir()

    def start(port: int = 0) -> HubServer:
        if port:
            server = HubServer(f"sqlite:///{folder / 'hub.db'}", port=port, data_dir=folder)
        else:
            server = start_sqlite_hub(hub_template, folder)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server._thread.is_alive():
            server.stop()


def engine_idle(window_sync: Any, timeout: float = 10.0) -> bool:
    """True once no sync of that controller's engine runs (its lock is free)."""
    desktop = window_sync._desktop_obj
    if desktop is None:
        return True
    lock: threading.Lock = desktop.engine._lock
    if lock.acquire(timeout=timeout):
        lock.release()
        return True
    return False


@pytest.fixture
def other_device(tmp_path: Path) -> Iterator[Device]:
    """Another laptop of the same mediator, driven through the engine (tests/e2e harness)."""
    folder = tmp_path / "autre-appareil"
    folder.mkdir()
    device = Device.create(folder, "tablette", template=NotebookTemplate(folder))
    yield device
    device.close()
