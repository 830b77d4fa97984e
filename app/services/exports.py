"""Exports: sessions to CSV and XLSX, statistics to XLSX, and the period's PDF report.

- **Columns** follow the order of the national "export des activités" of the Coop de la médiation
  numérique (Date, Type, Nombre de participants, Bénéficiaire, Canaux d'accompagnement, Lieu,
  Durée, Nom de l'atelier, Matériel, Thématiques, Démarche, Autonomie, Niveau de l'atelier,
  Orientation, Structure de redirection, Commune de résidence, Genre, Tranche d'âge, Statut,
  Notes), with Carnet's differences: the person is a pseudonymous follow-up code, never a name;
  the place is split into name, postal code and commune (easier to sort and count); the national
  "La démarche est-elle finalisée ?" is not recorded by Carnet, so it is left out; Carnet's own
  fields (tags, the workshop's "déjà accompagnés" counter, the commune's INSEE code, the id)
  come last. French labels, never codes; dates in ISO form (2025-01-31).
- **CSV** is written for Excel on Windows, where most funders open it: UTF-8 *with* a byte-order
  mark (without it Excel reads the accents as Windows-1252), ``;`` as separator (Excel's default
  in a French locale, where ``,`` is the decimal mark) and CRLF line ends. LibreOffice and Python's
  ``csv`` read it as well (``encoding="utf-8-sig"``). Multi-valued cells join with `` ; ``.
- **Safety**: each export writes a temporary file beside the target and renames it over the
  target (``os.replace``) only once complete: a full disk, an unwritable folder or a cancel leave
  no half-written file, and the error is a French sentence (ExportError).
- **Progress**: every export takes ``progress(done, total)`` and ``cancelled() -> bool``, so the UI
  runs it on a worker thread and shows a progress dialog with a Cancel button.
- **Privacy**: the PDF report is pseudonymous: figures only, no follow-up code, no note, no free
  text typed about a person.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from app.models import referentiels as ref
from app.models.entities import split_codes
from app.services.stats import (
    COUNTER_GROUPS,
    COUNTING_RULES,
    StatsFilter,
    StatsReport,
    describe_filters,
    filter_conditions,
)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

SESSION_COLUMNS: tuple[str, ...] = (
    "Date",
    "Type",
    "Nombre de participants",
    "Code de suivi",
    "Canaux d'accompagnement",
    "Lieu",
    "Code postal",
    "Commune",
    "Durée (min)",
    "Nom de l'atelier",
    "Matériel numérique utilisé",
    "Thématique(s) d'accompagnement",
    "Nom de la démarche administrative",
    "Niveau d'autonomie du bénéficiaire",
    "Niveau de l'atelier",
    "Le bénéficiaire est-il orienté vers une autre structure ?",
    "Structure de redirection",
    "Commune de résidence du bénéficiaire",
    "Genre du bénéficiaire",
    "Tranche d'âge du bénéficiaire",
    "Statut du bénéficiaire",
    "Notes supplémentaires",
    "Étiquettes",
    "Participants déjà accompagnés",
    "Code INSEE de la commune",
    "Identifiant",
)
CSV_SEPARATOR = ";"
CSV_MULTI = " ; "
XLSX_MULTI = "\n"  # a line break inside the cell, as the national export does

_BATCH = 1000


class ExportError(Exception):
    """An export that could not be written; ``message`` is French and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ExportCancelled(Exception):
    """The user cancelled: nothing was written."""


def error_message(exc: OSError, path: Path) -> str:
    """The French explanation of a failed write."""
    folder = path.parent
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (
            f"Le disque est plein : le fichier « {path.name} » n'a pas été enregistré. "
            "Libérez de la place ou choisissez un autre emplacement (une clé USB, par exemple), "
            "puis relancez l'export."
        )
    if exc.errno == errno.ENOENT:
        return (
            f"Le dossier « {folder} » n'existe pas (ou plus) : le fichier n'a pas été enregistré. "
            "Choisissez un autre dossier."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR):
        return (
            f"Impossible d'écrire dans « {folder} » : le fichier n'a pas été enregistré. "
            "Choisissez un dossier où vous pouvez enregistrer (Documents, par exemple)."
        )
    if isinstance(exc, PermissionError):
        return (
            f"Le fichier « {path.name} » est peut-être ouvert dans un autre logiciel (Excel…). "
            "Fermez-le puis relancez l'export."
        )
    return f"Le fichier « {path.name} » n'a pas pu être enregistré ({exc.strerror or exc})."


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the target's folder, then rename it over the target."""
    path = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise ExportError(error_message(exc, path)) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(error_message(exc, path)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ExportCancelled()


def _noop(_done: int, _total: int) -> None:
    return None


def default_filename(what: str, date_from: dt.date, date_to: dt.date, suffix: str) -> str:
    """``carnet-activites-2025-01-01_2025-12-31.xlsx``: sorts by period in a folder."""
    return f"carnet-{what}-{date_from.isoformat()}_{date_to.isoformat()}.{suffix}"


# ---- sessions ----------------------------------------------------------------------------------

_SESSIONS_SQL = """
SELECT a.id, a.date, a.kind, a.participants, b.code, a.place_type, v.name, a.postal_code,
  a.commune_name, a.duration_min, a.workshop_title, a.materiels, a.themes, a.demarche_name,
  a.autonomy, a.workshop_level, a.oriented, a.orientation, a.residence_name, a.genre,
  a.age_bracket, a.statut, a.notes, a.tags, a.participants_returning, a.commune_insee, a.counters
FROM accompagnement a
LEFT JOIN venue v ON v.id = a.venue_id
LEFT JOIN beneficiary b ON b.id = a.beneficiary_id
WHERE {where}
ORDER BY a.date, a.created_at, a.id
"""


def _session_where(
    date_from: dt.date, date_to: dt.date, flt: StatsFilter | None
) -> tuple[str, dict[str, Any]]:
    flt = flt or StatsFilter()
    where = ["a.deleted_at IS NULL", "a.date BETWEEN :date_from AND :date_to"]
    params: dict[str, Any] = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    where += filter_conditions(flt, params, "a.")
    return " AND ".join(where), params


def _labels(table: dict[str, str], codes_text: str | None, joiner: str) -> str:
    return joiner.join(ref.label(table, c) for c in split_codes(codes_text))


def _counters_cell(counters_json: str | None, group: str, participants: int, joiner: str) -> str:
    """A workshop's counters as text: « Féminin : 3 ; Non communiqué : 2 »."""
    try:
        counters = json.loads(counters_json) if counters_json else {}
    except ValueError:
        counters = {}
    counts = counters.get(group) if isinstance(counters, dict) else None
    counts = counts if isinstance(counts, dict) else {}
    table = COUNTER_GROUPS[group]
    parts = []
    known = 0
    for code in table:
        n = counts.get(code)
        if isinstance(n, int) and n > 0 and code != ref.NON_COMMUNIQUE:
            parts.append(f"{table[code]} : {n}")
            known += n
    if participants - known > 0:
        parts.append(f"Non communiqué : {participants - known}")
    return joiner.join(parts)


def session_cells(r: Sequence[Any], joiner: str) -> list[Any]:
    """One exported line, in SESSION_COLUMNS order. Dates stay ``date`` objects."""
    individual = r[2] == "individuel"
    participants = 1 if individual else (r[3] or 0)
    themes = split_codes(r[12])
    autonomy = ""
    if r[14]:
        score = ref.AUTONOMY_SCORE.get(r[14])
        autonomy = ref.label(ref.AUTONOMIES, r[14]) + (f" ({score}/3)" if score else "")
    if individual:
        oriented = "" if r[16] is None else ("Oui" if r[16] else "Non")
        genre = ref.label(ref.GENRES, r[19])
        age = ref.label(ref.TRANCHES_AGE, r[20])
        statut = ref.label(ref.STATUTS, r[21])
    else:
        oriented = ""
        genre = _counters_cell(r[26], "genre", participants, joiner)
        age = _counters_cell(r[26], "age", participants, joiner)
        statut = _counters_cell(r[26], "statut", participants, joiner)
    place = r[6] if r[5] == "lieu_activite" else ""
    return [
        dt.date.fromisoformat(r[1]) if isinstance(r[1], str) else r[1],
        ref.label(ref.TYPES, r[2]),
        participants,
        r[4] or "",
        ref.label(ref.PLACE_TYPES, r[5]),
        place or "",
        r[7] or "",
        r[8] or "",
        r[9],
        r[10] or "",
        _labels(ref.MATERIELS, r[11], joiner),
        joiner.join(ref.label(ref.THEMES, t) for t in themes),
        r[13] or "",
        autonomy,
        ref.label(ref.NIVEAUX_ATELIER, r[15], "") if r[15] else "",
        oriented,
        ref.label(ref.ORIENTATIONS, r[17]) if r[17] else "",
        r[18] or "",
        genre,
        age,
        statut,
        r[22] or "",
        joiner.join(split_codes(r[23])),
        "" if individual or r[24] is None else r[24],
        r[25] or "",
        r[0],
    ]


class ExportService:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sf = session_factory

    def count_sessions(
        self, date_from: dt.date, date_to: dt.date, filters: StatsFilter | None = None
    ) -> int:
        where, params = _session_where(date_from, date_to, filters)
        with self._sf() as db:
            return (
                db.execute(
                    text(f"SELECT count(*) FROM accompagnement a WHERE {where}"), params
                ).scalar()
                or 0
            )

    def _session_rows(
        self,
        date_from: dt.date,
        date_to: dt.date,
        filters: StatsFilter | None,
        progress: Progress,
        cancelled: Cancelled | None,
    ) -> Iterator[Sequence[Any]]:
        total = self.count_sessions(date_from, date_to, filters)
        where, params = _session_where(date_from, date_to, filters)
        done = 0
        progress(0, total)
        with self._sf() as db:
            result = db.execute(text(_SESSIONS_SQL.format(where=where)), params)
            while True:
                batch = result.fetchmany(_BATCH)
                if not batch:
                    break
                _check(cancelled)
                yield from batch
                done += len(batch)
                progress(done, total)
        _check(cancelled)  # a period with no session: cancelled is still cancelled

    def sessions_csv(
        self,
        path: Path,
        date_from: dt.date,
        date_to: dt.date,
        filters: StatsFilter | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> int:
        """Write the sessions of the period to ``path``; returns the number of sessions."""
        count = 0

        def write(tmp: Path) -> None:
            nonlocal count
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                out = csv.writer(fh, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
                out.writerow(SESSION_COLUMNS)
                for row in self._session_rows(
                    date_from, date_to, filters, progress or _noop, cancelled
                ):
                    cells = session_cells(row, CSV_MULTI)
                    cells[0] = cells[0].isoformat()
                    out.writerow(cells)
                    count += 1

        _atomic_write(path, write)
        return count

    def sessions_xlsx(
        self,
        path: Path,
        date_from: dt.date,
        date_to: dt.date,
        filters: StatsFilter | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> int:
        """Write the sessions of the period to an Excel workbook; returns the number of sessions."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        count = 0

        def write(tmp: Path) -> None:
            nonlocal count
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("Activités")
            ws.freeze_panes = "A2"
            widths = [12, 24, 12, 12, 18, 30, 10, 20, 10, 28, 24, 40, 28, 28, 14, 16, 36]
            widths += [22, 24, 24, 24, 40, 24, 14, 12, 38]
            for index, width in enumerate(widths, start=1):
                ws.column_dimensions[_column_letter(index)].width = width
            bold = Font(bold=True)
            header = []
            for name in SESSION_COLUMNS:
                cell = WriteOnlyCell(ws, value=name)
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                header.append(cell)
            ws.append(header)
            wrap = Alignment(wrap_text=True, vertical="top")
            try:
                for row in self._session_rows(
                    date_from, date_to, filters, progress or _noop, cancelled
                ):
                    cells = session_cells(row, XLSX_MULTI)
                    date_cell = WriteOnlyCell(ws, value=cells[0])
                    date_cell.number_format = "yyyy-mm-dd"
                    line: list[Any] = [date_cell]
                    for value in cells[1:]:
                        if isinstance(value, str) and "\n" in value:
                            cell = WriteOnlyCell(ws, value=_xlsx_safe(value))
                            cell.alignment = wrap
                            line.append(cell)
                        else:
                            line.append(_xlsx_safe(value))
                    ws.append(line)
                    count += 1
            except BaseException:
                ws.close()  # let openpyxl finish its temporary file before it is dropped
                raise
            ws.auto_filter.ref = f"A1:{_column_letter(len(SESSION_COLUMNS))}{count + 1}"
            _check(cancelled)
            wb.save(tmp)

        _atomic_write(path, write)
        return count

    # ---- statistics ---------------------------------------------------------------------------
    def stats_xlsx(
        self,
        report: StatsReport,
        path: Path,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> None:
        """The statistics as a workbook: a summary sheet, the monthly trend, one sheet per
        breakdown."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        progress = progress or _noop
        total = len(report.breakdowns) + 3

        def write(tmp: Path) -> None:
            wb = Workbook()
            bold = Font(bold=True)
            ws = wb.active
            assert ws is not None
            ws.title = "Synthèse"
            ws.append(["Carnet — statistiques de la période"])
            ws["A1"].font = Font(bold=True, size=14)
            ws.append(["Du", report.date_from, "au", report.date_to])
            for cell in ("B2", "D2"):
                ws[cell].number_format = "yyyy-mm-dd"
            filters = describe_filters(report.filters)
            if filters:
                ws.append(["Filtres", filters])
            ws.append([])
            ws.append(["Indicateur", "Valeur"])
            for cell in ws[ws.max_row]:
                cell.font = bold
            for label_text, value in indicator_rows(report):
                ws.append([label_text, value])
            ws.append([])
            ws.append(["Règles de comptage"])
            ws[f"A{ws.max_row}"].font = bold
            for line in COUNTING_RULES:
                ws.append([line])
            ws.column_dimensions["A"].width = 48
            ws.column_dimensions["B"].width = 16
            progress(1, total)

            _check(cancelled)
            trend = wb.create_sheet("Évolution mensuelle")
            trend.append(["Mois", "Activités", "Accompagnements", "Heures"])
            for cell in trend[1]:
                cell.font = bold
            for point in report.trend:
                trend.append(
                    [
                        point.month,
                        point.activities,
                        point.accompagnements,
                        round(point.minutes / 60, 2),
                    ]
                )
            for col in "ABCD":
                trend.column_dimensions[col].width = 18
            progress(2, total)

            for done, breakdown in enumerate(report.breakdowns, start=3):
                _check(cancelled)
                sheet = wb.create_sheet(_sheet_title(breakdown.title))
                sheet.append([breakdown.title])
                sheet["A1"].font = Font(bold=True, size=12)
                note = f"Unité : {breakdown.unit} (total {breakdown.total})"
                if breakdown.multi:
                    note += " — plusieurs valeurs possibles par activité : la somme dépasse 100 %"
                sheet.append([note])
                sheet.append([])
                sheet.append(["Valeur", breakdown.unit.capitalize(), "Part"])
                for cell in sheet[4]:
                    cell.font = bold
                for row in breakdown.rows:
                    sheet.append([row.label, row.count, row.share])
                    sheet.cell(row=sheet.max_row, column=3).number_format = "0.0 %"
                sheet.column_dimensions["A"].width = 60
                sheet.column_dimensions["B"].width = 18
                sheet.column_dimensions["C"].width = 10
                progress(done, total)
            _check(cancelled)
            wb.save(tmp)
            progress(total, total)

        _atomic_write(path, write)

    def stats_pdf(
        self,
        report: StatsReport,
        path: Path,
        author: str = "",
        structure: str = "",
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> None:
        """The period's report for the employer or a funder, with charts. Pseudonymous."""
        from app.services.pdf_report import build_pdf

        def write(tmp: Path) -> None:
            build_pdf(report, tmp, author, structure, progress or _noop, lambda: _check(cancelled))

        _atomic_write(path, write)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _xlsx_safe(value: Any) -> Any:
    """Text starting with = + - @ would be run as a formula by Excel: keep it text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return cleaned.split(" (")[0][:31]


def indicator_rows(report: StatsReport) -> list[tuple[str, int | float]]:
    ind = report.indicators
    return [
        ("Accompagnements", ind.accompagnements),
        ("Activités", ind.activities),
        ("dont accompagnements individuels", ind.individual_sessions),
        ("dont ateliers collectifs", ind.workshops),
        ("Participants aux ateliers", ind.workshop_participants),
        ("Personnes accompagnées", ind.people),
        ("dont personnes suivies avec un code", ind.people_with_code),
        ("Nouvelles personnes", ind.new_people),
        ("Personnes déjà accompagnées", ind.returning_people),
        ("Personnes au statut inconnu", ind.unknown_status_people),
        ("Heures d'accompagnement", round(ind.hours, 1)),
    ]
