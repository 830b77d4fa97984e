"""Start-up as a mediator meets it: first start and welcome, profiles and PIN, storage errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu
from shiboken6 import isValid

from app.services.notebook import open_notebook
from app.services.profiles import ProfileRegistry
from app.services.sessions import SessionInput
from app.ui.application import EXIT_STORAGE_ERROR, AppController
from app.ui.profile_dialogs import PinDialog, ProfilePickerDialog
from app.ui.welcome import WelcomeDialog
from tests.ui.helpers import message_boxes

pytestmark = pytest.mark.usefixtures("close_leftover_windows")
LEFT = Qt.MouseButton.LeftButton
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def controller(qtbot, app_context):
    ctrl = AppController(app_context)
    exits: list[int] = []
    ctrl.sig_exit.connect(exits.append)
    ctrl.exits = exits  # type: ignore[attr-defined]
    yield ctrl
    if ctrl.window is not None:
        ctrl.window.close()
    ctrl.shutdown()


def make_profile(registry: ProfileRegistry, name: str, venue: bool = True) -> str:
    profile = registry.create(name)
    nb = open_notebook(registry.db_path(profile.id))
    nb.settings.set("display_name", name)
    if venue:
        nb.venues.add("Centre social", "59350", "Lille", "59000")
    nb.close()
    return profile.id


def fill_welcome(qtbot, welcome: WelcomeDialog, name: str) -> None:
    qtbot.keyClicks(welcome.name_edit, name)
    qtbot.keyClicks(welcome.venues.name_edit, "Centre social")
    welcome.venues.commune_picker.set_value("59512", "Roubaix", "59100")
    qtbot.mouseClick(welcome.venues.add_button, LEFT)


def test_first_start_creates_a_profile_and_asks_name_and_venues(qtbot, controller, app_context):
    controller.start()
    assert controller.window is not None
    welcome = controller.dialog
    assert isinstance(welcome, WelcomeDialog) and welcome.isVisible()

    # Nothing filled: French-language checks appear next to the fields, nothing is saved.
    qtbot.mouseClick(welcome.start_button, LEFT)
    assert welcome.isVisible()
    assert welcome.name_error.isVisible() and welcome.venues_error.isVisible()
    assert controller.notebook is not None and controller.notebook.venues.list() == []

    fill_welcome(qtbot, welcome, "Camille D.")
    qtbot.keyClicks(welcome.venues.name_edit, "Bus de l'Aisne")
    welcome.venues.itinerant_check.setChecked(True)  # an itinerant venue needs no commune
    qtbot.mouseClick(welcome.start_button, LEFT)  # the pending venue is added on Start

    assert not welcome.isVisible()
    nb = controller.notebook
    assert nb.settings.display_name == "Camille D."
    venues = {v.name: v for v in nb.venues.list()}
    assert venues["Centre social"].commune_insee == "59512"
    assert venues["Bus de l'Aisne"].itinerant and venues["Bus de l'Aisne"].commune_insee is None
    registry = app_context.registry
    assert [p.name for p in registry.profiles] == ["Camille D."]
    assert ProfileRegistry(app_context.data_dir).last_used == controller.profile_id
    assert "Camille D." in controller.window.windowTitle()


def test_closing_the_welcome_on_first_start_closes_carnet(qtbot, controller):
    controller.start()
    controller.dialog.reject()
    assert controller.exits == [0]


def test_second_start_reopens_the_last_profile_and_offers_the_draft(qtbot, controller, app_context):
    registry = app_context.registry
    make_profile(registry, "Alice")
    bob = make_profile(registry, "Bob")
    registry.mark_used(bob)
    nb = open_notebook(registry.db_path(bob))
    nb.drafts.save("session:new", SessionInput(themes=["email"], notes="brouillon"))
    nb.close()

    controller.start()
    assert controller.profile_id == bob
    assert not isinstance(controller.dialog, WelcomeDialog)
    boxes = message_boxes()
    assert len(boxes) == 1 and boxes[0] is controller.window.message_box
    qtbot.mouseClick(boxes[0].defaultButton(), LEFT)  # "Take it back"
    form = controller.window.form
    assert form is not None and form.isVisible()
    assert form.current_input().notes == "brouillon"
    assert form.draft_banner.isHidden()  # not asked a second time


def test_switching_profile_takes_two_clicks(qtbot, controller, app_context):
    registry = app_context.registry
    alice = make_profile(registry, "Alice")
    bob = make_profile(registry, "Bob")
    registry.mark_used(alice)
    controller.start()
    first_window = controller.window
    assert controller.profile_id == alice
    clicks = 0

    def click_bob_in_menu() -> None:
        nonlocal clicks
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        action = next(a for a in menu.actions() if a.text() == "Bob")
        qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())
        clicks += 1

    QTimer.singleShot(200, click_bob_in_menu)
    button = first_window.profile_button
    qtbot.mouseClick(button, LEFT, pos=QPoint(button.width() // 2, button.height() // 2))
    clicks += 1
    qtbot.waitUntil(lambda: controller.profile_id == bob)
    assert clicks == 2
    assert controller.window is not first_window and controller.window.isVisible()
    qtbot.waitUntil(lambda: not isValid(first_window))  # closed and deleted
    assert controller.exits == []  # closing the old window did not stop Carnet
    assert ProfileRegistry(app_context.data_dir).last_used == bob


def test_a_profile_with_a_pin_asks_for_it(qtbot, controller, app_context):
    registry = app_context.registry
    alice = make_profile(registry, "Alice")
    bob = make_profile(registry, "Bob")
    registry.set_pin(bob, "2580")
    registry.mark_used(alice)
    controller.start()

    controller.switch_profile(bob)
    dialog = controller.dialog
    assert isinstance(dialog, PinDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.pin_edit, "1111")
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert controller.profile_id == alice
    qtbot.keyClicks(dialog.pin_edit, "2580")
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    assert controller.profile_id == bob


def test_start_on_a_locked_profile_shows_the_profile_list(qtbot, controller, app_context):
    registry = app_context.registry
    alice = make_profile(registry, "Alice")
    bob = make_profile(registry, "Bob")
    registry.set_pin(bob, "2580")
    registry.mark_used(bob)
    controller.start()
    picker = controller.dialog
    assert isinstance(picker, ProfilePickerDialog) and controller.window is None
    assert picker.current_profile_id() == bob and picker.pin_edit.isVisible()
    qtbot.keyClicks(picker.pin_edit, "0000")
    qtbot.keyClick(picker.pin_edit, Qt.Key.Key_Return)
    assert controller.window is None and picker.error.isVisible()
    # Another mediator opens their own profile, which has no PIN.
    picker.list.setCurrentRow(0)
    assert not picker.pin_edit.isVisible()
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    assert controller.profile_id == alice


def test_settings_change_the_pin_and_the_profile_name(qtbot, controller, app_context):
    from app.ui.settings_dialog import SettingsDialog

    registry = app_context.registry
    alice = make_profile(registry, "Alice")
    registry.mark_used(alice)
    controller.start()
    window = controller.window
    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert isinstance(dialog, SettingsDialog)
    dialog.profile_name_edit.setText("Alice M.")
    qtbot.keyClicks(dialog.pin_edit, "12")
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.pin_error.isVisible()  # too short
    qtbot.keyClicks(dialog.pin_edit, "34")
    qtbot.keyClicks(dialog.pin_confirm, "1234")
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    reloaded = ProfileRegistry(app_context.data_dir)
    assert reloaded.get(alice).name == "Alice M."
    assert reloaded.check_pin(alice, "1234") and not reloaded.check_pin(alice, "0000")


def test_corrupt_database_is_explained_and_left_untouched(qtbot, controller, app_context):
    registry = app_context.registry
    alice = make_profile(registry, "Alice")
    registry.mark_used(alice)
    db = registry.db_path(alice)
    db.write_bytes(b"pas une base SQLite" * 200)
    before = db.read_bytes()

    controller.start()
    assert controller.window is None
    boxes = message_boxes()
    assert len(boxes) == 1 and "endommagé" in boxes[0].text()
    assert controller.exits == []  # Carnet waits for the mediator to read the message
    boxes[0].done(0)
    assert controller.exits == [EXIT_STORAGE_ERROR]
    assert db.read_bytes() == before


def _chattr(flag: str, folder: Path) -> bool:
    return subprocess.run(["chattr", flag, str(folder)], capture_output=True).returncode == 0


def test_read_only_data_folder_is_explained(qtbot, controller, app_context):
    registry = app_context.registry
    alice = make_profile(registry, "Alice")
    registry.mark_used(alice)
    db = registry.db_path(alice)
    before = db.read_bytes()
    folder = app_context.data_dir
    if os.geteuid() == 0:
        if not _chattr("+i", folder):
            pytest.skip("cannot make a folder read-only for root here")
    else:
        folder.chmod(0o500)
    try:
        controller.start()
        boxes = message_boxes()
        assert len(boxes) == 1 and "accessible en écriture" in boxes[0].text()
        boxes[0].done(0)
        assert controller.exits == [EXIT_STORAGE_ERROR]
    finally:
        if os.geteuid() == 0:
            _chattr("-i", folder)
        folder.chmod(0o700)
    assert db.read_bytes() == before


def test_corrupt_profile_when_switching_keeps_the_current_one(qtbot, controller, app_context):
    registry = app_context.registry
    alice = make_profile(registry, "Alice")
    bob = make_profile(registry, "Bob")
    registry.mark_used(alice)
    registry.db_path(bob).write_bytes(b"\x00" * 4096)
    controller.start()
    window = controller.window
    controller.switch_profile(bob)
    boxes = message_boxes()
    assert len(boxes) == 1 and "Carnet" in boxes[0].text()
    boxes[0].done(0)
    assert controller.window is window and controller.profile_id == alice
    assert controller.exits == []


RUN_SCRIPT = textwrap.dedent(
    """
    import gc
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    app = QApplication(sys.argv[:1])

    def answer():
        # Close whatever Carnet shows: the welcome (first start) or an error message.
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible():
                print("MESSAGE:", w.text())
                w.done(0)
                return
        window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow")
        print("TITLE:", window.windowTitle())
        print("GC:", gc.isenabled())  # paused by main() for the start, back once painted
        window.close()

    QTimer.singleShot(1500, answer)
    from app.__main__ import main
    sys.exit(main(sys.argv[1:]))
    """
)


def run_carnet(tmp_path: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", RUN_SCRIPT, "--data-dir", str(data_dir), "--log-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_python_m_app_starts_and_stops(tmp_path: Path):
    data_dir = tmp_path / "donnees"
    alice = make_profile(ProfileRegistry(data_dir), "Alice")
    result = run_carnet(tmp_path, data_dir)
    assert result.returncode == 0, result.stderr
    assert "TITLE: Carnet — Alice" in result.stdout
    assert "GC: True" in result.stdout
    assert (tmp_path / "carnet.log").exists()
    assert ProfileRegistry(data_dir).last_used == alice


def test_python_m_app_exits_2_on_a_corrupt_database(tmp_path: Path):
    data_dir = tmp_path / "donnees"
    registry = ProfileRegistry(data_dir)
    alice = make_profile(registry, "Alice")
    registry.mark_used(alice)
    registry.db_path(alice).write_bytes(b"abimee" * 1000)
    result = run_carnet(tmp_path, data_dir)
    assert result.returncode == EXIT_STORAGE_ERROR, result.stderr
    assert "MESSAGE:" in result.stdout and "endommagé" in result.stdout


# What the window needs to appear, and nothing else: these load later (after the first paint, on
# first use), so a start that imports them again is slower.
NOT_AT_START = (
    "sqlalchemy",  # the services' write side, warmed up on a thread
    "alembic",
    "hashlib",  # PIN hashing
    "logging.handlers",  # the log's rotation, set up with the services' warm-up
    "uuid",  # ids of new rows
    "app.models.communes",  # loaded on a thread once the window shows
    "app.ui.profile_dialogs",
    "app.ui.session_form",
    "app.ui.welcome",
    "app.ui.sync.desktop",  # the sync engine
    "dataclasses",  # the module ~3.5 ms, each class ~1.4 ms: the start's records are
    # NamedTuples or plain classes
    "queue",  # the sync worker's, made with its thread
    "locale",  # argparse's messages need it: the usual command lines are read without
    # argparse (app.__main__._quick_parse)
)

MODULES_SCRIPT = textwrap.dedent(
    """
    import sys
    from app.ui import startup_probe

    reported = startup_probe.StartupProbe._on_interactive

    def on_interactive(self):
        print("MODULES:", " ".join(sorted(sys.modules)))
        print("QT_NAMESPACE_AT_INTERACTIVE:", "Qt" in sys.modules["PySide6.QtCore"].__dict__)
        with open("/proc/self/maps") as maps:
            print("QT_SVG_LOADED:", any("libQt6Svg" in line for line in maps))
        reported(self)

    startup_probe.StartupProbe._on_interactive = on_interactive
    from app.ui import application

    finish_start = application.finish_start

    def finishing():
        print("FINISH_START: ran")
        finish_start()

    application.finish_start = finishing
    from app.__main__ import main
    sys.exit(main(sys.argv[1:]))
    """
)

FINISH_START_SCRIPT = textwrap.dedent(
    """
    import sys
    from app.ui.application import finish_start

    print("BEFORE:", "Qt" in sys.modules["PySide6.QtCore"].__dict__)
    finish_start()
    print("AFTER:", "Qt" in sys.modules["PySide6.QtCore"].__dict__)
    """
)


def test_start_loads_only_what_the_window_needs(tmp_path: Path):
    data_dir = tmp_path / "donnees"
    registry = ProfileRegistry(data_dir)
    alice = make_profile(registry, "Alice")
    registry.mark_used(alice)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CARNET_EXIT_WHEN_SHOWN": "1"}
    env["CARNET_IDLE_MS"] = "300"  # long enough for what waits for the window to run
    result = subprocess.run(
        [sys.executable, "-c", MODULES_SCRIPT, "--data-dir", str(data_dir)]
        + ["--log-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES:"))
    loaded = set(line.split()[1:])
    assert "app.ui.main_window" in loaded
    assert not [m for m in NOT_AT_START if m in loaded]
    # Python's Qt namespace (93 enum types built at once) waits for the window to be shown,
    # then finish_start builds it, right after.
    assert "QT_NAMESPACE_AT_INTERACTIVE: False" in result.stdout
    assert "FINISH_START: ran" in result.stdout
    # The window's icons are PNGs: Qt's SVG library and icon plug-in stay unloaded.
    assert "QT_SVG_LOADED: False" in result.stdout
    alone = subprocess.run(
        [sys.executable, "-c", FINISH_START_SCRIPT],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert alone.returncode == 0, alone.stderr
    assert alone.stdout.split() == ["BEFORE:", "False", "AFTER:", "True"]
