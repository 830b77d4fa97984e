"""« Mes statistiques » driven like a mediator: period, cards, breakdowns, charts, exports."""

from __future__ import annotations

import datetime as dt
import threading
import time
from types import SimpleNamespace

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from app.services.exports import ExportService
from app.services.sessions import SessionInput
from app.services.stats import BREAKDOWNS, StatsService
from app.ui.stats_view import PRIMARY, StatsView, open_stats_window
from tests.ui.helpers import message_boxes

D = dt.date
TODAY = D(2025, 3, 15)


@pytest.fixture
def sample(notebook, venues):
    """The notebook's session factory, with four activités of 2025 recorded."""
    rec = notebook.sessions.record
    lille = venues["lille"]
    # January: 2 individual sessions (45 + 30 min) and a workshop of 6 (90 min).
    rec(SessionInput(venue_id=lille, date=D(2025, 1, 6), duration_min=45, themes=["email"]))
    rec(SessionInput(venue_id=lille, date=D(2025, 1, 7), duration_min=30, themes=["sante"]))
    rec(
        SessionInput(
            kind="collectif",
            venue_id=lille,
            date=D(2025, 1, 9),
            duration_min=90,
            themes=["email", "securite_numerique"],
            workshop_title="Sécuriser son smartphone",
            participants=6,
        )
    )
    # March: one session of 60 min.
    rec(SessionInput(venue_id=lille, date=D(2025, 3, 2), duration_min=60, themes=["email"]))
    return notebook.session_factory


@pytest.fixture
def view(qtbot, sample):
    widget = StatsView(StatsService(sample), ExportService(sample), "Camille", today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitUntil(lambda: widget.report is not None, timeout=10_000)
    return widget


class HeldExports(ExportService):
    """A long export: the sessions CSV holds at its first progress report until the test
    releases it or the export is cancelled (then the service stops as usual)."""

    def __init__(self, session_factory) -> None:
        super().__init__(session_factory)
        self.holding = threading.Event()
        self.release = threading.Event()

    def sessions_csv(self, path, date_from, date_to, filters=None, progress=None, cancelled=None):
        def held(done: int, total: int) -> None:
            self.holding.set()
            while not (self.release.is_set() or cancelled()):
                time.sleep(0.005)
            progress(done, total)

        return super().sessions_csv(path, date_from, date_to, filters, held, cancelled)


@pytest.fixture
def held(qtbot, sample, tmp_path):
    """The statistics window as the menu opens it (deleted on close, child of the main
    window) with a held export of the sessions of the period running."""
    parent = QWidget()
    exports = HeldExports(sample)
    window = open_stats_window(parent, StatsService(sample), exports, "Camille")
    window.set_period(D(2025, 1, 1), D(2025, 3, 31))  # 4 sessions: the export has rows
    qtbot.waitUntil(lambda: window.report is not None, timeout=10_000)
    finished: list[tuple[str, str]] = []
    window.sig_export_finished.connect(lambda kind, path: finished.append((kind, path)))
    target = tmp_path / "activites.csv"
    window.start_export("sessions_csv", target)
    assert exports.holding.wait(10)
    yield SimpleNamespace(
        parent=parent,
        window=window,
        exports=exports,
        worker=window.export_worker,
        target=target,
        finished=finished,
    )
    exports.release.set()  # a failed test leaves no export running
    if isValid(parent):
        parent.deleteLater()


def test_this_year_is_computed_on_a_worker_and_shown(view):
    # "This year" up to 15 March: 3 + 6 participants… accompagnements = 3 individual + 6 = 9.
    assert view.preset_combo.currentData() == "this_year"
    assert view.period() == (D(2025, 1, 1), TODAY)
    assert view.cards["accompagnements"].value.text() == "9"
    assert view.cards["activities"].value.text() == "4"
    assert view.cards["participants"].value.text() == "6"
    # 45 + 30 + 90 + 60 = 225 min = 3.75 h, shown with one decimal in the locale's form.
    assert view.cards["hours"].value.text() in ("3.8", "3,8")
    assert view.breakdown_list.count() == len(BREAKDOWNS)
    assert [(p.month, p.accompagnements) for p in view.trend_chart.points] == [
        ("2025-01", 8),
        ("2025-02", 0),
        ("2025-03", 1),
    ]


def test_changing_the_period_recomputes(qtbot, view):
    with qtbot.waitSignal(view.sig_report_ready, timeout=10_000):
        view.set_period(D(2025, 3, 1), D(2025, 3, 31))
    assert view.preset_combo.currentData() == "custom"
    assert view.cards["accompagnements"].value.text() == "1"
    with qtbot.waitSignal(view.sig_report_ready, timeout=10_000):
        view.kind_combo.setCurrentIndex(view.kind_combo.findData("collectif"))
        view.set_period(D(2025, 1, 1), D(2025, 1, 31))
    assert view.cards["accompagnements"].value.text() == "6"


def test_breakdown_table_and_painted_charts(qtbot, view):
    themes = [key for key, _t, _u in BREAKDOWNS].index("theme")
    view.breakdown_list.setCurrentRow(themes)
    table = view.breakdown_table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    # E-mail: 2 sessions + the workshop = 3 activités; santé 1; sécurité 1.
    assert rows == {"E-mail": "3", "Santé": "1", "Prévention en sécurité numérique": "1"}
    assert view.bar_chart.rows[0] == ("E-mail", 3)
    for chart in (view.bar_chart, view.trend_chart):
        image = chart.grab().toImage()
        accent = sum(
            1
            for x in range(0, image.width(), 3)
            for y in range(0, image.height(), 3)
            if QColor(image.pixel(x, y)) == PRIMARY
        )
        assert accent > 20, chart.objectName()


def test_export_runs_in_the_background_and_writes_the_file(qtbot, view, tmp_path):
    target = tmp_path / "bilan.pdf"
    with qtbot.waitSignal(view.sig_export_finished, timeout=30_000) as finished:
        view.start_export("pdf", target)
    assert finished.args == ["pdf", str(target)]
    assert target.read_bytes().startswith(b"%PDF")
    assert view.progress_dialog is None and view.export_worker is None
    csv_target = tmp_path / "activites.csv"
    with qtbot.waitSignal(view.sig_export_finished, timeout=30_000):
        view.start_export("sessions_csv", csv_target)
    # Header + the 4 sessions of this year.
    assert len(csv_target.read_text(encoding="utf-8-sig").strip().splitlines()) == 5
    # The export threads end by themselves: none is left running when the test closes it.
    qtbot.waitUntil(lambda: not view.workers.busy(), timeout=10_000)


def test_export_to_a_missing_folder_shows_the_french_message(qtbot, view, tmp_path):
    with qtbot.waitSignal(view.sig_export_finished, timeout=30_000) as finished:
        view.start_export("sessions_xlsx", tmp_path / "absent" / "a.xlsx")
    assert finished.args[1] == ""
    boxes = message_boxes()
    assert boxes and "n'existe pas" in boxes[0].text()
    assert not (tmp_path / "absent").exists()


def test_suggested_file_names_carry_the_period(view):
    assert view.suggested_path("pdf").name == "carnet-bilan-2025-01-01_2025-03-15.pdf"
    assert view.suggested_path("sessions_csv").suffix == ".csv"


def test_main_window_opens_the_statistics_window(qtbot, main_window):
    action = main_window.stats_action
    titles = [a.text().replace("&", "") for a in main_window.menuBar().actions()]
    assert titles.index(action.parent().title().replace("&", "")) == len(titles) - 2
    action.trigger()
    stats_window = main_window.stats_window
    qtbot.waitUntil(lambda: stats_window.report is not None, timeout=10_000)
    assert stats_window.isVisible() and stats_window.isWindow()
    action.trigger()  # a second time: the same window comes forward
    assert main_window.stats_window is stats_window
    stats_window.close()


def test_closing_the_window_during_an_export_cancels_it_and_waits_for_it(qtbot, held):
    held.window.close()
    # close() returned once the export's thread had finished: the job has ended, cancelled.
    assert held.worker.succeeded is False
    assert not held.window.workers.busy()
    qtbot.waitUntil(lambda: not isValid(held.window))  # deleted on close
    assert held.finished == [("sessions_csv", "")]
    assert not held.target.exists() and not list(held.target.parent.glob("*.part"))


def test_an_export_done_as_the_window_closes_is_reported_once(qtbot, held):
    held.exports.release.set()
    while held.worker.succeeded is None:  # written, its result not yet delivered (no events)
        time.sleep(0.005)
    held.window.close()
    qtbot.waitUntil(lambda: not isValid(held.window))  # its queued result comes, ignored
    assert held.finished == [("sessions_csv", str(held.target))]
    assert held.target.exists()


def test_a_window_deleted_with_its_parent_lets_its_export_finish(qtbot, held):
    # Deleted without being closed (the main window going away): its running thread is not
    # deleted with it, it finishes its work.
    held.parent.deleteLater()
    qtbot.waitUntil(lambda: not isValid(held.window))
    held.exports.release.set()
    qtbot.waitUntil(lambda: held.worker.succeeded is not None, timeout=10_000)
    assert held.worker.succeeded and held.target.exists()


def test_the_statistics_window_opens_again_after_being_closed(qtbot, main_window):
    main_window.stats_action.trigger()
    first = main_window.stats_window
    qtbot.waitUntil(lambda: first.report is not None, timeout=10_000)
    first.close()
    qtbot.waitUntil(lambda: not isValid(first))  # deleted on close
    main_window.stats_action.trigger()
    second = main_window.stats_window
    assert second is not first and second.isVisible()
    qtbot.waitUntil(lambda: second.report is not None, timeout=10_000)
    second.close()


def test_closing_the_main_window_cancels_the_statistics_export(
    qtbot, main_window, sample, tmp_path
):
    # Closing the main window (quitting, or switching profile) closes the notebook next: the
    # statistics window is closed first, its export cancelled and its thread waited for.
    main_window.stats_action.trigger()
    stats_window = main_window.stats_window
    stats_window.exports = exports = HeldExports(sample)
    stats_window.set_period(D(2025, 1, 1), D(2025, 3, 31))
    target = tmp_path / "activites.csv"
    stats_window.start_export("sessions_csv", target)
    worker = stats_window.export_worker
    try:
        assert exports.holding.wait(10)
        main_window.close()
        assert worker.succeeded is False
        assert not stats_window.workers.busy() and not target.exists()
    finally:
        exports.release.set()
