"""Progress along training paths, folded from the append-only event log (pure functions).

The log is a union of the events of every device; the state is computed, never stored:

1. **Cancellations.** An event of kind ``cancelled`` cancels the event it points at, unless it is
   itself cancelled (so "undo the cancellation" is one more event). Cancelled events and the
   cancellations themselves are then left out.
2. **Order.** What remains is read in ``(occurred_on, id)`` order: the day the mediator gave, then
   the device-born UUIDv7 (creation time) to break ties. Device clocks are data, not order, so two
   devices' events for the same day simply both count.
3. **Per path.** A module is ``done`` once an effective ``done`` event exists, ``started`` when only
   ``started`` events exist; ``assessed`` events record levels without changing the status. The
   path is ``completed`` when every module the catalogue lists for it is done.
4. **Per competence.** Each ``level_before``/``level_after`` is a point in time; the latest point
   is the level reached.

Titles come from the catalogue when the path is still there, else from the snapshot each event
carries: a path withdrawn while the device was offline still reads well.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.models import referentiels as ref
from app.models.training_format import PathSpec

TODO, STARTED, DONE = "todo", "started", "done"
PATH_ENROLLED, PATH_IN_PROGRESS, PATH_COMPLETED = "enrolled", "in_progress", "completed"


@dataclass(frozen=True)
class Subject:
    """Who progresses: a followed person (``person`` + follow-up code), a workshop group
    (``workshop`` + the id of the workshop session that gathers it) or the mediator (``self``)."""

    kind: str
    id: str

    @classmethod
    def myself(cls) -> Subject:
        return cls("self", "self")

    @classmethod
    def person(cls, code: str) -> Subject:
        return cls("person", code)

    @classmethod
    def workshop(cls, session_id: str) -> Subject:
        return cls("workshop", session_id)


@dataclass(frozen=True)
class Event:
    id: str
    subject: Subject
    path_id: str
    kind: str
    occurred_on: dt.date
    path_title: str
    module_id: str | None = None
    module_title: str | None = None
    module_position: int | None = None
    path_version: int | None = None
    path_module_count: int | None = None
    cancels_id: str | None = None
    group_id: str | None = None
    session_id: str | None = None
    level_before: dict[str, int] = field(default_factory=dict, hash=False)
    level_after: dict[str, int] = field(default_factory=dict, hash=False)

    @property
    def order_key(self) -> tuple[dt.date, str]:
        return (self.occurred_on, self.id)


def effective_events(events: Iterable[Event]) -> list[Event]:
    """The events that count, in ``(occurred_on, id)`` order (cancellations applied)."""
    by_id = {e.id: e for e in events}
    cancellers: dict[str, list[str]] = {}
    for e in by_id.values():
        if e.kind == "cancelled" and e.cancels_id:
            cancellers.setdefault(e.cancels_id, []).append(e.id)
    memo: dict[str, bool] = {}

    def alive(event_id: str, depth: int = 0) -> bool:
        if event_id in memo:
            return memo[event_id]
        # A cancellation chain is short in practice; a cycle (only possible with forged data)
        # must not loop forever: past 50 links, treat the event as alive.
        result = depth > 50 or not any(alive(c, depth + 1) for c in cancellers.get(event_id, ()))
        memo[event_id] = result
        return result

    kept = [e for e in by_id.values() if e.kind != "cancelled" and alive(e.id)]
    return sorted(kept, key=lambda e: e.order_key)


def cancelled_ids(events: Iterable[Event]) -> set[str]:
    """Ids of the non-cancellation events that no longer count (for the history list)."""
    events = list(events)
    alive = {e.id for e in effective_events(events)}
    return {e.id for e in events if e.kind != "cancelled" and e.id not in alive}


# ---- per path --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleProgress:
    module_id: str
    position: int
    title: str
    status: str = TODO
    started_on: dt.date | None = None
    done_on: dt.date | None = None
    session_ids: tuple[str, ...] = ()
    in_catalogue: bool = True  # False: known only from events (module or path since removed)


@dataclass(frozen=True)
class PathProgress:
    path_id: str
    title: str
    audience: str | None  # None when the path is not in this device's catalogue
    in_catalogue: bool
    withdrawn: bool
    enrolled_on: dt.date
    last_activity: dt.date
    last_key: tuple[dt.date, str]
    modules: tuple[ModuleProgress, ...]
    total: int | None  # modules of the path; None when unknown
    path_version: int | None = None

    @property
    def done_count(self) -> int:
        return sum(1 for m in self.modules if m.status == DONE and m.in_catalogue)

    @property
    def status(self) -> str:
        if self.total and self.done_count >= self.total:
            return PATH_COMPLETED
        if any(m.status != TODO for m in self.modules):
            return PATH_IN_PROGRESS
        return PATH_ENROLLED

    @property
    def fraction(self) -> float:
        return self.done_count / self.total if self.total else 0.0


def fold_path(path_id: str, events: Sequence[Event], spec: PathSpec | None) -> PathProgress:
    """One path's progress from its effective events (already in order)."""
    status: dict[str, str] = {}
    started: dict[str, dt.date] = {}
    done: dict[str, dt.date] = {}
    sessions: dict[str, list[str]] = {}
    snapshot: dict[str, tuple[int, str]] = {}
    for e in events:
        if not e.module_id:
            continue
        snapshot[e.module_id] = (e.module_position or 0, e.module_title or "")
        if e.session_id and e.session_id not in sessions.setdefault(e.module_id, []):
            sessions[e.module_id].append(e.session_id)
        if e.kind == "started":
            started.setdefault(e.module_id, e.occurred_on)
            if status.get(e.module_id) != DONE:
                status[e.module_id] = STARTED
        elif e.kind == "done":
            status[e.module_id] = DONE
            done[e.module_id] = e.occurred_on  # the latest time it was done
            started.setdefault(e.module_id, e.occurred_on)

    def progress(module_id: str, position: int, title: str, known: bool) -> ModuleProgress:
        return ModuleProgress(
            module_id=module_id,
            position=position,
            title=title,
            status=status.get(module_id, TODO),
            started_on=started.get(module_id),
            done_on=done.get(module_id) if status.get(module_id) == DONE else None,
            session_ids=tuple(sessions.get(module_id, ())),
            in_catalogue=known,
        )

    last = events[-1]
    total: int | None
    version: int | None
    audience: str | None
    if spec is not None:
        modules = [progress(m.id, m.position, m.title, True) for m in spec.modules]
        listed = {m.id for m in spec.modules}
        extra = sorted(
            (pos, title, mid) for mid, (pos, title) in snapshot.items() if mid not in listed
        )
        modules += [progress(mid, pos, title, False) for pos, title, mid in extra]
        title, audience, total = spec.title, spec.audience, len(spec.modules)
        withdrawn, version = spec.withdrawn, spec.version
    else:
        # Not in this device's catalogue: read everything from the events' snapshots.
        ordered = sorted((pos, title, mid) for mid, (pos, title) in snapshot.items())
        modules = [progress(mid, pos, title, True) for pos, title, mid in ordered]
        title, audience, withdrawn = last.path_title, None, True
        counts = [e.path_module_count for e in events if e.path_module_count]
        total = counts[-1] if counts else None
        version = last.path_version
    return PathProgress(
        path_id=path_id,
        title=title,
        audience=audience,
        in_catalogue=spec is not None,
        withdrawn=withdrawn,
        enrolled_on=events[0].occurred_on,
        last_activity=last.occurred_on,
        last_key=last.order_key,
        modules=tuple(modules),
        total=total,
        path_version=version,
    )


def fold_paths(events: Sequence[Event], specs: dict[str, PathSpec]) -> list[PathProgress]:
    """Every path with at least one effective event, most recent activity first."""
    by_path: dict[str, list[Event]] = {}
    for e in events:
        by_path.setdefault(e.path_id, []).append(e)
    paths = [fold_path(pid, evs, specs.get(pid)) for pid, evs in by_path.items()]
    return sorted(paths, key=lambda p: p.last_key, reverse=True)


# ---- per competence --------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetenceProgress:
    code: str
    points: tuple[tuple[dt.date, int], ...]  # level over time, oldest first
    target_level: int | None

    @property
    def label(self) -> str:
        return ref.label(ref.CRCN_COMPETENCES, self.code)

    @property
    def first_level(self) -> int | None:
        return self.points[0][1] if self.points else None

    @property
    def latest_level(self) -> int | None:
        return self.points[-1][1] if self.points else None

    @property
    def reached_target(self) -> bool:
        return bool(self.target_level and (self.latest_level or 0) >= self.target_level)


def fold_competences(
    events: Sequence[Event], targets: dict[str, int] | None = None
) -> list[CompetenceProgress]:
    """Level over time per competence: assessed ones, and the targeted ones (without points)."""
    points: dict[str, list[tuple[dt.date, int]]] = {}
    for e in events:
        for code, level in e.level_before.items():
            if code not in points:  # a "before" level only opens a history
                points[code] = [(e.occurred_on, level)]
        for code, level in e.level_after.items():
            points.setdefault(code, []).append((e.occurred_on, level))
    targets = targets or {}
    codes = sorted(set(points) | set(targets), key=_competence_key)
    return [CompetenceProgress(c, tuple(points.get(c, ())), targets.get(c)) for c in codes]


def _competence_key(code: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in code.split("."))
    except ValueError:
        return (99,)


# ---- next step -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    path_id: str
    path_title: str
    module_id: str
    module_title: str
    position: int
    objective: str
    done_count: int
    total: int


def next_step(paths: Sequence[PathProgress], specs: dict[str, PathSpec]) -> NextStep | None:
    """The first module not done of the most recently active path that is neither completed nor
    out of the catalogue (a withdrawn path is not suggested any more)."""
    for path in paths:  # most recent first
        spec = specs.get(path.path_id)
        if spec is None or spec.withdrawn or path.status == PATH_COMPLETED:
            continue
        status = {m.module_id: m.status for m in path.modules}
        for module in spec.modules:
            if status.get(module.id) != DONE:
                return NextStep(
                    path_id=path.path_id,
                    path_title=spec.title,
                    module_id=module.id,
                    module_title=module.title,
                    position=module.position,
                    objective=module.objective,
                    done_count=path.done_count,
                    total=len(spec.modules),
                )
    return None
