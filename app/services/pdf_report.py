"""The period's PDF report (for the mediator's employer or a funder), drawn with ReportLab.

Charts are ReportLab graphics (vector, no Qt). The report is pseudonymous: figures and national
labels only, no follow-up code, no note. The standard PDF fonts (Helvetica, Windows-1252 glyphs)
cover French; nothing to ship.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.services.stats import COUNTING_RULES, Breakdown, StatsReport, describe_filters

PRIMARY = colors.HexColor("#1f4e79")
ACCENT = colors.HexColor("#d9822b")
LIGHT = colors.HexColor("#eef3f8")
GRID = colors.HexColor("#c9d3de")
TEXT_MUTED = colors.HexColor("#5b6770")

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
MONTHS_SHORT = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

PAGE_W, PAGE_H = A4
MARGIN = 16 * mm
CONTENT_W = PAGE_W - 2 * MARGIN


def french_date(day: dt.date) -> str:
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def french_number(value: float, decimals: int = 0) -> str:
    """12 345 or 12 345,5: French digit grouping with a no-break space (in the standard fonts)."""
    text = f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return text


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=9.5)
    return {
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=20,
            leading=24,
            textColor=PRIMARY,
            spaceAfter=4,
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontSize=11.5, leading=15, textColor=TEXT_MUTED
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=13,
            leading=16,
            textColor=PRIMARY,
            spaceBefore=10,
            spaceAfter=6,
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=TEXT_MUTED),
        "figure": ParagraphStyle(
            "figure",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=18,
            leading=21,
            alignment=TA_CENTER,
            textColor=PRIMARY,
        ),
        "figure_label": ParagraphStyle(
            "figure_label",
            parent=body,
            fontSize=8.5,
            leading=10,
            alignment=TA_CENTER,
            textColor=TEXT_MUTED,
        ),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cards(report: StatsReport, st: dict[str, ParagraphStyle]) -> Table:
    ind = report.indicators
    figures = [
        (french_number(ind.accompagnements), "accompagnements"),
        (french_number(ind.people), "personnes accompagnées"),
        (french_number(ind.new_people), "nouvelles personnes"),
        (french_number(ind.hours, 1 if ind.hours < 100 else 0), "heures"),
        (french_number(ind.individual_sessions), "accompagnements individuels"),
        (french_number(ind.workshops), "ateliers collectifs"),
        (french_number(ind.workshop_participants), "participants aux ateliers"),
        (french_number(ind.returning_people), "personnes déjà accompagnées"),
    ]
    cells = [
        [Paragraph(value, st["figure"]), Paragraph(_escape(label), st["figure_label"])]
        for value, label in figures
    ]
    rows = [cells[:4], cells[4:]]
    table = Table(rows, colWidths=[CONTENT_W / 4] * 4, rowHeights=[20 * mm, 20 * mm])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                ("BOX", (0, 0), (-1, -1), 0.5, GRID),
                ("INNERGRID", (0, 0), (-1, -1), 2, colors.white),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _month_label(month: str, with_year: bool) -> str:
    year, number = month.split("-")
    label = MONTHS_SHORT[int(number) - 1]
    return f"{label} {year[2:]}" if with_year else label


def trend_chart(report: StatsReport, width: float = CONTENT_W, height: float = 62 * mm) -> Drawing:
    """Accompagnements and activités per month (lines with markers)."""
    points = report.trend
    drawing = Drawing(width, height)
    if not points:
        return drawing
    chart = LinePlot()
    chart.x, chart.y = 34, 30
    chart.width, chart.height = width - 50, height - 48
    acc = [(i, p.accompagnements) for i, p in enumerate(points)]
    act = [(i, p.activities) for i, p in enumerate(points)]
    chart.data = [acc, act]
    for index, color in enumerate((PRIMARY, ACCENT)):
        chart.lines[index].strokeColor = color
        chart.lines[index].strokeWidth = 1.8
        if len(points) <= 36:
            chart.lines[index].symbol = makeMarker("FilledCircle", size=3.2, fillColor=color)
    top = max(max(p.accompagnements for p in points), 1)
    chart.yValueAxis.valueMin = 0
    chart.yValueAxis.valueMax = _nice_max(top)
    chart.yValueAxis.valueStep = chart.yValueAxis.valueMax / 4
    chart.yValueAxis.labels.fontName = "Helvetica"
    chart.yValueAxis.labels.fontSize = 7
    chart.yValueAxis.labelTextFormat = lambda v: french_number(v)
    chart.yValueAxis.visibleGrid = True
    chart.yValueAxis.gridStrokeColor = GRID
    chart.yValueAxis.gridStrokeWidth = 0.4
    chart.xValueAxis.valueMin = -0.5
    chart.xValueAxis.valueMax = len(points) - 0.5
    step = max(1, round(len(points) / 12))
    chart.xValueAxis.valueSteps = list(range(0, len(points), step))
    span_years = points[0].month[:4] != points[-1].month[:4]
    labels = [_month_label(p.month, span_years) for p in points]
    chart.xValueAxis.labelTextFormat = lambda v: labels[int(v)] if 0 <= int(v) < len(labels) else ""
    chart.xValueAxis.labels.fontName = "Helvetica"
    chart.xValueAxis.labels.fontSize = 7
    drawing.add(chart)
    for index, (color, name) in enumerate(((PRIMARY, "Accompagnements"), (ACCENT, "Activités"))):
        x = 34 + index * 110
        drawing.add(String(x + 12, height - 10, name, fontName="Helvetica", fontSize=8))
        marker = makeMarker("FilledSquare", size=7, fillColor=color)
        marker.x, marker.y = x + 4, height - 7.5
        drawing.add(marker)
    return drawing


def _nice_max(value: float) -> float:
    """A round top for an axis: 4 steps of 1, 2, 2.5 or 5 × 10^n."""
    magnitude = 1.0
    while magnitude * 10 < value:
        magnitude *= 10
    for factor in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        top = factor * magnitude * 4
        if top >= value:
            return top
    return value


def bar_chart(
    rows: list[tuple[str, int]],
    width: float = CONTENT_W,
    bar_height: float = 13,
    color: Any = PRIMARY,
) -> Drawing:
    """Horizontal bars, the label on the left and the figure at the end of each bar."""
    label_w = min(62 * mm, width * 0.45)
    height = max(len(rows), 1) * bar_height + 16
    drawing = Drawing(width, height)
    if not rows:
        drawing.add(String(0, 4, "Aucune donnée sur la période.", fontName="Helvetica", fontSize=8))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = label_w, 8
    chart.width, chart.height = width - label_w - 34, height - 12
    ordered = list(reversed(rows))  # the chart draws bottom-up
    chart.data = [[count for _, count in ordered]]
    chart.categoryAxis.categoryNames = [_shorten(label, 46) for label, _ in ordered]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = GRID
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(count for _, count in rows) * 1.0 or 1
    chart.valueAxis.visible = False
    chart.bars[0].fillColor = color
    chart.bars[0].strokeColor = None
    chart.barWidth = bar_height * 0.62
    chart.barLabelFormat = lambda v: french_number(v)
    chart.barLabels.fontName = "Helvetica"
    chart.barLabels.fontSize = 7.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def column_chart(
    rows: list[tuple[str, int]], width: float, height: float = 46 * mm, color: Any = PRIMARY
) -> Drawing:
    """Vertical bars for short closed lists (durations, age brackets)."""
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 8, 26
    chart.width, chart.height = width - 16, height - 40
    chart.data = [[count for _, count in rows] or [0]]
    chart.categoryAxis.categoryNames = [_shorten(label, 16) for label, _ in rows] or [""]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 30 if len(rows) > 5 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 5 else "n"
    chart.categoryAxis.strokeColor = GRID
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([count for _, count in rows] + [1]) * 1.15
    chart.valueAxis.visible = False
    chart.bars[0].fillColor = color
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: french_number(v)
    chart.barLabels.fontName = "Helvetica"
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "s"
    chart.barLabels.dy = 2
    drawing.add(chart)
    return drawing


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _breakdown_table(breakdown: Breakdown, st: dict[str, ParagraphStyle], limit: int = 12) -> Table:
    rows = [r for r in breakdown.rows if r.count][:limit]
    data: list[list[Any]] = [["", breakdown.unit.capitalize(), "Part"]]
    for r in rows:
        data.append(
            [
                Paragraph(_escape(r.label), st["body"]),
                french_number(r.count),
                f"{french_number(r.share * 100, 1)} %",
            ]
        )
    if not rows:
        data.append([Paragraph("Aucune donnée sur la période.", st["small"]), "", ""])
    table = Table(data, colWidths=[CONTENT_W - 60 * mm, 32 * mm, 28 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("TEXTCOLOR", (0, 0), (-1, 0), PRIMARY),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, PRIMARY),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, GRID),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _section(title: str, st: dict[str, ParagraphStyle], *flowables: Any, note: str = "") -> Any:
    items: list[Any] = [Paragraph(_escape(title), st["h2"])]
    if note:
        items.append(Paragraph(_escape(note), st["small"]))
        items.append(Spacer(1, 3))
    items.extend(flowables)
    return KeepTogether(items)


def _chart_pair(left: Drawing, right: Drawing, titles: tuple[str, str], st: dict) -> Table:
    table = Table(
        [
            [Paragraph(_escape(titles[0]), st["body"]), Paragraph(_escape(titles[1]), st["body"])],
            [left, right],
        ],
        colWidths=[CONTENT_W / 2] * 2,
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def build_pdf(
    report: StatsReport,
    path: Path,
    author: str,
    structure: str,
    progress: Callable[[int, int], None],
    check_cancel: Callable[[], None],
) -> None:
    st = _styles()
    ind = report.indicators
    steps = 8
    story: list[Any] = []
    period = f"du {french_date(report.date_from)} au {french_date(report.date_to)}"
    story.append(Paragraph("Bilan d'activité de médiation numérique", st["title"]))
    story.append(Paragraph(_escape(period.capitalize()), st["subtitle"]))
    who = " — ".join(part for part in (author.strip(), structure.strip()) if part)
    if who:
        story.append(Paragraph(_escape(who), st["subtitle"]))
    filters = describe_filters(report.filters)
    if filters:
        story.append(Paragraph(_escape(f"Filtres : {filters}"), st["small"]))
    story.append(Spacer(1, 8))
    story.append(_cards(report, st))
    story.append(Spacer(1, 4))
    story.append(
        Paragraph(
            _escape(
                f"{french_number(ind.activities)} activités : "
                f"{french_number(ind.individual_sessions)} accompagnements individuels et "
                f"{french_number(ind.workshops)} ateliers collectifs. "
                f"{french_number(ind.people_with_code)} personnes suivies avec un code de suivi ; "
                f"{french_number(ind.unknown_status_people)} personnes au statut inconnu "
                "(sans code ou compteur d'atelier non renseigné)."
            ),
            st["small"],
        )
    )
    progress(1, steps)
    check_cancel()

    story.append(_section("Évolution mensuelle", st, trend_chart(report)))
    progress(2, steps)
    check_cancel()

    themes = report.breakdown("theme")
    story.append(
        _section(
            "Thématiques d'accompagnement",
            st,
            bar_chart(themes.top(12)),
            note="Une activité peut porter sur plusieurs thématiques : la somme des parts "
            "dépasse 100 %. Les 12 plus fréquentes.",
        )
    )
    progress(3, steps)
    check_cancel()

    place = report.breakdown("place_type")
    duration = report.breakdown("duration")
    story.append(
        _section(
            "Lieux et durées",
            st,
            _chart_pair(
                bar_chart(place.top(4), width=CONTENT_W / 2 - 6, color=ACCENT),
                column_chart([(r.label, r.count) for r in duration.rows], CONTENT_W / 2 - 6),
                ("Type de lieu (activités)", "Durée (activités)"),
                st,
            ),
        )
    )
    story.append(_section("Lieux d'activité", st, _breakdown_table(report.breakdown("venue"), st)))
    story.append(
        _section(
            "Communes",
            st,
            _breakdown_table(report.breakdown("commune"), st, limit=10),
            note="Commune où l'activité a eu lieu. Les 10 plus fréquentes.",
        )
    )
    progress(4, steps)
    check_cancel()

    age = report.breakdown("age")
    genre = report.breakdown("genre")
    statut = report.breakdown("statut")
    story.append(CondPageBreak(90 * mm))
    story.append(
        _section(
            "Publics accompagnés",
            st,
            _chart_pair(
                column_chart([(r.label, r.count) for r in age.rows], CONTENT_W / 2 - 6),
                bar_chart(
                    [(r.label, r.count) for r in genre.rows],
                    width=CONTENT_W / 2 - 6,
                    color=ACCENT,
                ),
                ("Tranche d'âge (accompagnements)", "Genre (accompagnements)"),
                st,
            ),
            note="Compté en accompagnements ; les ateliers apportent leurs compteurs. "
            "Valeur absente = non communiqué.",
        )
    )
    story.append(_section("Statut", st, _breakdown_table(statut, st)))
    progress(5, steps)
    check_cancel()

    for key in ("materiel", "autonomy", "orientation"):
        b = report.breakdown(key)
        story.append(_section(b.title, st, _breakdown_table(b, st)))
    tags = report.breakdown("tag")
    if any(r.count for r in tags.rows):
        story.append(
            _section("Étiquettes (programmes, financeurs)", st, _breakdown_table(tags, st))
        )
    progress(6, steps)
    check_cancel()

    rules = [Paragraph(_escape("• " + line), st["small"]) for line in COUNTING_RULES]
    story.append(_section("Règles de comptage", st, *rules))
    generated = french_date(dt.date.today())

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(TEXT_MUTED)
        canvas.drawString(
            MARGIN,
            9 * mm,
            f"Carnet — document pseudonyme, sans donnée nominative — édité le {generated}",
        )
        canvas.drawRightString(PAGE_W - MARGIN, 9 * mm, f"Page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=16 * mm,
        title="Bilan d'activité de médiation numérique",
        author=author or "Carnet",
        subject=period,
        creator="Carnet",
    )
    progress(7, steps)
    check_cancel()
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    progress(steps, steps)
