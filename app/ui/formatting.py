"""How dates, durations and national codes are shown (French conventions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from app.models import referentiels as ref


def format_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def format_duration(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def theme_labels(codes: Iterable[str]) -> list[str]:
    return [ref.label(ref.THEMES, c) for c in codes]


def kind_label(kind: str) -> str:
    return ref.label(ref.TYPES, kind)
