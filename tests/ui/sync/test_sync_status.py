"""The window's sync against the real hub on loopback: a session recorded in the form reaches the
hub, the status indicator follows (pending, last sync, offline, problem), the hub coming back is
noticed by itself, a device clock that is off is reported, and the window answers during a
slow sync and closes in the middle of one without losing anything."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer

from app.services.sessions import SessionInput
from app.sync.transport import Backoff
from app.ui.sync.controller import ATTENTION, OFFLINE, PENDING, PROBLEM, SYNCED, SYNCING
from app.ui.sync.panel import SyncPanel
from app.ui.sync.runtime import SyncRuntime
from tests.e2e.proxy import ThrottlingProxy
from tests.ui.helpers import visible
from tests.ui.sync.conftest import engine_idle, link_window, quick_timings, wait_synced

pytestmark = pytest.mark.usefixtures("close_leftover_windows")
LEFT = Qt.MouseButton.LeftButton


def record_in_the_form(qtbot, window, venue_id: str, notes: str = "") -> str:
    form = window.open_form()
    qtbot.waitExposed(form)
    saved: list[str] = []
    form.sig_saved.connect(saved.append)
    qtbot.mouseClick(form.duration.presets.chip("60"), LEFT)
    qtbot.mouseClick(form.place.venues.chip(venue_id), LEFT)
    qtbot.mouseClick(form.themes.main.chip("email"), LEFT)
    if notes:
        form.notes.setPlainText(notes)
    qtbot.mouseClick(form.save_button, LEFT)
    qtbot.waitUntil(lambda: bool(saved))
    return saved[0]


def record_many(notebook, venue_id: str, count: int) -> list[str]:
    return [
        notebook.sessions.record(
            SessionInput(
                date=dt.date(2025, 3, 1) + dt.timedelta(days=i % 28),
                venue_id=venue_id,
                themes=["email"],
                notes=f"séance {i} " + "x" * 200,
            )
        )
        for i in range(count)
    ]


def test_a_session_recorded_in_the_form_reaches_the_hub(qtbot, sync_window, hub, venues):
    window = sync_window
    mediator = hub.new_mediator()
    link_window(qtbot, window, hub, mediator)
    controller = window.sync
    assert controller.view().state == SYNCED

    session_id = record_in_the_form(qtbot, window, venues["lille"], "Démarches CAF")
    # pending: the window told the controller at once
    assert controller.view().state == PENDING
    assert controller.indicator.text() == "1 change(s) waiting"
    assert session_id not in hub.records(mediator)

    # the toolbar's "Synchronise"
    toolbar_button = window.toolbar.widgetForAction(controller.sync_action)
    report = wait_synced(qtbot, window, lambda: qtbot.mouseClick(toolbar_button, LEFT))
    assert report.applied >= 1
    on_hub = hub.records(mediator)[session_id]
    assert on_hub["notes"] == "Démarches CAF" and on_hub["duration_min"] == 60
    assert controller.view().state == SYNCED
    hhmm = dt.datetime.now().strftime("%H:%M")
    assert controller.indicator.text() in {
        f"Last synchronisation at {hhmm}",
        f"Last synchronisation at {(dt.datetime.now() - dt.timedelta(minutes=1)):%H:%M}",
    }
    assert window.sync.pending == 0


def test_a_change_made_on_another_device_comes_down_and_the_list_shows_it(
    qtbot, sync_window, hub, other_device
):
    window = sync_window
    mediator = hub.new_mediator()
    link_window(qtbot, window, hub, mediator)
    other_device.enrol(hub, mediator)
    sid = other_device.record(notes="saisie sur la tablette")
    other_device.sync()
    before = window.sessions_view.model.rowCount()
    wait_synced(qtbot, window, lambda: window.sync.sync_action.trigger())
    assert window.sessions_view.model.rowCount() == before + 1
    assert window.sessions_view.model.row_of(sid) >= 0


def test_offline_then_the_hub_comes_back_and_the_sync_happens_by_itself(
    qtbot, open_window, notebook, own_hub, sync_runtime, venues
):
    server = own_hub()
    port = server.port
    window = open_window(notebook, sync_runtime)
    mediator = server.new_mediator()
    link_window(qtbot, window, server, mediator)
    controller = window.sync

    server.stop()
    session_id = notebook.sessions.record(
        SessionInput(date=dt.date.today(), venue_id=venues["lille"], themes=["email"])
    )
    window.refresh()
    wait_synced(qtbot, window, lambda: controller.sync_now())
    assert controller.view().state == OFFLINE
    assert controller.indicator.text() == "Offline · 1 change(s) waiting"
    assert "Carnet tries again by itself" in controller.indicator.toolTip()
    assert controller._probe_timer.isActive()

    # Probes fail while the hub is down: the delay grows (with jitter), capped.
    qtbot.waitUntil(lambda: controller._probe_attempt >= 3, timeout=10_000)
    assert controller.view().state == OFFLINE

    server = own_hub(port)  # the same hub, back on the same address
    qtbot.waitUntil(lambda: controller.view().state == SYNCED, timeout=15_000)
    assert session_id in server.records(mediator)
    assert controller._probe_attempt == 0


def test_probe_delays_grow_with_jitter_up_to_the_cap(sync_window):
    controller = sync_window.sync
    controller._probe_attempt = 0
    delays = [controller.probe_delay() for _ in range(8)]
    base, cap = controller.timings.probe_base_s, controller.timings.probe_cap_s
    for n, delay in enumerate(delays):
        ceiling = min(cap, base * 2**n)
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= cap


def test_a_revoked_device_is_a_problem_explained_in_the_panel(qtbot, sync_window, hub):
    window = sync_window
    mediator = hub.new_mediator()
    link_window(qtbot, window, hub, mediator)
    hub.revoke(window.sync.snapshot.status.device_id)
    wait_synced(qtbot, window, lambda: window.sync.sync_now())
    assert window.sync.view().state == PROBLEM
    assert window.sync.indicator.text() == "Synchronisation problem"
    assert "révoqué" in window.sync.indicator.toolTip()

    qtbot.mouseClick(window.sync.indicator, LEFT)
    [panel] = visible(SyncPanel)
    assert panel.problem_label.isVisible() and "révoqué" in panel.problem_label.text()
    assert panel.link_values["hub"].text().startswith("Hub de test")


def test_a_device_clock_off_by_an_hour_is_reported(qtbot, open_window, notebook, hub):
    ahead = dt.timedelta(hours=1)
    runtime = SyncRuntime(
        keyring_backend=None,
        engine_options={"clock": lambda: dt.datetime.now(dt.UTC) + ahead},
        timings=quick_timings(),
    )
    window = open_window(notebook, runtime)
    link_window(qtbot, window, hub, hub.new_mediator())
    controller = window.sync
    assert controller.view().state == ATTENTION
    assert controller.indicator.text() == "Problem: the computer's clock is off"
    assert "en avance d'environ 60 minutes" in controller.indicator.toolTip()
    assert "horloge" in window.statusBar().currentMessage()
    panel = controller.open_panel()
    assert panel.clock_label.isVisible() and "horloge" in panel.clock_label.text()


@pytest.fixture
def slow_link(hub):
    proxy = ThrottlingProxy(("127.0.0.1", hub.port), bits_per_second=96_000, rtt=0.2)
    yield proxy
    proxy.close()


def test_the_window_answers_during_a_slow_sync_and_shows_its_progress(
    qtbot, sync_runtime, sync_window, hub, slow_link, venues
):
    sync_runtime.engine_options["max_batch_ops"] = 100  # two batches: progress in between
    window = sync_window
    mediator = hub.new_mediator()
    link_window(qtbot, window, hub, mediator, url=slow_link.url)
    ids = record_many(window.notebook, venues["lille"], 150)
    window.refresh()
    controller = window.sync

    gaps: list[int] = []
    clock = QElapsedTimer()
    clock.start()
    ticker = QTimer()
    ticker.setInterval(10)

    def tick() -> None:
        gaps.append(clock.restart())

    ticker.timeout.connect(tick)
    seen: list[tuple[str, bool, int]] = []
    controller.sig_changed.connect(
        lambda: seen.append(
            (
                controller.indicator.text(),
                controller.indicator.progress_bar.isVisible(),
                controller.indicator.progress_bar.maximum(),
            )
        )
    )
    started = time.monotonic()
    ticker.start()
    clock.restart()
    report = wait_synced(qtbot, window, lambda: controller.sync_now(), timeout=60_000)
    ticker.stop()
    duration = time.monotonic() - started

    assert report.applied == 150
    assert set(ids) <= set(hub.records(mediator))
    assert duration > 1.0, "le lien lent devait ralentir la synchronisation"
    # The event loop kept turning all along: a 10 ms timer ticked at least every 100 ms on
    # average and never stopped for long (about 50 ms at most on a quiet machine; the bound
    # leaves room for a loaded one, and stays far below the sync's own length).
    assert len(gaps) >= duration / 0.1
    assert max(gaps) < min(500, duration * 1000 / 4), max(gaps)
    # The indicator said it was syncing, with the count of changes sent.
    assert any(text == "Synchronising… 0 / 150" and bar and top == 150 for text, bar, top in seen)
    assert any(text.startswith("Synchronising… 100 / 150") for text, _, _ in seen)
    assert controller.view().state == SYNCED
    assert not controller.indicator.progress_bar.isVisible()


def test_closing_during_a_sync_loses_nothing_and_the_next_start_finishes_it(
    qtbot, open_window, notebook, hub, slow_link, sync_runtime, venues
):
    window = open_window(notebook, sync_runtime)
    profile_id = window.profile_id
    mediator = hub.new_mediator()
    link_window(qtbot, window, hub, mediator, url=slow_link.url)
    ids = record_many(notebook, venues["lille"], 250)
    window.refresh()
    old = window.sync
    assert old.sync_now()
    qtbot.waitUntil(lambda: old.view().state == SYNCING)
    qtbot.wait(300)

    started = time.monotonic()
    window.close()
    waited = time.monotonic() - started
    assert waited < sync_runtime.timings.close_wait_s + 1.0  # bounded, then let go
    assert len(hub.records(mediator)) < 250, "la synchronisation devait être en cours"
    assert engine_idle(old, timeout=20)  # cancelled at its next safe point, as on quit

    # Carnet starts again on the same notebook: the sync at start finishes the job.
    again = open_window(notebook, sync_runtime, profile_id=profile_id)
    qtbot.waitUntil(lambda: again.sync.view().state == SYNCED, timeout=60_000)
    on_hub = hub.records(mediator)
    assert set(ids) <= set(on_hub)
    ops = [o.entity_id for o in hub.applied_ops(mediator)]
    assert len(ops) == len(set(ops)), "une fiche appliquée deux fois"
    assert again.sync.pending == 0


def test_a_change_saved_while_online_goes_up_shortly_after(
    qtbot, open_window, notebook, hub, keyring_backend, venues
):
    runtime = SyncRuntime(
        keyring_backend=keyring_backend,
        engine_options={"backoff": Backoff(base=0.01, cap=0.05)},
        timings=quick_timings(after_change_ms=200),
    )
    window = open_window(notebook, runtime)
    mediator = hub.new_mediator()
    link_window(qtbot, window, hub, mediator)
    session_id = record_in_the_form(qtbot, window, venues["lille"])
    qtbot.waitUntil(lambda: session_id in hub.records(mediator), timeout=10_000)
    qtbot.waitUntil(lambda: window.sync.view().state == SYNCED)


def test_enrolment_keys_read_without_the_engine_are_the_engines():
    from app.sync import engine
    from app.ui.sync.controller import ENROLMENT_KEYS

    assert ENROLMENT_KEYS == (engine.K_HUB_URL, engine.K_DEVICE_ID)


def test_an_unlinked_notebook_does_not_load_the_engine(sync_window):
    from app.ui.sync.controller import NOT_LINKED

    controller = sync_window.sync
    assert controller.unlinked_hint and controller.snapshot is None
    assert controller.view().state == NOT_LINKED
    assert controller._desktop_obj is None  # no engine, requests nor keyring in memory
