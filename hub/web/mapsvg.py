"""The map: an inline SVG drawn by the hub itself (no tiles, no script, works offline).

No offline source of commune or EPCI contours ships with a package we can use, so the map is
a proportional-symbol map: every commune of the territory is a light dot at its centroid
(which draws the territory's shape), and each commune or EPCI with activity gets a disc whose
area is proportional to its accompagnements. An EPCI's position is the population-weighted
centroid of its communes. Figures under secrecy are drawn as a hatched ring without a value.
"""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup
from sqlalchemy.orm import Session

from hub.stats.dashboard import Node, Scope, Tree
from hub.stats.query import Period
from hub.stats.territory import Territories

WIDTH, HEIGHT, PAD = 720, 560, 24


def _nodes(tree: Tree, t: Territories, scope: Scope, grain: str) -> dict[str, Node]:
    if scope.level == "hub":
        deps = [d for d in tree.departements() if d]
    elif scope.level == "departement":
        deps = [scope.code]
    elif scope.level == "epci":
        parts = [scope.code] if ":" in scope.code else t.epci_parts(scope.code)
        out: dict[str, Node] = {}
        for part in parts:
            if grain == "epci":
                node = tree.node("epci", part)
                if node:
                    out[part] = node
            else:
                out.update(tree.communes(part))
        return out
    else:
        node = tree.node("commune", scope.code)
        if grain == "epci":
            place = t.place(scope.code)
            piece = tree.node("epci", place.piece) if place else None
            return {place.piece: piece} if place and piece else {}
        return {scope.code: node} if node else {}
    found: dict[str, Node] = {}
    for dep in deps:
        pieces = tree.pieces(dep)
        if grain == "epci":
            found.update(pieces)
        else:
            for part_code in pieces:
                found.update(tree.communes(part_code))
    return found


def _background(t: Territories, scope: Scope, nodes: dict[str, Node], grain: str) -> list[str]:
    if scope.level == "hub":
        deps = {c.departement for code in nodes for c in _communes_of_node(t, grain, code)}
        return [c.insee for d in sorted(deps) for c in t.communes_of("departement", d)]
    level = scope.level
    code = scope.code
    return [c.insee for c in t.communes_of(level, code)]


def _communes_of_node(t: Territories, grain: str, code: str):
    if grain == "epci":
        return t.communes_of("epci", code)
    commune = t.commune(code)
    return [commune] if commune else []


def _position(t: Territories, grain: str, code: str) -> tuple[float, float] | None:
    if grain == "commune":
        return t.centroid(code)
    total = x = y = 0.0
    for c in t.communes_of("epci", code):
        point = t.centroid(c.insee)
        if point:
            weight = float(c.population or 1)
            total += weight
            x += weight * point[0]
            y += weight * point[1]
    return (x / total, y / total) if total else None


def render_map(
    db: Session, t: Territories, scope: Scope, period: Period, tag: str, grain: str
) -> Markup:
    tree = Tree(db, t, period, tag)
    nodes = {k: n for k, n in _nodes(tree, t, scope, grain).items() if n.figures.get("accomp")}
    dots = [p for p in (t.centroid(c) for c in _background(t, scope, nodes, grain)) if p]
    marks = []
    for code, node in nodes.items():
        point = _position(t, grain, code)
        if point:
            value = None if "accomp" in node.hidden else node.figures.get("accomp", 0)
            marks.append((code, point, value))
    points = dots + [m[1] for m in marks]
    if not points:
        return Markup('<p class="empty">Aucune activité localisée sur cette période.</p>')
    lat0 = math.radians(sum(p[1] for p in points) / len(points))
    xs = [p[0] * math.cos(lat0) for p in points]
    ys = [-p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 0.05)
    scale = min(
        (WIDTH - 2 * PAD) / max(max(xs) - min(xs), span * 0.3),
        (HEIGHT - 2 * PAD) / max(max(ys) - min(ys), span * 0.3),
    )
    x0, y0 = min(xs), min(ys)

    def project(p: tuple[float, float]) -> tuple[float, float]:
        return (PAD + (p[0] * math.cos(lat0) - x0) * scale, PAD + (-p[1] - y0) * scale)

    biggest = max((m[2] or 0 for m in marks), default=1) or 1
    max_r = 34 if grain == "epci" else 22
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="map" aria-label="Carte des accompagnements par {"EPCI" if grain == "epci" else "commune"}">',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern></defs>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" class="sea"/>',
    ]
    parts += [
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6" class="dot"/>' for x, y in map(project, dots)
    ]
    for code, point, value in sorted(marks, key=lambda m: -(m[2] or 0)):
        x, y = project(point)
        name = escape(t.name(grain, code))
        if value is None:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" class="secret"><title>{name} : secret statistique</title></circle>'
            )
            continue
        r = max(3.0, max_r * math.sqrt(value / biggest))
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" class="mark"><title>{name} : {value} accompagnements</title></circle>'
        )
    labelled = sorted((m for m in marks if m[2]), key=lambda m: -(m[2] or 0))[:6]
    for code, point, value in labelled:
        x, y = project(point)
        label = escape(t.name(grain, code).split(" (")[0])
        parts.append(
            f'<text x="{x + 8:.1f}" y="{y - 8:.1f}" class="label">{label} · {value}</text>'
        )
    parts.append(
        f'<g class="legend" transform="translate({PAD},{HEIGHT - 54})">'
        f'<rect x="-8" y="-14" width="330" height="52" rx="6" class="legend-bg"/>'
        f'<circle cx="10" cy="4" r="{max_r * 0.6:.0f}" class="mark"/>'
        f'<text x="{20 + max_r * 0.6:.0f}" y="8">≈ {round(biggest * 0.36)} accompagnements</text>'
        '<circle cx="10" cy="28" r="6" class="secret"/>'
        '<text x="22" y="32">secret statistique (moins de 5 personnes…)</text></g>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
