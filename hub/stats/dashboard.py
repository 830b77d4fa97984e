"""A dashboard: the figures of one scope (a territory, some structures) for one year, with
every figure either shown or hidden by the secrecy rule (hub/stats/secrecy.py).

The territorial tree is solved from the top (the hub, its départements, their EPCI parts, their
communes): each level's table is decided with its parent's figures fixed, so that one figure
has the same status on every page, export and API answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import referentiels as ref
from hub.models import RECORD_TABLES, Mediator, Structure
from hub.stats.maintain import NOT_ORIENTED
from hub.stats.query import (
    BREAKDOWN_UNITS,
    INDICATORS,
    MULTI_VALUED,
    Figures,
    Period,
    area_figures,
    finish,
    hub_figures,
    structure_figures,
    venue_figures,
)
from hub.stats.secrecy import THRESHOLD, Group, suppress
from hub.stats.territory import NO_PLACE, Territories

Hidden = set[str]
NC = ref.NON_COMMUNIQUE

INDICATOR_LABELS: dict[str, str] = {
    "activities": "Activités",
    "individual": "Accompagnements individuels",
    "workshops": "Ateliers collectifs",
    "participants": "Participants aux ateliers",
    "accomp": "Accompagnements",
    "people": "Personnes accompagnées",
    "codes": "dont suivies par un code",
    "anonymous": "Accompagnements sans code de suivi",
    "new": "Nouvelles personnes",
    "returning": "Déjà accompagnées",
    "unknown": "Statut inconnu",
}
BREAKDOWN_TITLES: tuple[tuple[str, str], ...] = (
    ("type", "Type d'activité"),
    ("theme", "Thématiques"),
    ("place_type", "Type de lieu"),
    ("materiel", "Matériel utilisé"),
    ("duration", "Durée"),
    ("autonomy", "Autonomie (accompagnements individuels)"),
    ("orientation", "Orientation (accompagnements individuels)"),
    ("age", "Tranche d'âge"),
    ("genre", "Genre"),
    ("statut", "Statut"),
)
UNIT_LABELS = {
    "activities": "activités",
    "individual": "accompagnements individuels",
    "accomp": "accompagnements",
}
_NC_LABEL = {NC: "Non communiqué"}
CODE_LABELS: dict[str, dict[str, str]] = {
    "type": ref.TYPES,
    "theme": ref.THEMES,
    "place_type": {**ref.PLACE_TYPES, **_NC_LABEL},
    "materiel": ref.MATERIELS,
    "duration": ref.DURATION_BUCKETS,
    "autonomy": {**ref.AUTONOMIES, **_NC_LABEL},
    "orientation": {NOT_ORIENTED: "Pas d'orientation", **ref.ORIENTATIONS, **_NC_LABEL},
    "age": {**ref.TRANCHES_AGE, **_NC_LABEL},
    "genre": {**ref.GENRES, **_NC_LABEL},
    "statut": {**ref.STATUTS, **_NC_LABEL},
}


# ---- the secrecy of one table -----------------------------------------------------------------
def count_columns(figs: Mapping[str, int], months: bool) -> list[str]:
    cols = [c for c in INDICATORS]
    for key in figs:
        if ":" in key and not key.startswith("mm:"):
            if key.startswith(("ma:", "mc:")) and not months:
                continue
            cols.append(key)
    return cols


def row_groups(figs: Mapping[str, int], months: bool) -> list[tuple[str, tuple[str, ...]]]:
    """The equations inside one row (total, members)."""
    groups: list[tuple[str, tuple[str, ...]]] = [
        ("activities", ("individual", "workshops")),
        ("accomp", ("individual", "participants")),
        ("people", ("new", "returning", "unknown")),
        ("people", ("codes", "anonymous", "participants")),
    ]
    by_dim: dict[str, list[str]] = defaultdict(list)
    for key in figs:
        dim, sep, _ = key.partition(":")
        if not sep or key.startswith("mm:"):
            continue
        if dim in ("ma", "mc") and not months:
            continue
        by_dim[dim].append(key)
    for dim, keys in sorted(by_dim.items()):
        if dim in MULTI_VALUED:
            continue
        if dim == "ma":
            groups.append(("activities", tuple(sorted(keys))))
        elif dim == "mc":
            groups.append(("accomp", tuple(sorted(keys))))
        elif dim in BREAKDOWN_UNITS:
            groups.append((BREAKDOWN_UNITS[dim], tuple(sorted(keys))))
    return groups


def column_max(children: Iterable[Mapping[str, int]]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for figs in children:
        for key, value in figs.items():
            if value > out[key]:
                out[key] = value
    return out


def solve_table(
    rows: Mapping[str, Figures],
    parent: tuple[Figures, Hidden] | None,
    children_max: Mapping[str, Mapping[str, int]] | None = None,
    months: bool = True,
) -> dict[str, Hidden]:
    """Hidden columns of each row of a table whose rows add up to ``parent`` (fixed)."""
    values: dict[Any, int] = {}
    groups: list[Group] = []
    all_cols: set[str] = set()
    for key, figs in rows.items():
        cols = count_columns(figs, months)
        all_cols.update(cols)
        for col in cols:
            values[(key, col)] = figs.get(col, 0)
        for total, members in row_groups(figs, months):
            groups.append(Group((key, total), tuple((key, m) for m in members)))
    fixed: dict[Any, bool] = {}
    if parent is not None:
        pfigs, phidden = parent
        for col in sorted(all_cols):
            fixed[("^", col)] = col in phidden
            values[("^", col)] = pfigs.get(col, 0)
            groups.append(Group(("^", col), tuple((key, col) for key in sorted(rows))))
            # A single non-zero row is the parent's figure itself: same status.
            nonzero = [key for key in rows if rows[key].get(col, 0) > 0]
            if len(nonzero) == 1:
                fixed[(nonzero[0], col)] = col in phidden
    also: list[Any] = []
    if children_max is not None:
        for key, figs in rows.items():
            cmax = children_max.get(key)
            if cmax is None:
                continue
            for col in count_columns(figs, months=False):
                if figs.get(col, 0) > 0 and cmax.get(col, 0) < THRESHOLD:
                    also.append((key, col))
    hidden: set[Any] = suppress(values, groups, fixed, also)
    out: dict[str, Hidden] = {key: set() for key in rows}
    for row_key, column in hidden:
        if row_key != "^":
            out[str(row_key)].add(str(column))
    for shut in out.values():
        if "activities" in shut:
            shut.add("minutes")
        shut.update(f"mm:{c[3:]}" for c in list(shut) if c.startswith("ma:"))
    return out


# ---- the tree --------------------------------------------------------------------------------
@dataclass
class Node:
    figures: Figures
    hidden: Hidden


class Tree:
    """Lazily solved levels of the territorial tree for one year and tag."""

    def __init__(self, db: Session, territories: Territories, period: Period, tag: str) -> None:
        self.db = db
        self.t = territories
        self.period = period
        self.tag = tag
        self._root: Node | None = None
        self._deps: dict[str, Node] | None = None
        self._pieces: dict[str, dict[str, Node]] = {}
        self._communes: dict[str, dict[str, Node]] = {}
        self._dep_rows: dict[str, Figures] | None = None

    def _dep_figures(self) -> dict[str, Figures]:
        if self._dep_rows is None:
            self._dep_rows = area_figures(self.db, "departement", self.period, self.tag)
        return self._dep_rows

    def root(self) -> Node:
        if self._root is None:
            figs = hub_figures(self.db, self.period, self.tag, self._dep_figures())
            cmax = column_max(self._dep_figures().values())
            hidden = solve_table({"": figs}, None, {"": cmax})[""]
            self._root = Node(figs, hidden)
        return self._root

    def departements(self) -> dict[str, Node]:
        if self._deps is None:
            deps = self._dep_figures()
            pieces = area_figures(self.db, "epci", self.period, self.tag, months=False)
            by_dep: dict[str, list[Figures]] = defaultdict(list)
            for code, figs in pieces.items():
                by_dep[code.rpartition(":")[2]].append(figs)
            cmax = {d: column_max(by_dep[d]) for d in deps if d != NO_PLACE}
            root = self.root()
            hidden = solve_table(deps, (root.figures, root.hidden), cmax)
            self._deps = {d: Node(deps[d], hidden[d]) for d in deps}
        return self._deps

    def _dep_communes(self, dep: str) -> dict[str, Figures]:
        return area_figures(
            self.db,
            "commune",
            self.period,
            self.tag,
            codes=[c.insee for c in self.t.communes_of("departement", dep)],
            months=False,
        )

    def pieces(self, dep: str) -> dict[str, Node]:
        if dep not in self._pieces:
            parent = self.departements().get(dep)
            rows = area_figures(self.db, "epci", self.period, self.tag, parent=dep)
            communes = self._dep_communes(dep)
            by_piece: dict[str, dict[str, Figures]] = defaultdict(dict)
            for code, figs in communes.items():
                place = self.t.place(code)
                if place is not None:
                    by_piece[place.piece][code] = figs
            if parent is None:
                self._pieces[dep] = {}
            else:
                cmax = {p: column_max(by_piece[p].values()) for p in rows}
                hidden = solve_table(rows, (parent.figures, parent.hidden), cmax)
                self._pieces[dep] = {p: Node(rows[p], hidden[p]) for p in rows}
            for piece, members in by_piece.items():
                node = self._pieces[dep].get(piece)
                if node is None:
                    continue
                hidden_c = solve_table(members, (node.figures, node.hidden), None, months=False)
                self._communes[piece] = {c: Node(members[c], hidden_c[c]) for c in members}
        return self._pieces[dep]

    def communes(self, piece: str) -> dict[str, Node]:
        self.pieces(piece.rpartition(":")[2])
        return self._communes.get(piece, {})

    def node(self, level: str, code: str) -> Node | None:
        if level == "hub":
            return self.root()
        if level == "departement":
            return self.departements().get(code)
        if level == "epci":
            return self.pieces(code.rpartition(":")[2]).get(code)
        place = self.t.place(code)
        if place is None:
            return None
        return self.communes(place.piece).get(code)

    def children(self, level: str, code: str) -> tuple[str, dict[str, Node]]:
        if level == "hub":
            return "departement", self.departements()
        if level == "departement":
            return "epci", self.pieces(code)
        if level == "epci":
            return "commune", self.communes(code)
        return "", {}


def union(nodes: list[Node]) -> Node:
    """Several nodes as one: a figure is shown only if it is shown in every part."""
    if len(nodes) == 1:
        return nodes[0]
    total: dict[str, int] = defaultdict(int)
    hidden: Hidden = set()
    for node in nodes:
        for key, value in node.figures.items():
            total[key] += value
        hidden |= node.hidden
    # Distinct counts do not add up: the parts' sum is an upper bound, kept as is.
    return Node(dict(total), hidden)


# ---- what a page shows ----------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """``level`` hub / departement / epci (a whole EPCI: its SIREN) / commune / structures."""

    level: str
    code: str = ""
    structures: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        if self.level == "structures":
            return "structures:" + ",".join(self.structures)
        return f"{self.level}:{self.code}"


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    value: int | None  # None: hidden
    share: float | None


@dataclass(frozen=True)
class BreakdownView:
    key: str
    title: str
    unit: str
    total: int | None
    multi: bool
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class MonthView:
    month: str
    activities: int | None
    accomp: int | None
    hours: float | None


@dataclass(frozen=True)
class AreaRow:
    level: str
    code: str
    label: str
    activities: int | None
    accomp: int | None
    people: int | None
    hours: float | None


@dataclass(frozen=True)
class VenueRow:
    venue_id: str
    name: str
    commune: str
    activities: int | None
    accomp: int | None
    hours: float | None


@dataclass
class Dashboard:
    scope: Scope
    title: str
    period: Period
    tag: str
    indicators: dict[str, int | None]
    hours: float | None
    breakdowns: list[BreakdownView]
    trend: list[MonthView]
    children_level: str
    children: list[AreaRow]
    venues: list[VenueRow] = field(default_factory=list)

    @property
    def hidden_count(self) -> int:
        n = sum(1 for v in self.indicators.values() if v is None)
        n += sum(1 for b in self.breakdowns for r in b.rows if r.value is None)
        return n + sum(1 for c in self.children if c.accomp is None)


def _shown(node: Node, col: str) -> int | None:
    return None if col in node.hidden else int(node.figures.get(col, 0))


def _hours(node: Node, col: str = "minutes") -> float | None:
    return None if col in node.hidden else round(node.figures.get(col, 0) / 60, 1)


def _breakdowns(node: Node) -> list[BreakdownView]:
    out = []
    for key, title in BREAKDOWN_TITLES:
        unit = BREAKDOWN_UNITS[key]
        labels = CODE_LABELS[key]
        present = {k.partition(":")[2] for k in node.figures if k.startswith(key + ":")}
        codes = [c for c in labels if c in present or key not in MULTI_VALUED] + sorted(
            c for c in present if c not in labels
        )
        total = _shown(node, unit)
        rows = []
        for code in codes:
            value = _shown(node, f"{key}:{code}")
            base = node.figures.get(unit, 0)
            share = value / base if value is not None and base and total is not None else None
            rows.append(Row(code, labels.get(code, code), value, share))
        out.append(
            BreakdownView(key, title, UNIT_LABELS[unit], total, key in MULTI_VALUED, tuple(rows))
        )
    return out


def _trend(node: Node, period: Period) -> list[MonthView]:
    if not any(k.startswith("ma:") for k in node.figures) and not node.figures.get("activities"):
        return [MonthView(m, 0, 0, 0.0) for m in period.months]
    if not any(k.startswith("ma:") for k in node.figures):
        return []
    return [
        MonthView(m, _shown(node, f"ma:{m}"), _shown(node, f"mc:{m}"), _hours(node, f"mm:{m}"))
        for m in period.months
    ]


def _area_rows(t: Territories, level: str, nodes: Mapping[str, Node]) -> list[AreaRow]:
    rows = [
        AreaRow(
            level,
            code,
            t.name(level, code),
            _shown(n, "activities"),
            _shown(n, "accomp"),
            _shown(n, "people"),
            _hours(n),
        )
        for code, n in nodes.items()
        if n.figures.get("activities") or n.figures.get("accomp")
    ]
    rows.sort(key=lambda r: (r.code == NO_PLACE, r.label.casefold()))
    return rows


def _venues(
    db: Session, period: Period, tag: str, communes: list[str] | None, mediators: list[str] | None
) -> list[VenueRow]:
    mine = venue_figures(db, period, tag, communes, mediators)
    if not mine:
        return []
    # Each venue is decided within its commune (all the venues there), whoever looks.
    wanted = sorted({v.commune for v in mine})
    everyone = venue_figures(db, period, tag, wanted, None)
    values: dict[Any, int] = {}
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for v in everyone:
        for measure in ("activities", "accomp"):
            cell = (v.venue_id, v.commune, measure)
            values[cell] = getattr(v, measure)
            groups[(v.commune, measure)].append(cell)
    fixed: dict[Any, bool] = {}
    group_list = []
    for (commune, measure), members in groups.items():
        total = ("Σ", commune, measure)
        values[total] = sum(values[m] for m in members)
        fixed[total] = False
        group_list.append(Group(total, tuple(sorted(members))))
    hidden = suppress(values, group_list, fixed)
    # A commune whose venues are all small: the group cannot be protected by a complement, so
    # every venue there stays hidden (done above by the primary rule).
    venue_table = RECORD_TABLES["venue"]
    ids = sorted({v.venue_id for v in mine})
    names = dict(
        db.execute(
            select(venue_table.c.id, venue_table.c.name).where(venue_table.c.id.in_(ids))
        ).all()
    )
    out = []
    for v in mine:
        shown = not any((v.venue_id, v.commune, m) in hidden for m in ("activities", "accomp"))
        out.append(
            VenueRow(
                v.venue_id,
                names.get(v.venue_id, "Lieu inconnu"),
                v.commune,
                v.activities if shown else None,
                v.accomp if shown else None,
                round(v.minutes / 60, 1) if shown else None,
            )
        )
    out.sort(key=lambda r: (r.activities is None, -(r.activities or 0), r.name.casefold()))
    return out


def _structure_nodes(db: Session, tree: Tree) -> dict[str, Node]:
    rows = structure_figures(db, tree.period, tree.tag)
    root = tree.root()
    hidden = solve_table(rows, (root.figures, root.hidden), None)
    return {s: Node(rows[s], hidden[s]) for s in rows}


def build(
    db: Session,
    territories: Territories,
    scope: Scope,
    period: Period,
    tag: str = "",
    with_venues: bool = True,
) -> Dashboard:
    tree = Tree(db, territories, period, tag)
    children_level = ""
    children: list[AreaRow] = []
    communes: list[str] | None = None
    mediators: list[str] | None = None
    if scope.level == "structures":
        nodes = _structure_nodes(db, tree)
        empty = Node(finish({}), set())
        node = union([nodes.get(s, empty) for s in scope.structures])
        names = dict(db.execute(select(Structure.id, Structure.name)).all())
        title = ", ".join(names.get(s, s) for s in scope.structures) or "Aucune structure"
        mediators = list(
            db.scalars(select(Mediator.id).where(Mediator.structure_id.in_(scope.structures)))
        )
    elif scope.level == "epci" and ":" not in scope.code:
        parts = territories.epci_parts(scope.code)
        found = [n for n in (tree.node("epci", p) for p in parts) if n is not None]
        node = union(found) if found else Node(finish({}), set())
        title = territories.name("epci", parts[0] if parts else scope.code)
        children_level = "commune"
        for part in parts:
            children += _area_rows(territories, "commune", tree.communes(part))
        communes = [c.insee for c in territories.communes_of("epci", scope.code)]
    else:
        found_node = tree.node(scope.level, scope.code)
        node = found_node or Node(finish({}), set())
        title = territories.name(scope.level, scope.code)
        children_level, kids = tree.children(scope.level, scope.code)
        children = _area_rows(territories, children_level, kids)
        if scope.level != "hub":
            communes = [c.insee for c in territories.communes_of(scope.level, scope.code)]
    indicators = {k: _shown(node, k) for k in INDICATORS}
    venues = _venues(db, period, tag, communes, mediators) if with_venues else []
    return Dashboard(
        scope=scope,
        title=title,
        period=period,
        tag=tag,
        indicators=indicators,
        hours=_hours(node),
        breakdowns=_breakdowns(node),
        trend=_trend(node, period),
        children_level=children_level,
        children=children,
        venues=venues,
    )
