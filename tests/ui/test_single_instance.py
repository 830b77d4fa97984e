"""One Carnet per notebook: a profile open in one Carnet cannot be opened by a second one (the
sync engine assumes it is the only writer of its notebook); a lock left by a crashed Carnet is
taken over."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.services.profiles import ProfileRegistry
from app.ui.application import LOCK_SUFFIX, AppController
from app.ui.context import AppContext
from app.ui.i18n import install_translators
from app.ui.profile_dialogs import ProfilePickerDialog
from tests.ui.test_application import make_profile

pytestmark = pytest.mark.usefixtures("close_leftover_windows")

ALREADY_OPEN = "Ce profil est déjà ouvert dans une autre fenêtre de Carnet."


@pytest.fixture
def french(qapp):
    translators = install_translators(qapp, "fr")
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


@pytest.fixture
def controllers(qtbot, app_context, french):
    """Two Carnet controllers on the same data folder, as two processes would be."""
    made: list[AppController] = []

    def make() -> AppController:
        # Each has its own registry, as a second process reading profiles.json would.
        context = AppContext(
            app_context.data_dir,
            app_context.log_file,
            ProfileRegistry(app_context.data_dir),
            app_context.communes,
        )
        ctrl = AppController(context)
        exits: list[int] = []
        ctrl.sig_exit.connect(exits.append)
        ctrl.exits = exits  # type: ignore[attr-defined]
        made.append(ctrl)
        return ctrl

    yield make
    for ctrl in made:
        if ctrl.window is not None:
            ctrl.window.close()
        ctrl.shutdown()


def _answer(qtbot, box: object) -> None:
    assert isinstance(box, QMessageBox)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_a_second_carnet_on_the_same_profile_explains_and_stops(qtbot, controllers, app_context):
    profile = make_profile(app_context.registry, "Camille")
    first, second = controllers(), controllers()
    first.start()
    assert first.notebook is not None and first.profile_id == profile

    second.start()
    box = second.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text() == ALREADY_OPEN
    assert "va se fermer" in box.informativeText()
    assert second.notebook is None and second.window is None
    _answer(qtbot, box)
    assert second.exits == [0]  # nothing else to offer: this Carnet stops
    assert first.notebook is not None and first.window is not None and first.window.isVisible()

    # Once the first Carnet is closed, the profile opens anywhere.
    first.window.close()
    first.shutdown()
    assert second.open_profile(profile)
    assert second.notebook is not None


def test_another_profile_is_offered_at_start(qtbot, controllers, app_context):
    busy = make_profile(app_context.registry, "Camille")
    other = make_profile(app_context.registry, "Dominique")
    app_context.registry.mark_used(busy)
    first, second = controllers(), controllers()
    assert first.open_profile(busy)

    second.start()
    box = second.dialog
    assert isinstance(box, QMessageBox) and box.text() == ALREADY_OPEN
    assert "autre profil" in box.informativeText()
    _answer(qtbot, box)
    picker = second.dialog
    assert isinstance(picker, ProfilePickerDialog) and picker.isVisible()
    assert second.exits == []
    picker.sig_profile_chosen.emit(other)
    assert second.profile_id == other and second.notebook is not None


def test_switching_to_a_profile_open_elsewhere_keeps_the_current_one(
    qtbot, controllers, app_context
):
    mine = make_profile(app_context.registry, "Camille")
    theirs = make_profile(app_context.registry, "Dominique")
    first, second = controllers(), controllers()
    assert first.open_profile(theirs)
    assert second.open_profile(mine)
    window = second.window

    second.switch_profile(theirs)
    box = second.dialog
    assert isinstance(box, QMessageBox) and box.text() == ALREADY_OPEN
    assert box.parent() is window
    _answer(qtbot, box)
    assert second.profile_id == mine and second.window is window and window.isVisible()
    assert second.exits == []
    # The same the other way round: the second Carnet holds its profile.
    first.switch_profile(mine)
    assert first.profile_id == theirs
    _answer(qtbot, first.dialog)


def test_a_lock_left_by_a_crashed_carnet_is_taken_over(qtbot, controllers, app_context):
    profile = make_profile(app_context.registry, "Camille")
    lock_path = str(app_context.registry.db_path(profile)) + LOCK_SUFFIX
    # A Carnet process takes the lock, then is killed without any clean-up.
    script = textwrap.dedent(
        f"""
        import os, signal
        from PySide6.QtCore import QLockFile
        lock = QLockFile({lock_path!r})
        lock.setStaleLockTime(0)
        assert lock.tryLock(0)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    crashed = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert crashed.returncode == -9
    with open(lock_path, encoding="utf-8") as fh:
        assert fh.readline().strip() != ""  # the dead process's id is still in the file

    ctrl = controllers()
    assert ctrl.open_profile(profile)
    assert ctrl.notebook is not None and ctrl.window is not None
