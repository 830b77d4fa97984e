"""Hooks into the main window: the "Synchronisation" menu, the toolbar button, the status
indicator and the window's SyncController.

The main window calls ``install_sync(window)`` once its menus, toolbar and status bar exist.
Light at import time: the enrolment dialog, the panel, the engine and the network libraries load
when first needed, on a worker thread for the heavy ones.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from app.ui.icons import icon
from app.ui.sync.controller import SyncController
from app.ui.sync.runtime import SyncRuntime
from app.ui.sync.status import SyncStatusButton


def install_sync(window: QMainWindow) -> SyncController:
    """Add the sync to a MainWindow (which has ``notebook``, ``profile_id`` and ``context``);
    a window that already has it keeps it. Returns the window's controller."""
    existing = getattr(window, "sync", None)
    if isinstance(existing, SyncController):
        return existing
    notebook = window.notebook  # type: ignore[attr-defined]
    context = window.context  # type: ignore[attr-defined]
    runtime = getattr(context, "sync", None)
    if not isinstance(runtime, SyncRuntime):
        runtime = SyncRuntime()
    controller = SyncController(window, notebook, window.profile_id, runtime)  # type: ignore[attr-defined]

    sync_action = QAction(
        icon("sync"), QCoreApplication.translate("SyncShell", "Synchronise"), window
    )
    sync_action.setObjectName("syncAction")
    sync_action.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
    tip = QCoreApplication.translate(
        "SyncShell", "Send your changes to the hub and receive the others (F5)"
    )
    sync_action.setToolTip(tip)
    sync_action.setStatusTip(tip)
    sync_action.triggered.connect(lambda: controller.sync_now())
    panel_action = QAction(
        QCoreApplication.translate("SyncShell", "Synchronisation panel…"), window
    )
    panel_action.setObjectName("syncPanelAction")
    panel_action.triggered.connect(controller.open_panel)
    enrol_action = QAction(QCoreApplication.translate("SyncShell", "Link to a hub…"), window)
    enrol_action.setObjectName("syncEnrolAction")
    enrol_action.triggered.connect(controller.open_enrol_dialog)

    bar = window.menuBar()
    menu = bar.addMenu(QCoreApplication.translate("SyncShell", "S&ynchronisation"))
    menu.addAction(sync_action)
    menu.addAction(panel_action)
    menu.addSeparator()
    menu.addAction(enrol_action)
    profile_menu = getattr(window, "profile_menu", None)
    if profile_menu is not None:  # keep Profile and Help last
        bar.insertMenu(profile_menu.menuAction(), menu)

    toolbar = getattr(window, "toolbar", None)
    if toolbar is not None:
        actions = toolbar.actions()
        anchor = getattr(window, "training_action", None) or getattr(window, "person_action", None)
        after = actions.index(anchor) + 1 if anchor in actions else len(actions)
        if after < len(actions):
            toolbar.insertAction(actions[after], sync_action)
        else:
            toolbar.addAction(sync_action)

    status = window.statusBar()
    indicator = SyncStatusButton(controller, status)  # made with its final parent
    pending_label = getattr(window, "pending_label", None)
    if pending_label is not None:
        pending_label.setVisible(False)  # the indicator says it, with the hub's side
    status.addPermanentWidget(indicator.progress_bar)
    status.addPermanentWidget(indicator)
    signal = getattr(window, "sig_pending_changed", None)
    if signal is not None:
        signal.connect(controller.on_pending_changed)
    controller.on_pending_changed(notebook.reader.pending_changes())
    controller.sync_action = sync_action
    controller.indicator = indicator
    # After the window is shown and its services are warming up (AppController._warm_up).
    controller.start_later(runtime.timings.start_delay_ms)
    return controller
