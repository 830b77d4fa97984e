"""Statistical secrecy: which figures may be shown. The rule is explained in
docs/confidentialite.md; in short:

1. *Primary*: a count between 1 and 4 is hidden. So is a count made only of such small counts
   one level down in the territorial tree (every non-zero child below 5): otherwise the
   children's table could not protect them.
2. *Secondary*: every group of cells tied by an equation (a breakdown and its total, the
   months of a year, the children of a territory and the territory itself) has either no
   hidden cell, or at least two with one that was not hidden for being small; otherwise the
   smallest visible non-zero member is hidden too, else a zero one (a hidden zero looks like
   any hidden count), else the total. This is
   repeated until nothing changes, over all the groups of a table at once (rows and columns).
3. The tree is solved from the top: a territory's figures are decided among its siblings with
   its parent's figures already fixed, so that every page that shows a figure shows it the
   same way (shown or hidden), whichever page it is.
4. A figure made of several nodes (an EPCI straddling départements, a coordinator's several
   structures) is shown only when every part is shown.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 5


def is_small(value: int) -> bool:
    return 0 < value < THRESHOLD


@dataclass(frozen=True)
class Group:
    """``total`` equals the sum of ``members`` (cells are any hashable keys)."""

    total: Hashable
    members: tuple[Hashable, ...]


def suppress(
    values: Mapping[Hashable, int],
    groups: Iterable[Group],
    fixed: Mapping[Hashable, bool] | None = None,
    also_primary: Iterable[Hashable] = (),
) -> set[Hashable]:
    """The hidden cells. ``fixed`` cells (decided elsewhere: True = hidden) never change;
    ``also_primary`` adds cells to hide for a reason of their own."""
    fixed = fixed or {}
    primary = {c for c, v in values.items() if is_small(v) and c not in fixed}
    primary |= {c for c in also_primary if c not in fixed and values.get(c, 0) > 0}
    hidden = primary | {c for c, h in fixed.items() if h}
    ordered = sorted(groups, key=lambda g: repr(g.total))
    changed = True
    while changed:
        changed = False
        for group in ordered:
            # One equation over the total and its members: 0 hidden cells, or at least two of
            # them with one that is not small (else each small one could be pinned down).
            cells = (group.total, *group.members)
            hidden_cells = [c for c in cells if c in hidden]
            if not hidden_cells:
                continue
            if len(hidden_cells) >= 2 and any(c not in primary for c in hidden_cells):
                continue
            # Non-zero cells first; then a zero, which hidden is as good as any small count.
            candidates = [m for m in group.members if m not in hidden and m not in fixed]
            if candidates:
                hidden.add(
                    min(
                        candidates, key=lambda m: (values.get(m, 0) == 0, values.get(m, 0), repr(m))
                    )
                )
                changed = True
            elif group.total not in hidden and group.total not in fixed:
                hidden.add(group.total)
                changed = True
    return hidden


def union_hidden(parts_hidden: Sequence[bool]) -> bool:
    """A figure summed over several nodes is hidden when any part is."""
    return any(parts_hidden)
