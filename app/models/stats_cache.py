"""Tables of the statistics cache: each calendar month's already-counted figures.

- ``stats_month``: per month and per filter of « Mes statistiques », the partial results of
  that month as app/services/stats.py counts them (the counters of every breakdown, the
  measures, and the follow-up codes seen, so that distinct people and new-vs-returning stay
  exact over any union of months). ``format`` is the layout of ``tally``; rows of another
  format are ignored.
- ``stats_cache_state``: one row; ``epoch`` goes up with every change of a session that the
  statistics read. A month counted from rows is stored only if the epoch has not moved since
  the count began, so a session saved meanwhile cannot leave a stale month behind.

Both are kept in step by SQLite triggers on ``accompagnement`` (migration 0009): any insert,
delete, or update of a column the statistics read deletes the cached rows of the session's old
and new months and moves the epoch. Every write path (the session form, imports, the sync
engine, beneficiary merges, hand-made SQL) is covered without Python code having to remember
it. The statistics use the cache only while the triggers exist (``STATS_TRIGGERS``).
"""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

STATS_TRIGGERS = ("stats_month_ai", "stats_month_au", "stats_month_ad")


class StatsMonth(Base):
    __tablename__ = "stats_month"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "YYYY-MM"
    filter_key: Mapped[str] = mapped_column(String(400), primary_key=True)  # "" = no filter
    format: Mapped[int] = mapped_column(Integer)
    tally: Mapped[str] = mapped_column(Text)  # JSON: counters and measures of the month
    codes: Mapped[str] = mapped_column(Text)  # follow-up ids seen, joined by char(31)


class StatsCacheState(Base):
    __tablename__ = "stats_cache_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    epoch: Mapped[int] = mapped_column(Integer)
