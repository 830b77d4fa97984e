"""Multi-valued national codes stored as ``|a|b|`` text (fast ``LIKE '%|code|%'`` filters)."""

from __future__ import annotations

from collections.abc import Iterable


def join_codes(codes: Iterable[str]) -> str:
    items = [c for c in codes if c]
    return "|" + "|".join(items) + "|" if items else ""


def split_codes(text: str | None) -> list[str]:
    return [c for c in (text or "").split("|") if c]
