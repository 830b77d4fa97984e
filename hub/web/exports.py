"""Exports of a dashboard (CSV, XLSX: the figures as shown, secret cells marked « s ») and of
the venues in the national open-data schema "Schéma de données des lieux de médiation
numérique" v1.0.1 (CSV and JSON)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import RECORD_TABLES, Mediator, Structure
from hub.stats.dashboard import INDICATOR_LABELS, Dashboard
from hub.stats.territory import LEVEL_LABELS
from hub.web.schema import VenueDetails

SECRET = "s"
SECRET_NOTE = (
    "s : secret statistique (moins de 5 personnes, ou masqué pour qu'un petit effectif ne "
    "puisse pas être retrouvé par soustraction)."
)


def _v(value: int | float | None) -> int | float | str:
    return SECRET if value is None else value


def dashboard_rows(d: Dashboard) -> list[list[Any]]:
    """The dashboard as a flat table: section, libellé, valeur[, valeur…]."""
    rows: list[list[Any]] = [
        ["Territoire", d.title],
        ["Année", d.period.label],
        ["Étiquette", d.tag or "toutes les activités"],
        [],
        ["Indicateurs", "Libellé", "Valeur"],
    ]
    for key, label in INDICATOR_LABELS.items():
        rows.append(["Indicateurs", label, _v(d.indicators.get(key))])
    rows.append(["Indicateurs", "Heures d'accompagnement", _v(d.hours)])
    rows.append([])
    rows.append(["Mois", "Activités", "Accompagnements", "Heures"])
    for m in d.trend:
        rows.append([m.month, _v(m.activities), _v(m.accomp), _v(m.hours)])
    for b in d.breakdowns:
        rows.append([])
        rows.append([b.title, f"Unité : {b.unit}", "Valeur"])
        for r in b.rows:
            rows.append([b.title, r.label, _v(r.value)])
    if d.children:
        rows.append([])
        rows.append(
            [LEVEL_LABELS.get(d.children_level, "Territoire"), "Activités", "Accompagnements",
             "Personnes", "Heures"]
        )  # fmt: skip
        for c in d.children:
            rows.append([c.label, _v(c.activities), _v(c.accomp), _v(c.people), _v(c.hours)])
    if d.venues:
        rows.append([])
        rows.append(["Lieu d'activité", "Activités", "Accompagnements", "Heures"])
        for v in d.venues:
            rows.append([v.name, _v(v.activities), _v(v.accomp), _v(v.hours)])
    rows.append([])
    rows.append([SECRET_NOTE])
    return rows


def to_csv(rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    for row in rows:
        ws.append(row)
        if (
            len(row) >= 2
            and row[0]
            and isinstance(row[-1], str)
            and row[-1] in ("Valeur", "Heures")
        ):
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 44
    for col in "CDE":
        ws.column_dimensions[col].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- venues in the national open-data schema ---------------------------------------------
SCHEMA_FIELDS = (
    "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse",
    "complement_adresse", "latitude", "longitude", "typologie", "telephone", "courriels",
    "site_web", "horaires", "presentation_resume", "presentation_detail", "source",
    "itinerance", "structure_parente", "date_maj", "services",
    "publics_specifiquement_adresses", "prise_en_charge_specifique", "frais_a_charge",
    "dispositif_programmes_nationaux", "formations_labels", "autres_formations_labels",
    "modalites_acces", "modalites_accompagnement", "fiche_acces_libre", "prise_rdv",
)  # fmt: skip
REQUIRED = ("id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj")
SERVICES = (
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
)
MODALITES_ACCOMPAGNEMENT = (
    "En autonomie",
    "Accompagnement individuel",
    "Dans un atelier collectif",
    "À distance",
)
FRAIS = ("Gratuit", "Gratuit sous condition", "Payant")
ITINERANCE = ("Itinérant", "Fixe")
PIVOT_RE = re.compile(r"^(\d{14}|W\d{9}|0{14})$")
POSTAL_RE = re.compile(r"^\d{5}$")
INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
PHONE_RE = re.compile(r"^\+?[\d ]{10,20}$")
ENUMS: dict[str, tuple[str, ...]] = {
    "services": SERVICES,
    "modalites_accompagnement": MODALITES_ACCOMPAGNEMENT,
    "frais_a_charge": FRAIS,
    "itinerance": ITINERANCE,
}


def schema_problems(record: dict[str, Any]) -> list[str]:
    """The rules of the schema a record breaks (French), empty when it is valid."""
    problems = [f"champ obligatoire vide : {name}" for name in REQUIRED if not record.get(name)]
    unknown = sorted(set(record) - set(SCHEMA_FIELDS))
    if unknown:
        problems.append(f"champs inconnus : {', '.join(unknown)}")
    if record.get("pivot") and not PIVOT_RE.match(record["pivot"]):
        problems.append("pivot : SIRET (14 chiffres) ou RNA (W + 9 chiffres) attendu")
    if record.get("code_postal") and not POSTAL_RE.match(record["code_postal"]):
        problems.append("code_postal : 5 chiffres attendus")
    if record.get("code_insee") and not INSEE_RE.match(record["code_insee"]):
        problems.append("code_insee : code INSEE attendu")
    if record.get("telephone") and not PHONE_RE.match(record["telephone"]):
        problems.append("telephone : numéro attendu")
    for name in ("latitude", "longitude"):
        value = record.get(name)
        if value not in (None, "") and not isinstance(value, float):
            problems.append(f"{name} : nombre attendu")
    if record.get("date_maj"):
        try:
            dt.date.fromisoformat(record["date_maj"])
        except ValueError:
            problems.append("date_maj : date AAAA-MM-JJ attendue")
    for name, allowed in ENUMS.items():
        values = [v for v in str(record.get(name) or "").split("|") if v]
        bad = [v for v in values if v not in allowed]
        if bad:
            problems.append(f"{name} : valeur hors liste ({', '.join(bad)})")
    if len(str(record.get("presentation_resume") or "")) > 280:
        problems.append("presentation_resume : 280 caractères au plus")
    return problems


@dataclass(frozen=True)
class VenueExport:
    records: list[dict[str, Any]]  # valid records
    incomplete: list[tuple[str, str, list[str]]]  # (venue id, name, problems)


def venue_records(db: Session, source: str, venue_ids: list[str] | None = None) -> VenueExport:
    table = RECORD_TABLES["venue"]
    query = select(table).where(table.c.deleted.is_(False))
    if venue_ids is not None:
        query = query.where(table.c.id.in_(venue_ids))
    venues = db.execute(query.order_by(table.c.name)).mappings().all()
    details = {d.venue_id: d for d in db.scalars(select(VenueDetails))}
    mediators = dict(
        (r[0], r[1]) for r in db.execute(select(Mediator.id, Mediator.structure_id)).all()
    )
    structures = {s.id: s for s in db.scalars(select(Structure))}
    records: list[dict[str, Any]] = []
    incomplete: list[tuple[str, str, list[str]]] = []
    for v in venues:
        d = details.get(v["id"])
        structure = structures.get(mediators.get(v["mediator_id"]) or "")
        pivot = (d.pivot if d and d.pivot else None) or (structure.siret if structure else None)
        stamps = [t for t in (v["updated_at"], v["created_at"], d.updated_at if d else None) if t]
        updated = max(stamps) if stamps else None
        record: dict[str, Any] = {
            "id": v["id"],
            "pivot": pivot or "",
            "nom": v["name"],
            "commune": v["commune_name"] or "",
            "code_postal": v["postal_code"] or "",
            "code_insee": v["commune_insee"] or "",
            "adresse": d.adresse if d else "",
            "complement_adresse": d.complement_adresse if d else "",
            "telephone": d.telephone if d else "",
            "courriels": d.courriels if d else "",
            "site_web": d.site_web if d else "",
            "horaires": d.horaires if d else "",
            "source": source,
            "itinerance": "Itinérant" if v["itinerant"] else "Fixe",
            "structure_parente": structure.name if structure else "",
            "date_maj": updated.date().isoformat() if updated else "",
            "services": d.services if d else "",
            "frais_a_charge": d.frais_a_charge if d else "",
            "modalites_accompagnement": d.modalites_accompagnement if d else "",
        }
        problems = schema_problems(record)
        if problems:
            incomplete.append((v["id"], v["name"], problems))
        else:
            records.append({k: v for k, v in record.items() if v not in ("", None)})
    return VenueExport(records, incomplete)


def venues_csv(records: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SCHEMA_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: record.get(k, "") for k in SCHEMA_FIELDS})
    return buffer.getvalue().encode("utf-8")
