"""The progress certificate: a real PDF, rendered to PNG by poppler, pseudonymous."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from app.services.certificate import certificate_data, render_certificate, write_certificate
from app.services.progress import Subject
from app.services.sessions import SessionInput
from app.services.training import TrainingError, seed_snapshot

CODE = "KRT-4MU"
PATH = "seed-demarches-securite"
NAME_IN_NOTES = "Josiane Dubreuil"

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="poppler-utils (pdftoppm, pdftotext) is installed by scripts/setup.sh",
)


@pytest.fixture
def data(notebook, venue_id):
    nb = notebook
    nb.settings.set("display_name", "Camille Martin")
    training = nb.training
    training.apply_catalogue(seed_snapshot())
    # A careless note with a name: it must never reach the certificate.
    sid = nb.sessions.record(
        SessionInput(
            venue_id=venue_id,
            themes=["securite_numerique"],
            followup_code=CODE,
            date=dt.date(2025, 3, 3),
            notes=f"Mme {NAME_IN_NOTES}, a oublié son mot de passe",
        )
    )
    person = Subject.person(CODE)
    training.enrol(person, PATH, occurred_on=dt.date(2025, 3, 3), level_before={"4.1": 1})
    for n, day in ((1, dt.date(2025, 3, 3)), (3, dt.date(2025, 3, 17))):
        training.record(
            person,
            PATH,
            f"{PATH}-{n:02d}",
            "done",
            occurred_on=day,
            session_id=sid,
            level_after={"4.1": n},
        )
    return certificate_data(
        training,
        person,
        PATH,
        venue="Centre social Albert Camus (Lille)",
        mediator_name=nb.settings.display_name,
        issued_on=dt.date(2025, 3, 20),
    )


def test_certificate_data(data):
    assert data.code == CODE and data.done_count == 2 and len(data.modules) == 6
    assert [m.done_on for m in data.modules[:3]] == [
        dt.date(2025, 3, 3),
        None,
        dt.date(2025, 3, 17),
    ]
    comps = {c.code: c for c in data.competences}
    assert (comps["4.1"].first_level, comps["4.1"].latest_level, comps["4.1"].target_level) == (
        1,
        3,
        2,
    )
    assert set(comps) == {"1.1", "1.2", "2.1", "3.3", "4.1", "4.2", "5.2"}


def test_no_certificate_without_progress(notebook):
    notebook.training.apply_catalogue(seed_snapshot())
    with pytest.raises(TrainingError, match="Aucun progrès"):
        certificate_data(notebook.training, Subject.person(CODE), PATH, "", "")


@needs_poppler
def test_certificate_pdf_renders_and_is_pseudonymous(data, tmp_path: Path, qapp):
    from PySide6.QtGui import QColor, QImage

    pdf = tmp_path / "attestation.pdf"
    write_certificate(data, pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert render_certificate(data) == pdf.read_bytes()  # deterministic output

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert CODE in text
    assert "Nom (à compléter à la main)" in text
    assert "Faire ses démarches en ligne en sécurité" in text
    assert "Modules validés : 2 sur 6" in text
    assert "17/03/2025" in text and "Niveau 3" in text
    assert "Camille Martin" in text and "Centre social Albert Camus" in text
    assert NAME_IN_NOTES not in text and "mot de passe" not in text.split("Modules")[0]

    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    image = QImage(str(tmp_path / "page.png"))
    assert not image.isNull() and image.width() > 300 and image.height() > 400
    dark = accent = 0
    total = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            color = QColor(image.pixel(x, y))
            total += 1
            if color.lightness() < 200:
                dark += 1
            if color.blue() > 150 and color.red() < 90 and color.green() < 120:
                accent += 1
    assert 0.02 < dark / total < 0.5, "the page has text and tables, and is not a black block"
    assert accent / total > 0.005, "the title and table headers are in the accent colour"
