"""Exports: CSV for Excel, XLSX read back, the PDF report rendered, progress, errors, no partial file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.services.exports import (
    SESSION_COLUMNS,
    ExportCancelled,
    ExportError,
    ExportService,
)
from app.services.sessions import SessionInput
from app.services.stats import BREAKDOWNS, StatsService

D = dt.date
JAN = (D(2025, 1, 1), D(2025, 1, 31))
CODE = "KRT-4MX"


@pytest.fixture
def filled(notebook, venue_id):
    """Three live sessions in January, one deleted, one in February."""
    from app.services import followup_codes

    code = followup_codes.new_code()
    rec = notebook.sessions.record
    rec(
        SessionInput(
            venue_id=venue_id,
            date=D(2025, 1, 6),
            duration_min=45,
            themes=["aide_aux_demarches_administratives", "logement", "email"],
            demarche_name="Demande APL",
            materiels=["ordinateur", "telephone"],
            autonomy="partiellement_autonome",
            oriented=True,
            orientation="aide_sociale",
            followup_code=code,
            genre="feminin",
            age_bracket="soixante_dix_plus",
            statut="retraite",
            residence_name="Roubaix",
            residence_insee="59512",
            tags=["Pass numérique"],
            notes='=HYPERLINK("http://exemple") rappeler jeudi',
        )
    )
    rec(
        SessionInput(
            kind="collectif",
            venue_id=venue_id,
            date=D(2025, 1, 9),
            duration_min=120,
            themes=["securite_numerique"],
            materiels=["ordinateur"],
            workshop_title="Sécuriser son smartphone",
            workshop_level="debutant",
            participants=7,
            participants_returning=2,
            counters={"genre": {"feminin": 4, "masculin": 2}},
        )
    )
    rec(
        SessionInput(
            place_type="a_distance",
            date=D(2025, 1, 2),
            duration_min=15,
            themes=["sante"],
        )
    )
    gone = rec(SessionInput(venue_id=venue_id, date=D(2025, 1, 3), themes=["email"]))
    notebook.sessions.delete(gone)
    rec(SessionInput(venue_id=venue_id, date=D(2025, 2, 3), themes=["email"]))
    return {"code": code}


@pytest.fixture
def exports(notebook) -> ExportService:
    return ExportService(notebook.session_factory)


def _no_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_csv_is_excel_friendly_with_the_national_column_order(exports, filled, tmp_path):
    target = tmp_path / "activites.csv"
    assert exports.sessions_csv(target, *JAN) == 3
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads the accents
    assert b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert tuple(rows[0]) == SESSION_COLUMNS
    assert rows[0][:6] == [
        "Date",
        "Type",
        "Nombre de participants",
        "Code de suivi",
        "Canaux d'accompagnement",
        "Lieu",
    ]
    body = rows[1:]
    # Oldest first, ISO dates, the deleted session and February left out.
    assert [r[0] for r in body] == ["2025-01-02", "2025-01-06", "2025-01-09"]
    col = {name: i for i, name in enumerate(SESSION_COLUMNS)}
    remote, individual, workshop = body
    assert remote[col["Canaux d'accompagnement"]] == "À distance"
    assert remote[col["Genre du bénéficiaire"]] == "Non communiqué"
    assert individual[col["Type"]] == "Accompagnement individuel"
    assert individual[col["Code de suivi"]] == filled["code"]
    assert individual[col["Lieu"]] == "Centre social Albert Camus"
    assert individual[col["Code postal"]] == "59000"
    assert individual[col["Thématique(s) d'accompagnement"]] == (
        "E-mail ; Aide aux démarches administratives ; Logement"
    )
    assert individual[col["Matériel numérique utilisé"]] == "Ordinateur ; Téléphone"
    assert individual[col["Niveau d'autonomie du bénéficiaire"]] == (
        "Autonome avec guidage en cas de besoin (2/3)"
    )
    assert individual[col["Le bénéficiaire est-il orienté vers une autre structure ?"]] == "Oui"
    assert individual[col["Tranche d'âge du bénéficiaire"]] == "70 ans et plus"
    assert individual[col["Étiquettes"]] == "Pass numérique"
    assert workshop[col["Nombre de participants"]] == "7"
    assert workshop[col["Niveau de l'atelier"]] == "Débutant"
    assert workshop[col["Genre du bénéficiaire"]] == (
        "Masculin : 2 ; Féminin : 4 ; Non communiqué : 1"
    )
    assert workshop[col["Participants déjà accompagnés"]] == "2"


def test_xlsx_reads_back_with_real_dates(exports, filled, tmp_path):
    target = tmp_path / "activites.xlsx"
    assert exports.sessions_xlsx(target, *JAN) == 3
    ws = load_workbook(target)["Activités"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == SESSION_COLUMNS
    assert rows[1][0] == dt.datetime(2025, 1, 2)  # a date cell, shown as yyyy-mm-dd
    assert ws["A2"].number_format == "yyyy-mm-dd"
    individual = rows[2]
    themes = individual[SESSION_COLUMNS.index("Thématique(s) d'accompagnement")]
    assert themes == "E-mail\nAide aux démarches administratives\nLogement"
    # A note that looks like a formula stays text in Excel.
    notes = individual[SESSION_COLUMNS.index("Notes supplémentaires")]
    assert notes.startswith("'=HYPERLINK")
    assert ws.auto_filter.ref == "A1:Z4"


def test_stats_xlsx_has_a_sheet_per_breakdown(notebook, exports, filled, tmp_path):
    report = StatsService(notebook.session_factory).compute(*JAN)
    target = tmp_path / "statistiques.xlsx"
    exports.stats_xlsx(report, target)
    wb = load_workbook(target)
    assert wb.sheetnames[:2] == ["Synthèse", "Évolution mensuelle"]
    assert len(wb.sheetnames) == 2 + len(BREAKDOWNS)
    summary = {r[0]: r[1] for r in wb["Synthèse"].iter_rows(values_only=True) if r and r[0]}
    # 1 + 7 + 1 accompagnements; 45 + 120 + 15 minutes = 3 h.
    assert summary["Accompagnements"] == 9
    assert summary["Heures d'accompagnement"] == 3.0
    genre = {r[0]: r[1] for r in wb["Genre"].iter_rows(min_row=5, values_only=True)}
    assert genre == {"Masculin": 2, "Féminin": 5, "Non communiqué": 2}
    trend = list(wb["Évolution mensuelle"].iter_rows(values_only=True))
    assert trend == [("Mois", "Activités", "Accompagnements", "Heures"), ("2025-01", 3, 9, 3.0)]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (scripts/setup.sh)")
def test_pdf_report_renders_with_charts_and_no_personal_data(notebook, exports, filled, tmp_path):
    from PIL import Image

    report = StatsService(notebook.session_factory).compute(*JAN)
    target = tmp_path / "bilan.pdf"
    steps: list[tuple[int, int]] = []
    exports.stats_pdf(
        report,
        target,
        author="Camille Martin",
        structure="Centre social",
        progress=lambda d, t: steps.append((d, t)),
    )
    assert target.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(target), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    first = Image.open(pages[0]).convert("L")
    histogram = first.histogram()
    inked = sum(histogram[:200])  # pixels clearly darker than the white page
    assert inked > 0.02 * first.width * first.height
    text = subprocess.run(
        ["pdftotext", str(target), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Bilan d'activité de médiation numérique" in text
    assert "Du 1er janvier 2025 au 31 janvier 2025" in text
    assert "Camille Martin" in text
    # Pseudonymous: neither the follow-up code nor the note appears.
    assert filled["code"] not in text and "HYPERLINK" not in text
    assert steps[-1][0] == steps[-1][1] and len(steps) >= 5


def test_progress_is_reported_and_cancel_leaves_nothing(exports, filled, tmp_path):
    seen: list[tuple[int, int]] = []
    exports.sessions_csv(tmp_path / "a.csv", *JAN, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    target = tmp_path / "b.xlsx"
    with pytest.raises(ExportCancelled):
        exports.sessions_xlsx(target, *JAN, cancelled=lambda: True)
    assert not target.exists() and _no_leftovers(tmp_path) == []


def test_a_cancelled_export_of_an_empty_period_writes_nothing(exports, filled, tmp_path):
    empty = (dt.date(2019, 1, 1), dt.date(2019, 1, 31))
    for name, export in (("a.csv", exports.sessions_csv), ("a.xlsx", exports.sessions_xlsx)):
        with pytest.raises(ExportCancelled):
            export(tmp_path / name, *empty, cancelled=lambda: True)
        assert not (tmp_path / name).exists()
    assert _no_leftovers(tmp_path) == []
    assert exports.sessions_csv(tmp_path / "b.csv", *empty) == 0  # not cancelled: written


def test_a_failed_export_keeps_the_previous_file(exports, filled, tmp_path):
    target = tmp_path / "activites.csv"
    target.write_text("ancienne version", encoding="utf-8")
    with pytest.raises(ExportCancelled):
        exports.sessions_csv(target, *JAN, cancelled=lambda: True)
    assert target.read_text(encoding="utf-8") == "ancienne version"
    assert _no_leftovers(tmp_path) == []


def test_unwritable_or_missing_folder_gives_a_french_error(exports, filled, tmp_path):
    with pytest.raises(ExportError) as missing:
        exports.sessions_csv(tmp_path / "absent" / "a.csv", *JAN)
    assert "n'existe pas" in missing.value.message
    # /sys refuses new files, even to root.
    with pytest.raises(ExportError) as refused:
        exports.sessions_xlsx(Path("/sys/carnet-export.xlsx"), *JAN)
    assert "Impossible d'écrire" in refused.value.message or "n'a pas été" in refused.value.message
    a_file = tmp_path / "fichier"
    a_file.write_text("x")
    with pytest.raises(ExportError) as not_a_folder:
        exports.sessions_csv(a_file / "a.csv", *JAN)
    assert "Impossible d'écrire" in not_a_folder.value.message


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_full_disk_gives_a_french_error_and_no_partial_file(tmp_path):
    """A real write failure: the export runs in a child process whose file size limit is 64 KB."""
    from bench.datagen import generate_notebook

    db = tmp_path / "carnet.db"
    generate_notebook(db, 1500, seed=1, years=1)
    out = tmp_path / "exports"
    out.mkdir()
    script = textwrap.dedent(
        f"""
        import datetime as dt, resource, signal
        from pathlib import Path
        from app.models.db import make_engine, make_session_factory
        from app.services.exports import ExportError, ExportService

        sf = make_session_factory(make_engine({str(db)!r}))
        ExportService(sf).count_sessions(dt.date(2000, 1, 1), dt.date.today())  # opens the db
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))
        try:
            ExportService(sf).sessions_csv(
                Path({str(out / "activites.csv")!r}), dt.date(2000, 1, 1), dt.date.today()
            )
        except ExportError as err:
            print(err.message)
        """
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Le disque est plein")
    assert list(out.iterdir()) == []
