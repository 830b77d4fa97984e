"""Linking the device to the hub through the dialog, against the real hub on loopback: the QR
link pasted, the token in the keyring (never on disk), and every failure explained in French."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from app.sync.credentials import NO_KEYRING_MESSAGE, SERVICE_NAME
from app.ui.sync.controller import NOT_LINKED, PROBLEM, SYNCED
from app.ui.sync.enrol_dialog import EnrolDialog, parse_enrolment_link
from app.ui.sync.runtime import SyncRuntime
from hub.org import issue_enrolment_code
from tests.sync.test_transport import Scripted, tls_hub
from tests.ui.helpers import visible
from tests.ui.sync.conftest import enrolment_link, link_window, quick_timings

pytestmark = pytest.mark.usefixtures("close_leftover_windows")
LEFT = Qt.MouseButton.LeftButton


def test_the_qr_link_is_read_with_or_without_the_hub_address():
    assert parse_enrolment_link(
        "carnet://inscription?hub=https%3A%2F%2Fhub.exemple.fr%2Fnord&code=abcd-efgh"
    ) == ("https://hub.exemple.fr/nord", "ABCD-EFGH")
    assert parse_enrolment_link("  CARNET://inscription?code=WXYZ-2345 ") == (None, "WXYZ-2345")
    assert parse_enrolment_link("https://hub.exemple.fr") is None
    assert parse_enrolment_link("carnet://autre-chose?code=X") is None


def open_dialog(qtbot, window) -> EnrolDialog:
    dialog = window.sync.open_enrol_dialog()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_f5_before_linking_opens_the_dialog_then_the_pasted_link_links_and_syncs(
    qtbot, sync_window, hub, keyring_backend
):
    window = sync_window
    assert window.sync.view().state == NOT_LINKED
    assert window.sync.indicator.text().startswith("Not linked to a hub")
    assert not window.pending_label.isVisible()  # the indicator says it instead
    # F5 (and Ctrl+R) is "Synchronise"; before the device is linked it opens the dialog.
    assert QKeySequence("Ctrl+R") in window.sync.sync_action.shortcuts()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    [dialog] = visible(EnrolDialog)
    qtbot.waitUntil(lambda: "keyring" in dialog.keyring_label.text())
    assert dialog.keyring_label.property("warning") is False

    mediator = hub.new_mediator("Camille Martin")
    dialog.code_edit.setText(enrolment_link(hub.url, hub.enrolment_code(mediator)))
    assert dialog.hub_edit.text() == hub.url
    assert dialog.code_edit.text().count("-") == 1 and len(dialog.code_edit.text()) == 9
    dialog.name_edit.setText("Portable médiathèque")
    with qtbot.waitSignal(window.sync.sig_synced, timeout=20_000):
        qtbot.mouseClick(dialog.link_button, LEFT)
    assert not dialog.isVisible()

    token = keyring_backend.secrets[(SERVICE_NAME, f"appareil:{window.profile_id}")]
    assert len(token) > 20
    assert window.sync.view().state == SYNCED
    assert window.sync.indicator.text().startswith("Last synchronisation at ")
    snapshot = window.sync.snapshot
    assert snapshot.enrolment.device_name == "Portable médiathèque"
    assert snapshot.enrolment.mediator_name == "Camille Martin"
    assert snapshot.enrolment.enrolled_at is not None


def test_a_link_without_the_hub_address_fills_the_code_and_asks_for_the_address(qtbot, sync_window):
    dialog = open_dialog(qtbot, sync_window)
    dialog.hub_edit.setText("carnet://inscription?code=wxyz-2345")
    assert dialog.code_edit.text() == "WXYZ-2345"
    assert dialog.hub_edit.text() == ""
    qtbot.mouseClick(dialog.link_button, LEFT)
    assert dialog.error_label.text() == "Enter the hub's address."
    assert dialog.hub_edit.hasFocus()


@pytest.fixture
def garbage_server():
    """A web server that is not a hub: a captive portal answering HTML to everything."""
    srv = Scripted()
    for _ in range(5):
        srv.script.append({"body": b"<html><body>Wi-Fi : connectez-vous</body></html>"})
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def tls_server(tmp_path: Path):
    """A server whose certificate nobody vouches for."""
    with tls_hub(tmp_path) as (_, url, _):
        yield url


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def try_to_link(qtbot, dialog: EnrolDialog, hub_url: str, code: str) -> str:
    dialog.hub_edit.setText(hub_url)
    dialog.code_edit.setText(code)
    with qtbot.waitSignal(dialog.controller.sig_enrol_finished, timeout=20_000):
        qtbot.mouseClick(dialog.link_button, LEFT)
    assert dialog.isVisible() and dialog.link_button.isEnabled()
    assert dialog.error_label.isVisible()
    return dialog.error_label.text()


def test_every_failure_is_explained_and_links_nothing(
    qtbot, sync_window, hub, garbage_server, tls_server, keyring_backend
):
    dialog = open_dialog(qtbot, sync_window)
    mediator = hub.new_mediator()

    # a code mistyped
    message = try_to_link(qtbot, dialog, hub.url, "ZZZZ-ZZZZ")
    assert "code d'inscription n'est pas valable" in message
    assert dialog.code_edit.hasFocus()

    # an expired code: the hub gives the same answer, on purpose (no oracle)
    with hub.db.write() as s:
        expired, _ = issue_enrolment_code(
            s, mediator, 60, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
        )
    assert try_to_link(qtbot, dialog, hub.url, expired) == message

    # nothing listens at that address
    message = try_to_link(qtbot, dialog, f"http://127.0.0.1:{closed_port()}", "ABCD-EFGH")
    assert message.startswith("The hub cannot be reached at this address.")
    assert dialog.hub_edit.hasFocus()

    # a web page (a captive portal) rather than a hub
    message = try_to_link(qtbot, dialog, garbage_server.url, "ABCD-EFGH")
    assert message.startswith("The server at this address does not answer like a Carnet hub.")

    # a certificate nobody vouches for: refused, nothing sent
    message = try_to_link(qtbot, dialog, tls_server, "ABCD-EFGH")
    assert message.startswith("The secure connection to the hub failed")

    # plain http to another computer: refused before anything is sent
    message = try_to_link(qtbot, dialog, "http://hub.exemple.fr", "ABCD-EFGH")
    assert "https" in message and "chiffrée" in message

    assert keyring_backend.secrets == {}
    assert sync_window.sync.view().state == NOT_LINKED
    # and after all that, the right code links
    good = hub.enrolment_code(mediator)
    dialog.hub_edit.setText(hub.url)
    dialog.code_edit.setText(good)
    with qtbot.waitSignal(sync_window.sync.sig_synced, timeout=20_000):
        qtbot.mouseClick(dialog.link_button, LEFT)
    assert len(keyring_backend.secrets) == 1


def test_without_a_keyring_the_token_stays_in_memory_and_never_reaches_the_disk(
    qtbot, open_window, notebook, hub, tmp_path
):
    from keyring.backends import null

    runtime = SyncRuntime(keyring_backend=null.Keyring(), timings=quick_timings())
    window = open_window(notebook, runtime)
    dialog = open_dialog(qtbot, window)
    qtbot.waitUntil(lambda: dialog.keyring_label.property("warning") is True)
    assert dialog.keyring_label.text() == NO_KEYRING_MESSAGE

    mediator = hub.new_mediator()
    dialog.close()
    link_window(qtbot, window, hub, mediator)
    store, notice = runtime.token_store()
    assert not store.persistent and notice == NO_KEYRING_MESSAGE
    token = store.get_token(window.profile_id)
    assert token

    # The panel says where the token is and what it means.
    panel = window.sync.open_panel()
    qtbot.waitExposed(panel)
    assert panel.keyring_label.isVisible()
    assert panel.keyring_label.text() == NO_KEYRING_MESSAGE

    window.close()
    qtbot.waitUntil(lambda: not window.sync.syncing)

    # Carnet restarts: the token died with the process; the window says to link again.
    restarted = open_window(notebook, SyncRuntime(keyring_backend=null.Keyring()))
    qtbot.waitUntil(lambda: restarted.sync.view().state == PROBLEM)
    assert "n'est plus disponible" in restarted.sync.indicator.toolTip()
    assert restarted.sync.snapshot.enrolment.hub_url == hub.url

    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert token.encode() not in data, f"jeton en clair dans {path}"
            assert token.encode("utf-16-le") not in data, f"jeton en clair dans {path}"
