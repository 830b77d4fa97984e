"""Screenshots of the desktop sync (enrolment dialog, "Synchronisation" panel), offscreen.

A real hub runs on loopback (the end-to-end harness of tests/e2e); the notebook of
scripts/screenshots.py is linked to it, a second device of the same mediator edits a session
that this one edits too (a conflict), and a national code the hub no longer knows gets a change
refused. Called by scripts/screenshots.py with its filled notebook.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from app.services.notebook import Notebook


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("la capture de la synchronisation a attendu trop longtemps")
        QApplication.processEvents()
        time.sleep(0.01)


def capture(
    nb: Notebook,
    context: object,
    profile_id: str,
    out: Path,
    save: Callable[[QWidget, Path, str], Path],
    folder: Path,
) -> None:
    from sqlalchemy import select

    from app.models.entities import Accompagnement
    from app.ui.main_window import MainWindow
    from app.ui.sync.runtime import SyncRuntime, SyncTimings
    from hub.db import Database
    from hub.migrate import upgrade
    from tests.e2e.harness import Device, HubServer, NotebookTemplate
    from tests.sync.test_credentials import InMemoryKeyring
    from tests.ui.sync.helpers import retire_theme

    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'hub.db'}"
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    hub = HubServer(url, data_dir=folder, hub_name="Hub numérique Hauts-de-France")
    try:
        mediator = hub.new_mediator("Camille Dufour")
        context.sync = SyncRuntime(  # type: ignore[attr-defined]
            keyring_backend=InMemoryKeyring(),  # as the keyring of a desktop session
            timings=SyncTimings(start_delay_ms=0, after_change_ms=3_600_000),
        )
        window = MainWindow(nb, profile_id, context)  # type: ignore[arg-type]
        window.resize(1280, 760)
        window.show()
        controller = window.sync
        wait_for(lambda: controller.snapshot is not None or controller.unlinked_hint)

        # The dialog as the mediator fills it in (the address and code of a printed slip).
        dialog = controller.open_enrol_dialog()
        dialog.hub_edit.setText("https://hub.hautsdefrance.example")
        dialog.code_edit.setText("K7QM-4XPT")
        dialog.name_edit.setText("Portable médiathèque")
        wait_for(lambda: "trousseau" in dialog.keyring_label.text())
        dialog.resize(560, 420)
        save(dialog, out, "08-relier-au-hub")
        dialog.close()
        # Then linked for real, to the hub on loopback.
        controller.enrol(hub.url, hub.enrolment_code(mediator), "Portable médiathèque")
        wait_for(lambda: controller.last_report is not None and not controller.syncing)

        # A tablet of the same mediator edits a session that this laptop edits too.
        tablet = Device.create(folder, "tablette", template=NotebookTemplate(folder))
        tablet.enrol(hub, mediator)
        tablet.sync()
        with nb.session_factory() as db:
            rows = db.scalars(
                select(Accompagnement).where(Accompagnement.kind == "individuel")
            ).all()
            target = next(r.id for r in rows if r.notes)
            refused = next(r.id for r in rows if r.id != target)
        tablet.edit(target, notes="Compte Ameli créé ; revoir la messagerie sécurisée.")
        tablet.sync()
        current = nb.sessions.get(target)
        nb.sessions.update(
            target,
            dataclasses.replace(current, notes="Compte Ameli créé, attestation téléchargée."),
        )
        retire_theme(nb, refused)  # a national code the hub no longer knows
        window.refresh()
        controller.last_report = None
        controller.sync_now()
        wait_for(lambda: controller.last_report is not None and not controller.syncing)
        tablet.close()

        panel = controller.open_panel()
        wait_for(lambda: len(panel.cards) == 2)
        panel.resize(820, 900)
        save(panel, out, "09-synchronisation")
        panel.close()
        save(window, out, "10-etat-de-synchronisation")
        window.close()
    finally:
        hub.stop()
