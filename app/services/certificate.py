"""A printable, pseudonymous progress certificate (attestation de progression), as a PDF.

It names the person by their follow-up code only and leaves a blank line where the mediator may
hand-write a name on the printed sheet: Carnet never stores one. Nothing of the session notes is
ever printed. Rendered with reportlab's standard fonts (no font file to ship).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.services.progress import DONE, Subject
from app.services.training import TrainingError, TrainingService

ACCENT = colors.HexColor("#2f5fb3")
MUTED = colors.HexColor("#5b6774")
GRID = colors.HexColor("#c3cad4")


@dataclass(frozen=True)
class CertificateModule:
    position: int
    title: str
    done_on: dt.date | None


@dataclass(frozen=True)
class CertificateCompetence:
    code: str
    label: str
    first_level: int | None
    latest_level: int | None
    target_level: int | None


@dataclass(frozen=True)
class CertificateData:
    code: str
    path_title: str
    path_version: int | None
    modules: tuple[CertificateModule, ...]
    competences: tuple[CertificateCompetence, ...]
    venue: str
    mediator_name: str
    issued_on: dt.date

    @property
    def done_count(self) -> int:
        return sum(1 for m in self.modules if m.done_on)


def certificate_data(
    training: TrainingService,
    subject: Subject,
    path_id: str,
    venue: str,
    mediator_name: str,
    issued_on: dt.date | None = None,
) -> CertificateData:
    """What the certificate shows, from the person's progress on one path."""
    progress = training.progress(subject)
    path = progress.path(path_id)
    if path is None:
        raise TrainingError("Aucun progrès n'est noté sur ce parcours pour cette personne.")
    spec = training.get_path(path_id)
    relevant = set(spec.competence_targets()) if spec else set()
    for item in progress.history:
        if item.event.path_id == path_id and not item.cancelled:
            relevant |= set(item.event.level_before) | set(item.event.level_after)
    competences = tuple(
        CertificateCompetence(c.code, c.label, c.first_level, c.latest_level, c.target_level)
        for c in progress.competences
        if c.code in relevant
    )
    modules = tuple(
        CertificateModule(m.position, m.title, m.done_on if m.status == DONE else None)
        for m in path.modules
        if m.in_catalogue or m.status == DONE
    )
    return CertificateData(
        code=subject.id if subject.kind == "person" else "",
        path_title=path.title,
        path_version=path.path_version,
        modules=modules,
        competences=competences,
        venue=venue,
        mediator_name=mediator_name,
        issued_on=issued_on or dt.date.today(),
    )


def _date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _level(level: int | None) -> str:
    return f"Niveau {level}" if level else "—"


def render_certificate(data: CertificateData) -> bytes:
    """The certificate as PDF bytes (A4, one page for a path of up to ~15 modules)."""
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["Normal"], fontName="Helvetica", fontSize=10.5)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, textColor=MUTED, leading=11)
    cell = ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12)
    title = ParagraphStyle(
        "title",
        parent=styles["Title"],
        fontName="Helvetica-Bold",
        fontSize=22,
        textColor=ACCENT,
        spaceAfter=4,
    )
    subtitle = ParagraphStyle(
        "subtitle", parent=body, fontSize=13, alignment=TA_CENTER, spaceAfter=14
    )
    heading = ParagraphStyle(
        "heading",
        parent=body,
        fontName="Helvetica-Bold",
        fontSize=12,
        textColor=ACCENT,
        spaceBefore=12,
        spaceAfter=6,
    )
    code_style = ParagraphStyle(
        "code", parent=body, fontName="Courier-Bold", fontSize=20, leading=24
    )
    version = f" (version {data.path_version})" if data.path_version else ""
    story: list = [
        Paragraph("Attestation de progression", title),
        Paragraph(f"Parcours « {escape(data.path_title)} »{escape(version)}", subtitle),
    ]
    identity = Table(
        [
            [Paragraph("Code de suivi", body), Paragraph(escape(data.code) or "—", code_style)],
            [Paragraph("Nom (à compléter à la main)", body), ""],
        ],
        colWidths=[60 * mm, 110 * mm],
        rowHeights=[12 * mm, 14 * mm],
    )
    identity.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 1), (1, 1), 0.8, colors.black),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [identity, Spacer(1, 6 * mm)]

    total = len(data.modules)
    story.append(Paragraph(f"Modules validés : {data.done_count} sur {total}", heading))
    rows = [["N°", "Module", "Validé le"]]
    for module in data.modules:
        rows.append(
            [
                str(module.position),
                Paragraph(escape(module.title), cell),
                _date(module.done_on) if module.done_on else "à venir",
            ]
        )
    modules_table = Table(rows, colWidths=[12 * mm, 128 * mm, 30 * mm], repeatRows=1)
    modules_table.setStyle(_table_style())
    for i, module in enumerate(data.modules, start=1):
        if not module.done_on:
            modules_table.setStyle(TableStyle([("TEXTCOLOR", (0, i), (-1, i), MUTED)]))
    story.append(modules_table)

    if data.competences:
        story.append(Paragraph("Compétences numériques (référentiel Pix / CRCN)", heading))
        rows = [["Compétence", "Départ", "Atteint", "Visé"]]
        for comp in data.competences:
            rows.append(
                [
                    Paragraph(f"{escape(comp.code)} {escape(comp.label)}", cell),
                    _level(comp.first_level),
                    _level(comp.latest_level),
                    _level(comp.target_level),
                ]
            )
        comp_table = Table(rows, colWidths=[104 * mm, 22 * mm, 22 * mm, 22 * mm], repeatRows=1)
        comp_table.setStyle(_table_style())
        story.append(comp_table)

    story += [Spacer(1, 10 * mm)]
    footer = Table(
        [
            [Paragraph("Lieu", body), Paragraph(escape(data.venue) or "—", body)],
            [
                Paragraph("Médiateur ou médiatrice", body),
                Paragraph(escape(data.mediator_name), body),
            ],
            [Paragraph("Fait le", body), Paragraph(_date(data.issued_on), body)],
            [Paragraph("Signature", body), ""],
        ],
        colWidths=[60 * mm, 110 * mm],
        rowHeights=[None, None, None, 18 * mm],
    )
    footer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [
        footer,
        Spacer(1, 6 * mm),
        Paragraph(
            "Document pseudonyme établi avec Carnet : la personne est désignée par son code de "
            "suivi ; aucun nom ni aucune coordonnée n'est enregistré. Les niveaux suivent le "
            "cadre de référence des compétences numériques (CRCN, niveaux 1 à 8).",
            small,
        ),
    ]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=16 * mm,
        title=f"Attestation de progression – {data.path_title}",
        author="Carnet",
        subject=f"Code de suivi {data.code}",
        invariant=1,
    )
    doc.build(story)
    return buffer.getvalue()


def _table_style() -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 9.5),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f6fa")]),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )


def write_certificate(data: CertificateData, target: Path) -> None:
    """Write the PDF next to ``target`` then move it in place (no half-written file)."""
    pdf = render_certificate(data)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(pdf)
    tmp.replace(target)


__all__ = [
    "CertificateCompetence",
    "CertificateData",
    "CertificateModule",
    "certificate_data",
    "render_certificate",
    "write_certificate",
]
