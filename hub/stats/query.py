"""Reading the aggregate tables: the figures of territorial nodes and structures for a year.

A node's figures are a flat ``dict[str, int]`` of columns: the indicators (``activities``,
``accomp``, ``people``…), the breakdowns (``"theme:email"``), the monthly trend
(``"ma:2025-03"`` activities, ``"mc:…"`` accompagnements, ``"mm:…"`` minutes). Derived
indicators follow the national counting rules (app/services/stats.py, the desktop's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from hub.stats.schema import MEASURES

Figures = dict[str, int]

# Breakdowns: the measure each one counts (the desktop's units).
BREAKDOWN_UNITS: dict[str, str] = {
    "type": "activities",
    "place_type": "activities",
    "duration": "activities",
    "theme": "activities",
    "materiel": "activities",
    "autonomy": "individual",
    "orientation": "individual",
    "age": "accomp",
    "genre": "accomp",
    "statut": "accomp",
}
MULTI_VALUED = frozenset({"theme", "materiel"})
INDICATORS = (
    "activities",
    "individual",
    "workshops",
    "participants",
    "accomp",
    "people",
    "codes",
    "anonymous",
    "new",
    "returning",
    "unknown",
)


@dataclass(frozen=True)
class Period:
    """A calendar year (the hub publishes whole years, with their months: see
    docs/confidentialite.md)."""

    year: int

    @property
    def first(self) -> str:
        return f"{self.year:04d}-01"

    @property
    def last(self) -> str:
        return f"{self.year:04d}-12"

    @property
    def months(self) -> list[str]:
        return [f"{self.year:04d}-{m:02d}" for m in range(1, 13)]

    @property
    def label(self) -> str:
        return str(self.year)


def finish(raw: dict[str, int]) -> Figures:
    """Derived indicators from the stored measures and the person counts."""
    f = defaultdict(int, raw)
    codes_new = f["codes"] - f["codes_returning"]
    f["people"] = f["codes"] + f["anonymous"] + f["participants"]
    f["new"] = codes_new + f["participants"] - f["ws_returning"] - f["ws_unknown"]
    f["returning"] = f["codes_returning"] + f["ws_returning"]
    f["unknown"] = f["anonymous"] + f["ws_unknown"]
    return dict(f)


DERIVED = ("people", "new", "returning", "unknown")
_SUMS = ", ".join(f"sum({m})" for m in MEASURES)


def _add_rows(out: dict[str, dict[str, int]], rows: Iterable[Any]) -> None:
    for code, dim, value, *sums in rows:
        figs = out.setdefault(code, defaultdict(int))
        if dim == "total":
            for name, v in zip(MEASURES, sums, strict=True):
                figs[name] += int(v or 0)
        elif dim == "venue":
            continue
        else:
            unit = BREAKDOWN_UNITS.get(dim, "activities")
            column = "activities" if unit == "individual" else unit
            figs[f"{dim}:{value}"] += int(sums[MEASURES.index(column)] or 0)


def _add_months(out: dict[str, dict[str, int]], rows: Iterable[Any]) -> None:
    for code, month, activities, accomp, minutes in rows:
        figs = out.setdefault(code, defaultdict(int))
        figs[f"ma:{month}"] += int(activities or 0)
        figs[f"mc:{month}"] += int(accomp or 0)
        figs[f"mm:{month}"] += int(minutes or 0)


def _add_people(out: dict[str, dict[str, int]], rows: Iterable[Any]) -> None:
    for code, codes, returning in rows:
        figs = out.setdefault(code, defaultdict(int))
        figs["codes"] += int(codes or 0)
        figs["codes_returning"] += int(returning or 0)


# Distinct people per node, maintained in stat_people (hub/stats/maintain.recount_people).
_PEOPLE = """
SELECT {key}, sum(persons), sum(returned) FROM stat_people p {join}
WHERE p.level = :plevel AND p.tag = :tag AND p.period = :y {where}
GROUP BY {key}
"""


def _in(column: str, values: list[str], params: dict[str, Any], prefix: str) -> str:
    names = []
    for i, value in enumerate(values):
        params[f"{prefix}{i}"] = value
        names.append(f":{prefix}{i}")
    return f" AND {column} IN ({', '.join(names) or 'NULL'})"


def area_figures(
    db: Session,
    level: str,
    period: Period,
    tag: str = "",
    parent: str | None = None,
    codes: list[str] | None = None,
    months: bool = True,
) -> dict[str, Figures]:
    """Figures of the nodes of ``level`` (``departement``, ``epci`` parts, ``commune``),
    optionally only the children of ``parent`` or the given ``codes``."""
    params: dict[str, Any] = {"level": level, "tag": tag, "y": period.label}
    params.update(a=period.first, b=period.last)
    where = ""
    if parent is not None:
        where += " AND parent = :parent"
        params["parent"] = parent
    if codes is not None:
        where += _in("code", codes, params, "c")
    out: dict[str, dict[str, int]] = {}
    base = f"FROM stat_area WHERE level = :level AND tag = :tag AND month = :y{where}"
    months_base = (
        f"FROM stat_area WHERE level = :level AND tag = :tag AND month BETWEEN :a AND :b{where}"
    )
    _add_rows(
        out,
        db.execute(
            text(f"SELECT code, dim, value, {_SUMS} {base} GROUP BY code, dim, value"), params
        ),
    )
    if months:
        _add_months(
            out,
            db.execute(
                text(
                    "SELECT code, month, sum(activities), sum(accomp), sum(minutes) "
                    f"{months_base} AND dim = 'total' GROUP BY code, month"
                ),
                params,
            ),
        )
    params["plevel"] = level
    pwhere = ""
    if parent is not None:
        pwhere += " AND p.parent = :parent"
    if codes is not None:
        pwhere += _in("p.code", codes, params, "p")
    _add_people(out, db.execute(text(_PEOPLE.format(key="p.code", join="", where=pwhere)), params))
    return {code: finish(figs) for code, figs in out.items()}


def hub_figures(
    db: Session, period: Period, tag: str = "", deps: dict[str, Figures] | None = None
) -> Figures:
    """The whole hub (the root of the tree): the départements and the sessions without one
    (``deps``: their figures when already read)."""
    rows = deps if deps is not None else area_figures(db, "departement", period, tag)
    total: dict[str, int] = defaultdict(int)
    for figs in rows.values():
        for key, value in figs.items():
            if key not in ("codes", "codes_returning", *DERIVED):
                total[key] += value
    params = {"tag": tag, "y": period.label, "plevel": "hub"}
    people = db.execute(text(_PEOPLE.format(key="p.tag", join="", where="")), params).all()
    total["codes"] = int(people[0][1]) if people else 0
    total["codes_returning"] = int(people[0][2]) if people else 0
    return finish(total)


def structure_figures(
    db: Session, period: Period, tag: str = "", structures: list[str] | None = None
) -> dict[str, Figures]:
    """Figures per structure (``""``: mediators without a structure), from the mediator cube."""
    params: dict[str, Any] = {"tag": tag, "a": period.first, "b": period.last, "y": period.label}
    where = ""
    if structures is not None:
        where = _in("coalesce(m.structure_id, '')", structures, params, "s")
    base = (
        "FROM stat_cell c JOIN mediator m ON m.id = c.mediator_id "
        f"WHERE c.tag = :tag AND c.month = :y{where}"
    )
    months_base = base.replace("c.month = :y", "c.month BETWEEN :a AND :b")
    key = "coalesce(m.structure_id, '')"
    out: dict[str, dict[str, int]] = {}
    _add_rows(
        out,
        db.execute(
            text(f"SELECT {key}, c.dim, c.value, {_SUMS} {base} GROUP BY {key}, c.dim, c.value"),
            params,
        ),
    )
    _add_months(
        out,
        db.execute(
            text(
                f"SELECT {key}, c.month, sum(c.activities), sum(c.accomp), sum(c.minutes) "
                f"{months_base} AND c.dim = 'total' GROUP BY {key}, c.month"
            ),
            params,
        ),
    )
    params["plevel"] = "mediator"
    _add_people(
        out,
        db.execute(
            text(_PEOPLE.format(key=key, join="JOIN mediator m ON m.id = p.code", where=where)),
            params,
        ),
    )
    return {code: finish(figs) for code, figs in out.items()}


@dataclass(frozen=True)
class VenueFigures:
    venue_id: str
    commune: str
    activities: int
    accomp: int
    minutes: int


def venue_figures(
    db: Session,
    period: Period,
    tag: str = "",
    communes: list[str] | None = None,
    mediators: list[str] | None = None,
) -> list[VenueFigures]:
    params: dict[str, Any] = {"tag": tag, "y": period.label}
    where = ""
    if communes is not None:
        where += _in("{commune}", communes, params, "c")
    if mediators is not None:
        # A structure's venues: from the mediator cube.
        where += _in("mediator_id", mediators, params, "m")
        sql = (
            "SELECT value, commune, sum(activities), sum(accomp), sum(minutes) FROM stat_cell "
            "WHERE tag = :tag AND month = :y AND dim = 'venue'"
            f"{where.format(commune='commune')} GROUP BY value, commune"
        )
    else:
        sql = (
            "SELECT value, code, sum(activities), sum(accomp), sum(minutes) FROM stat_area "
            "WHERE level = 'commune' AND dim = 'venue' AND tag = :tag AND month = :y"
            f"{where.format(commune='code')} GROUP BY value, code"
        )
    rows = db.execute(text(sql), params)
    return [VenueFigures(v, c, int(a or 0), int(p or 0), int(m or 0)) for v, c, a, p, m in rows]
