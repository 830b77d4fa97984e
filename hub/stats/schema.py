"""Aggregate tables of the hub's statistics: the sum of the contributions of every counted
session (hub/stats/maintain.py). A pushed session waits flagged ``uncounted`` until the drain
counts it — in the background while the hub is quiet, and always before anything reads these
tables — and the tables are rebuildable from the records (``carnet-hub rebuild-aggregates``).

Every contribution is stored twice: under its month (``"2025-03"``) and its year (``"2025"``).

- ``stat_cell``: per month × mediator × commune × tag × (dimension, value), the additive
  measures of the national indicators. ``tag`` is ``""`` for every session, or one tag name
  (a session with two tags is also counted once under each of them). Dimension ``total`` /
  value ``total`` holds the indicators; the other dimensions are the breakdowns.
- ``stat_area``: the same without the mediator, at three territorial levels (``commune``,
  ``epci`` — an EPCI's part inside one département, code ``SIREN:dep`` —, ``departement``;
  code ``""`` = sessions without a commune), so that a région dashboard reads a few thousand
  rows whatever the number of sessions.
- ``stat_person``: per-person facts (a follow-up code seen in a month, a commune, by a
  mediator, under a tag), so that "people reached" is a true distinct count over any period
  and territory; ``stat_person_first`` holds each code's first month (new vs returning);
  ``stat_people`` the distinct counts per node and year, derived from them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table

from hub.models import Base

MEASURES = (
    "activities",
    "accomp",
    "minutes",
    "individual",
    "workshops",
    "participants",
    "anonymous",
    "ws_returning",
    "ws_unknown",
)


def _measures() -> list[Column]:
    return [Column(name, BigInteger, nullable=False, default=0) for name in MEASURES]


STAT_CELL = Table(
    "stat_cell",
    Base.metadata,
    Column("month", String(7), primary_key=True),
    Column("mediator_id", String(36), primary_key=True),
    Column("commune", String(5), primary_key=True),
    Column("tag", String(80), primary_key=True),
    Column("dim", String(16), primary_key=True),
    Column("value", String(64), primary_key=True),
    *_measures(),
)
Index("ix_stat_cell_mediator_month", STAT_CELL.c.mediator_id, STAT_CELL.c.month)
Index("ix_stat_cell_month", STAT_CELL.c.month, STAT_CELL.c.tag)

STAT_AREA = Table(
    "stat_area",
    Base.metadata,
    Column("level", String(12), primary_key=True),
    Column("code", String(16), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("tag", String(80), primary_key=True),
    Column("dim", String(16), primary_key=True),
    Column("value", String(64), primary_key=True),
    # The node above (an EPCI part for a commune, a département for an EPCI part).
    Column("parent", String(16), nullable=False, default=""),
    *_measures(),
)
Index("ix_stat_area_level_month", STAT_AREA.c.level, STAT_AREA.c.tag, STAT_AREA.c.month)
Index("ix_stat_area_dim", STAT_AREA.c.dim, STAT_AREA.c.level, STAT_AREA.c.tag, STAT_AREA.c.month)

STAT_PERSON = Table(
    "stat_person",
    Base.metadata,
    Column("beneficiary_id", String(36), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("mediator_id", String(36), primary_key=True),
    Column("commune", String(5), primary_key=True),
    Column("tag", String(80), primary_key=True),
    Column("piece", String(16), nullable=False, default=""),
    Column("departement", String(3), nullable=False, default=""),
    Column("sessions", Integer, nullable=False, default=0),
)
Index("ix_stat_person_tag_month", STAT_PERSON.c.tag, STAT_PERSON.c.month)

STAT_PERSON_FIRST = Table(
    "stat_person_first",
    Base.metadata,
    Column("beneficiary_id", String(36), primary_key=True),
    Column("first_month", String(7), nullable=False),
)

STAT_PEOPLE = Table(
    "stat_people",
    Base.metadata,
    # Distinct people per node, year and tag, kept up to date from ``stat_person`` for the
    # people a change touches (hub/stats/maintain.py): a dashboard reads a few rows instead of
    # counting distinct codes over hundreds of thousands of facts. Nodes: the hub (code ""),
    # a mediator (a follow-up code belongs to one mediator: a structure adds its mediators'),
    # a département, an EPCI part, a commune.
    Column("level", String(12), primary_key=True),
    Column("code", String(36), primary_key=True),
    Column("period", String(4), primary_key=True),
    Column("tag", String(80), primary_key=True),
    Column("parent", String(16), nullable=False, default=""),
    Column("persons", BigInteger, nullable=False, default=0),
    Column("returned", BigInteger, nullable=False, default=0),
)
