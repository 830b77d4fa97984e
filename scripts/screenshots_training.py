#!/usr/bin/env python3
"""Screenshots of the training views (parcours), offscreen, under docs/screenshots/.

Called by scripts/screenshots.py with its filled notebook; also runs on its own (a fresh
notebook filled the same way):
    .venv/bin/python scripts/screenshots_training.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.services.notebook import Notebook  # noqa: E402
from app.services.progress import Subject  # noqa: E402

SMARTPHONE = "seed-debuter-smartphone"
DEMARCHES = "seed-demarches-securite"
SANTE = "seed-mon-espace-sante"
FACILITATEUR = "seed-devenir-facilitateur"


def _m(path_id: str, n: int) -> str:
    return f"{path_id}-{n:02d}"


def fill_training(nb: Notebook, followed: str, today: dt.date) -> str:
    """Progress for the followed person, a workshop group and the mediator; returns the
    workshop group's id."""
    training = nb.training
    training.install_samples()
    person = Subject.person(followed)
    sessions = sorted(training.sessions_for(person), key=lambda s: s.date)
    first = sessions[0]
    training.enrol(
        person,
        SMARTPHONE,
        occurred_on=first.date,
        session_id=first.id,
        level_before={"5.2": 1, "2.1": 1},
    )
    levels = [{"5.2": 1}, {"5.1": 1, "5.2": 2}, {"2.1": 2}, {"1.1": 1, "5.2": 2}]
    for n, session in enumerate(sessions[:4], start=1):
        training.record(
            person,
            SMARTPHONE,
            _m(SMARTPHONE, n),
            "done",
            occurred_on=session.date,
            session_id=session.id,
            level_after=levels[n - 1],
        )
    training.record(
        person, SMARTPHONE, _m(SMARTPHONE, 5), "started", sessions[4].date, sessions[4].id
    )
    training.enrol(person, DEMARCHES, occurred_on=sessions[5].date, level_before={"4.1": 1})
    training.record(
        person,
        DEMARCHES,
        _m(DEMARCHES, 1),
        "done",
        occurred_on=sessions[5].date,
        session_id=sessions[5].id,
        level_after={"4.1": 2, "2.1": 3},
    )

    workshop = next(w for w in training.workshops() if w.title == "Mon Espace Santé")
    group = Subject.workshop(workshop.id)
    training.enrol(group, SANTE, occurred_on=workshop.date, session_id=workshop.id)
    members = [nb.beneficiaries.new_code() for _ in range(3)]
    for code in members:
        training.enrol_member(workshop.id, code, SANTE)
    for n in (1, 2):
        training.record_group(
            workshop.id, SANTE, _m(SANTE, n), "done", members[: 4 - n], workshop.date, workshop.id
        )
    training.record_group(workshop.id, SANTE, _m(SANTE, 3), "started", members[:1], today)

    me = Subject.myself()
    start = today - dt.timedelta(days=120)
    training.enrol(me, FACILITATEUR, occurred_on=start, level_before={"2.4": 2, "4.1": 2})
    training.record(me, FACILITATEUR, _m(FACILITATEUR, 1), "done", start, level_after={"2.4": 3})
    training.record(
        me,
        FACILITATEUR,
        _m(FACILITATEUR, 4),
        "done",
        today - dt.timedelta(days=30),
        level_after={"4.1": 4, "4.2": 3},
    )
    return workshop.id


def capture(
    nb: Notebook,
    window: QWidget,
    followed: str,
    out: Path,
    save: Callable[[QWidget, Path, str], Path],
    today: dt.date,
) -> None:
    """Fill the training data, then save the training screens next to the others."""
    from app.services.certificate import certificate_data, write_certificate
    from app.ui.training.person_section import install_training_section
    from app.ui.training.shell import open_training_window

    workshop_id = fill_training(nb, followed, today)

    page = window.open_person_page(followed)  # type: ignore[attr-defined]
    install_training_section(page, nb)  # already there when the shell installs it
    page.resize(1040, 1120)
    save(page, out, "parcours-1-page-personne")
    page.close()

    training_window = open_training_window(window, nb)  # type: ignore[arg-type]
    training_window.resize(1180, 760)
    catalogue = training_window.catalogue
    row = next(
        i
        for i in range(catalogue.path_list.count())
        if catalogue.path_list.item(i).text() == "Faire ses démarches en ligne en sécurité"
    )
    catalogue.path_list.setCurrentRow(row)
    save(training_window, out, "parcours-2-catalogue")

    training_window.show_tab("mine")
    training_window.mine.reload()
    training_window.resize(1180, 940)
    save(training_window, out, "parcours-3-ma-formation")
    training_window.resize(1180, 760)

    training_window.show_tab("groups")
    groups = training_window.groups
    groups.reload(workshop_id)
    save(training_window, out, "parcours-4-groupe-atelier")

    training_window.show_tab("catalogue")
    editor = catalogue.open_new()
    editor.title_edit.setText("Réparer et entretenir son ordinateur")
    form = editor.module_form
    form.title_edit.setText("Libérer de la place sur le disque")
    form.objective_edit.setPlainText(
        "Trouver les gros fichiers, vider la corbeille, désinstaller ce qui ne sert plus."
    )
    form.duration_spin.setValue(60)
    form.target_spins["5.1"].setValue(2)
    form.target_spins["1.2"].setValue(1)
    editor.resize(1040, 760)
    save(editor, out, "parcours-5-editeur")
    editor.reject()
    training_window.close()

    pdf = Path(tempfile.mkdtemp(prefix="carnet-attestation-")) / "attestation.pdf"
    venue = nb.venues.list()[0].display
    data = certificate_data(
        nb.training,
        Subject.person(followed),
        SMARTPHONE,
        venue,
        nb.settings.display_name,
        today,
    )
    write_certificate(data, pdf)
    if shutil.which("pdftoppm"):
        target = out / "parcours-6-attestation"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(target)], check=True
        )
        print(f"  {target.with_suffix('.png')}")
    shutil.rmtree(pdf.parent, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    spec = importlib.util.spec_from_file_location(
        "screenshots", ROOT / "scripts" / "screenshots.py"
    )
    assert spec is not None and spec.loader is not None
    shots = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shots)

    from app.services.notebook import open_notebook
    from app.services.profiles import ProfileRegistry
    from app.ui.application import apply_style
    from app.ui.context import AppContext
    from app.ui.i18n import install_translators
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    translators = install_translators(app, "fr")  # noqa: F841 (kept alive)
    apply_style(app)
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="carnet-captures-") as tmp:
        data_dir = Path(tmp)
        registry = ProfileRegistry(data_dir)
        context = AppContext(data_dir, data_dir / "journal" / "carnet.log", registry)
        profile = registry.create("Camille Dufour")
        nb = open_notebook(registry.db_path(profile.id))
        followed = shots.fill_notebook(nb, today)
        window = MainWindow(nb, profile.id, context)
        capture(nb, window, followed, out, shots.save, today)
        window.close()
        nb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
