"""Training paths and progress: the catalogue, enrolments, module progress and their views.

The catalogue is the hub's versioned snapshot plus the mediator's own paths; progress is an
append-only event log (app/models/training.py), folded by app/services/progress.py. Every write
queues its outbox entry in the same transaction (entities ``training_path`` for local paths,
``progress_event`` for events); hub paths never go to the outbox.

Workshop groups: a workshop's participants are counters, not people, so a group is tracked as
one subject (the workshop session that gathers it) whose module completion is the group's. When
the mediator also enrols the follow-up codes of some participants in the group, each of them gets
their own events too (tagged with the group), and the matrix shows one row per code under the
group's row. Counters are never turned into invented people.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import referentiels as ref
from app.models.base import utcnow
from app.models.entities import Accompagnement, Beneficiary, OutboxEntry
from app.models.ids import new_id
from app.models.training import (
    SELF_SUBJECT_ID,
    CatalogueUpdate,
    ProgressEvent,
    TrainingPath,
    apply_catalogue_snapshot,
    catalogue_state,
    dump_levels,
    load_levels,
    path_payload,
    read_paths,
    write_path_spec,
)
from app.models.training_format import (
    LEVEL_MAX,
    LEVEL_MIN,
    PathFormatError,
    PathSpec,
    check_path,
    path_from_json,
    path_to_json,
)
from app.paths import resource_path
from app.services import followup_codes
from app.services.outbox import content_hash, record_change
from app.services.progress import (
    DONE,
    CompetenceProgress,
    Event,
    ModuleProgress,
    NextStep,
    PathProgress,
    Subject,
    cancelled_ids,
    effective_events,
    fold_competences,
    fold_path,
    fold_paths,
    next_step,
)
from app.services.transactions import write_session

RECORDABLE_KINDS = ("started", "done", "assessed")
AUDIENCE_OF_SUBJECT = {"person": "beneficiaires", "workshop": "beneficiaires", "self": "mediateurs"}
PATH_SCHEMA_VERSION = 1
SEED_CATALOGUE_VERSION = "exemples-1"


def seed_path_files() -> list[Path]:
    """The sample paths shipped with the app (also the hub's seed data)."""
    return sorted(resource_path("resources", "data", "parcours").glob("*.json"))


def seed_snapshot() -> dict[str, Any]:
    """The sample paths as a catalogue snapshot, for a device that has no hub yet."""
    paths = [json.loads(f.read_text(encoding="utf-8")) for f in seed_path_files()]
    for data in paths:
        data.pop("format", None)
        data.pop("format_version", None)
    return {"version": SEED_CATALOGUE_VERSION, "paths": paths}


class TrainingError(Exception):
    """A request the service refuses; ``message`` is French and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class HistoryItem:
    event: Event
    cancelled: bool


@dataclass(frozen=True)
class SubjectProgress:
    subject: Subject
    paths: tuple[PathProgress, ...]  # most recent activity first
    competences: tuple[CompetenceProgress, ...]  # by CRCN code
    next_step: NextStep | None
    history: tuple[HistoryItem, ...]  # newest first, cancelled ones included (flagged)

    def path(self, path_id: str) -> PathProgress | None:
        return next((p for p in self.paths if p.path_id == path_id), None)


@dataclass(frozen=True)
class WorkshopInfo:
    id: str
    title: str
    date: dt.date
    participants: int | None


@dataclass(frozen=True)
class SessionRef:
    id: str
    date: dt.date
    kind: str
    title: str  # the workshop title, or "" for an individual session


@dataclass(frozen=True)
class MatrixRow:
    subject: Subject
    cells: tuple[ModuleProgress, ...]  # aligned with GroupMatrix.columns

    @property
    def is_group(self) -> bool:
        return self.subject.kind == "workshop"

    @property
    def done_count(self) -> int:
        return sum(1 for c in self.cells if c.status == DONE)


@dataclass(frozen=True)
class GroupMatrix:
    workshop: WorkshopInfo
    path_id: str
    path_title: str
    columns: tuple[ModuleProgress, ...]  # module id, position, title (status of the group)
    rows: tuple[MatrixRow, ...]  # the group first, then one row per enrolled code


@dataclass(frozen=True)
class WorkshopGroup:
    workshop: WorkshopInfo
    paths: tuple[tuple[str, str], ...]  # (path id, title)
    member_codes: tuple[str, ...]


def _event(row: ProgressEvent) -> Event:
    return Event(
        id=row.id,
        subject=Subject(row.subject_kind, row.subject_id),
        path_id=row.path_id,
        kind=row.kind,
        occurred_on=row.occurred_on,
        path_title=row.path_title,
        module_id=row.module_id,
        module_title=row.module_title,
        module_position=row.module_position,
        path_version=row.path_version,
        path_module_count=row.path_module_count,
        cancels_id=row.cancels_id,
        group_id=row.group_id,
        session_id=row.session_id,
        level_before=load_levels(row.level_before),
        level_after=load_levels(row.level_after),
    )


def _check_levels(levels: dict[str, int] | None, what: str) -> dict[str, int]:
    levels = dict(levels or {})
    for code, level in levels.items():
        if code not in ref.CRCN_COMPETENCES:
            raise TrainingError(f"Compétence inconnue « {code} » ({what}).")
        if isinstance(level, bool) or not isinstance(level, int):
            raise TrainingError(f"Le niveau {what} de {code} doit être un entier de 1 à 8.")
        if not LEVEL_MIN <= level <= LEVEL_MAX:
            raise TrainingError(f"Le niveau {what} de {code} doit être entre 1 et 8.")
    return levels


class TrainingService:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sf = session_factory

    def _write(self) -> AbstractContextManager[Session]:
        return write_session(self._sf)

    # ---- catalogue ---------------------------------------------------------------------------
    def list_paths(
        self, audience: str | None = None, include_withdrawn: bool = False
    ) -> list[PathSpec]:
        with self._sf() as db:
            specs = read_paths(db)
        return [
            s
            for s in specs
            if (audience is None or s.audience == audience)
            and (include_withdrawn or not s.withdrawn)
        ]

    def get_path(self, path_id: str) -> PathSpec | None:
        with self._sf() as db:
            specs = read_paths(db, [path_id])
        return specs[0] if specs else None

    def catalogue_state(self) -> tuple[str | None, str | None]:
        """(version, ETag) of the hub catalogue held on this device."""
        with self._sf() as db:
            return catalogue_state(db)

    def catalogue_etag(self) -> str | None:
        """What the sync engine sends as ``If-None-Match`` for ``GET /catalogue``."""
        return self.catalogue_state()[1]

    def apply_catalogue(self, snapshot: dict[str, Any], etag: str | None = None) -> CatalogueUpdate:
        """Apply the hub's snapshot (only when its version changed), in one transaction."""
        with self._write() as db:
            return apply_catalogue_snapshot(db, snapshot, etag)

    def install_samples(self) -> CatalogueUpdate | None:
        """Load the sample paths when no hub catalogue was ever received (a device not enrolled
        yet); the hub's first snapshot then replaces them. None when a catalogue is held."""
        snapshot = seed_snapshot()
        if self.catalogue_state()[0] is not None or not snapshot["paths"]:
            return None
        return self.apply_catalogue(snapshot)

    def export_path(self, path_id: str) -> dict[str, Any]:
        spec = self.get_path(path_id)
        if spec is None:
            raise TrainingError("Ce parcours n'existe plus dans le catalogue.")
        return path_to_json(spec)

    def export_path_file(self, path_id: str, target: Path) -> None:
        text = json.dumps(self.export_path(path_id), ensure_ascii=False, indent=2)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(target)

    def import_path(self, data: dict[str, Any] | str | bytes) -> str:
        """Import a path file as a new local path (new ids: the original is left untouched)."""
        if isinstance(data, str | bytes):
            try:
                data = json.loads(data)
            except ValueError as err:
                raise TrainingError(
                    "Ce fichier n'est pas un parcours lisible (JSON invalide)."
                ) from err
        try:
            spec = path_from_json(data, strict=True)
        except PathFormatError as err:
            raise TrainingError(err.message) from err
        # A copy: new ids for the path and its modules, so the original (a hub path, or the
        # same file imported twice) is never touched.
        return self.create_path(
            replace(spec, modules=tuple(replace(m, id="") for m in spec.modules))
        )

    def import_path_file(self, source: Path) -> str:
        try:
            raw = source.read_bytes()
        except OSError as err:
            raise TrainingError(
                f"Le fichier « {source.name} » ne peut pas être lu ({err.strerror or err})."
            ) from err
        return self.import_path(raw)

    def create_path(self, spec: PathSpec) -> str:
        """A new local path (kept for this mediator until proposed to the hub)."""
        spec = self._checked_local(spec, path_id=new_id())
        with self._write() as db:
            row = write_path_spec(db, replace(spec, origin="local", status="local_only", version=1))
            self._queue_path(db, row, base_version=0)
            return row.id

    def update_path(self, path_id: str, spec: PathSpec) -> None:
        with self._write() as db:
            row = self._editable_row(db, path_id)
            base = row.version
            checked = self._checked_local(spec, path_id=path_id)
            write_path_spec(
                db,
                replace(checked, origin="local", status=row.status, version=row.path_version + 1),
            )
            row.version = base + 1
            row.updated_at = utcnow()
            self._queue_path(db, row, base_version=base)

    def propose_path(self, path_id: str) -> None:
        """Ask the hub to publish this local path for everyone (hub staff decide)."""
        with self._write() as db:
            row = self._editable_row(db, path_id)
            if row.status == "proposed":
                return
            base = row.version
            row.status = "proposed"
            row.version = base + 1
            row.updated_at = utcnow()
            self._queue_path(db, row, base_version=base)

    def delete_path(self, path_id: str) -> None:
        """Remove a local path from the catalogue; progress recorded on it keeps reading well."""
        with self._write() as db:
            row = self._editable_row(db, path_id)
            base = row.version
            row.deleted_at = utcnow()
            row.updated_at = row.deleted_at
            row.version = base + 1
            self._queue_path(db, row, base_version=base, op="delete")

    @staticmethod
    def _checked_local(spec: PathSpec, path_id: str) -> PathSpec:
        modules = tuple(replace(m, id=m.id or new_id()) for m in spec.modules)
        spec = replace(spec, id=path_id, modules=modules)
        try:
            return check_path(spec, strict=True)
        except PathFormatError as err:
            raise TrainingError(err.message) from err

    @staticmethod
    def _editable_row(db: Session, path_id: str) -> TrainingPath:
        row = db.get(TrainingPath, path_id)
        if row is None or row.deleted_at is not None:
            raise TrainingError("Ce parcours n'existe plus dans le catalogue.")
        if row.origin != "local" or row.status == "published":
            raise TrainingError(
                "Ce parcours est publié par le hub : il ne peut pas être modifié ici. "
                "Exportez-le puis importez la copie pour l'adapter."
            )
        return row

    @staticmethod
    def _queue_path(db: Session, row: TrainingPath, base_version: int, op: str = "upsert") -> None:
        db.flush()
        payload = path_payload(db, row)
        db.add(
            OutboxEntry(
                op_id=new_id(),
                entity="training_path",
                entity_id=row.id,
                op=op,
                payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                base_version=base_version,
                content_hash=content_hash(payload),
                schema_version=PATH_SCHEMA_VERSION,
                state="pending",
            )
        )

    # ---- subjects ----------------------------------------------------------------------------
    @staticmethod
    def person(code_text: str) -> Subject:
        """The subject of a follow-up code; raises TrainingError when the code is not valid."""
        problem = followup_codes.problem(code_text)
        code = followup_codes.canonical(code_text)
        if problem or code is None:
            raise TrainingError(problem or "Code de suivi invalide.")
        return Subject.person(code)

    def workshops(self, limit: int = 200) -> list[WorkshopInfo]:
        """Recent workshop sessions, newest first (to choose the one that gathers a group)."""
        with self._sf() as db:
            rows = db.execute(
                select(
                    Accompagnement.id,
                    Accompagnement.workshop_title,
                    Accompagnement.date,
                    Accompagnement.participants,
                )
                .where(Accompagnement.kind == "collectif", Accompagnement.deleted_at.is_(None))
                .order_by(Accompagnement.date.desc(), Accompagnement.id.desc())
                .limit(limit)
            ).all()
        return [WorkshopInfo(r[0], r[1] or "", r[2], r[3]) for r in rows]

    def workshop(self, workshop_id: str) -> WorkshopInfo | None:
        with self._sf() as db:
            row = db.get(Accompagnement, workshop_id)
            if row is None:
                return None
            return WorkshopInfo(row.id, row.workshop_title or "", row.date, row.participants)

    def sessions_for(self, subject: Subject, limit: int = 60) -> list[SessionRef]:
        """Sessions a progress record can be linked to, newest first: the person's sessions, or
        the workshops (for a group); none for the mediator's own training."""
        query = select(
            Accompagnement.id,
            Accompagnement.date,
            Accompagnement.kind,
            Accompagnement.workshop_title,
        ).where(Accompagnement.deleted_at.is_(None))
        if subject.kind == "person":
            query = query.join(Beneficiary, Beneficiary.id == Accompagnement.beneficiary_id).where(
                Beneficiary.code == subject.id
            )
        elif subject.kind == "workshop":
            query = query.where(Accompagnement.kind == "collectif")
        else:
            return []
        query = query.order_by(Accompagnement.date.desc(), Accompagnement.id.desc()).limit(limit)
        with self._sf() as db:
            rows = db.execute(query).all()
        return [SessionRef(r[0], r[1], r[2], r[3] or "") for r in rows]

    # ---- recording ---------------------------------------------------------------------------
    def enrol(
        self,
        subject: Subject,
        path_id: str,
        occurred_on: dt.date | None = None,
        group_id: str | None = None,
        session_id: str | None = None,
        level_before: dict[str, int] | None = None,
    ) -> str:
        """Enrol a person, a workshop group or the mediator on a path of the catalogue."""
        with self._write() as db:
            spec = self._path_for_recording(db, path_id, enrolling=True)
            if spec.audience != AUDIENCE_OF_SUBJECT.get(subject.kind):
                raise TrainingError(
                    "Ce parcours s'adresse aux médiateurs : inscrivez-vous vous-même."
                    if spec.audience == "mediateurs"
                    else "Ce parcours s'adresse aux personnes accompagnées, pas aux médiateurs."
                )
            existing = effective_events(self._events(db, subject, path_id))
            if existing:
                raise TrainingError("Déjà inscrit à ce parcours.")
            return self._add_event(
                db,
                subject,
                spec,
                "enrolled",
                occurred_on,
                group_id=group_id,
                session_id=session_id,
                level_before=_check_levels(level_before, "avant"),
            )

    def record(
        self,
        subject: Subject,
        path_id: str,
        module_id: str | None,
        kind: str,
        occurred_on: dt.date | None = None,
        session_id: str | None = None,
        level_before: dict[str, int] | None = None,
        level_after: dict[str, int] | None = None,
        group_id: str | None = None,
    ) -> str:
        """Record that a module was started, done or assessed (``module_id`` may be None for an
        assessment of the whole path), optionally linked to the session where it happened."""
        with self._write() as db:
            return self._record(
                db,
                subject,
                path_id,
                module_id,
                kind,
                occurred_on,
                session_id,
                level_before,
                level_after,
                group_id,
            )

    def record_group(
        self,
        workshop_id: str,
        path_id: str,
        module_id: str,
        kind: str,
        member_codes: list[str] | tuple[str, ...] = (),
        occurred_on: dt.date | None = None,
        session_id: str | None = None,
    ) -> list[str]:
        """The group's event, plus the same event for each listed member code (present that day),
        in one transaction."""
        with self._write() as db:
            group = Subject.workshop(workshop_id)
            ids = [self._record(db, group, path_id, module_id, kind, occurred_on, session_id)]
            for code in member_codes:
                ids.append(
                    self._record(
                        db,
                        Subject.person(code),
                        path_id,
                        module_id,
                        kind,
                        occurred_on,
                        session_id,
                        group_id=workshop_id,
                    )
                )
            return ids

    def enrol_member(self, workshop_id: str, code_text: str, path_id: str) -> str:
        """Enrol a participant's follow-up code in a workshop group's path."""
        person = self.person(code_text)
        with self._sf() as db:
            group_events = effective_events(
                self._events(db, Subject.workshop(workshop_id), path_id)
            )
        if not group_events:
            raise TrainingError("Inscrivez d'abord le groupe de cet atelier à ce parcours.")
        return self.enrol(person, path_id, group_id=workshop_id)

    def cancel(self, event_id: str, occurred_on: dt.date | None = None) -> str:
        """Cancel an event by appending a cancellation (nothing is ever erased)."""
        with self._write() as db:
            target = db.get(ProgressEvent, event_id)
            if target is None:
                raise TrainingError("Cet enregistrement n'existe pas.")
            row = ProgressEvent(
                id=new_id(),
                subject_kind=target.subject_kind,
                subject_id=target.subject_id,
                group_id=target.group_id,
                path_id=target.path_id,
                module_id=target.module_id,
                kind="cancelled",
                cancels_id=target.id,
                occurred_on=occurred_on or dt.date.today(),
                path_title=target.path_title,
                path_version=target.path_version,
                path_module_count=target.path_module_count,
                module_title=target.module_title,
                module_position=target.module_position,
            )
            db.add(row)
            db.flush()
            record_change(db, row, "upsert", base_version=0)
            return row.id

    def _record(
        self,
        db: Session,
        subject: Subject,
        path_id: str,
        module_id: str | None,
        kind: str,
        occurred_on: dt.date | None,
        session_id: str | None,
        level_before: dict[str, int] | None = None,
        level_after: dict[str, int] | None = None,
        group_id: str | None = None,
    ) -> str:
        if kind not in RECORDABLE_KINDS:
            raise TrainingError("Choisissez : commencé, terminé ou niveau évalué.")
        spec = self._path_for_recording(db, path_id, enrolling=False)
        if module_id is None and kind != "assessed":
            raise TrainingError("Choisissez le module.")
        if module_id is not None and spec.module(module_id) is None:
            raise TrainingError("Ce module ne fait pas partie du parcours.")
        before = _check_levels(level_before, "avant")
        after = _check_levels(level_after, "après")
        if kind == "assessed" and not (before or after):
            raise TrainingError("Indiquez au moins un niveau évalué.")
        return self._add_event(
            db,
            subject,
            spec,
            kind,
            occurred_on,
            module_id=module_id,
            group_id=group_id,
            session_id=session_id,
            level_before=before,
            level_after=after,
        )

    @staticmethod
    def _path_for_recording(db: Session, path_id: str, enrolling: bool) -> PathSpec:
        specs = read_paths(db, [path_id])
        if not specs:
            raise TrainingError(
                "Ce parcours n'est pas dans le catalogue de cet appareil : synchronisez puis "
                "réessayez."
            )
        spec = specs[0]
        if enrolling and spec.withdrawn:
            raise TrainingError(
                "Ce parcours a été retiré du catalogue : on ne peut plus s'y inscrire. "
                "Les progrès déjà notés restent visibles."
            )
        return spec

    @staticmethod
    def _add_event(
        db: Session,
        subject: Subject,
        spec: PathSpec,
        kind: str,
        occurred_on: dt.date | None,
        module_id: str | None = None,
        group_id: str | None = None,
        session_id: str | None = None,
        level_before: dict[str, int] | None = None,
        level_after: dict[str, int] | None = None,
    ) -> str:
        day = occurred_on or dt.date.today()
        if day > dt.date.today():
            raise TrainingError("La date ne peut pas être dans le futur.")
        module = spec.module(module_id) if module_id else None
        row = ProgressEvent(
            id=new_id(),
            subject_kind=subject.kind,
            subject_id=subject.id if subject.kind != "self" else SELF_SUBJECT_ID,
            group_id=group_id,
            path_id=spec.id,
            module_id=module_id,
            kind=kind,
            level_before=dump_levels(level_before),
            level_after=dump_levels(level_after),
            session_id=session_id,
            occurred_on=day,
            path_title=spec.title,
            path_version=spec.version,
            path_module_count=len(spec.modules),
            module_title=module.title if module else None,
            module_position=module.position if module else None,
        )
        db.add(row)
        db.flush()
        record_change(db, row, "upsert", base_version=0)
        return row.id

    # ---- views -------------------------------------------------------------------------------
    @staticmethod
    def _events(db: Session, subject: Subject, path_id: str | None = None) -> list[Event]:
        query = select(ProgressEvent).where(
            ProgressEvent.subject_kind == subject.kind,
            ProgressEvent.subject_id == subject.id,
            ProgressEvent.deleted_at.is_(None),
        )
        if path_id is not None:
            query = query.where(ProgressEvent.path_id == path_id)
        return [_event(row) for row in db.scalars(query)]

    def progress(self, subject: Subject) -> SubjectProgress:
        """A subject's progress per path and per competence, the next step and the history."""
        with self._sf() as db:
            events = self._events(db, subject)
            specs = {s.id: s for s in read_paths(db, sorted({e.path_id for e in events}))}
        return self._fold(subject, events, specs)

    @staticmethod
    def _fold(subject: Subject, events: list[Event], specs: dict[str, PathSpec]) -> SubjectProgress:
        effective = effective_events(events)
        paths = fold_paths(effective, specs)
        targets: dict[str, int] = {}
        for path in paths:
            spec = specs.get(path.path_id)
            if spec is not None:
                for code, level in spec.competence_targets().items():
                    targets[code] = max(level, targets.get(code, 0))
        cancelled = cancelled_ids(events)
        history = tuple(
            HistoryItem(e, e.id in cancelled)
            for e in sorted(events, key=lambda e: e.order_key, reverse=True)
        )
        return SubjectProgress(
            subject=subject,
            paths=tuple(paths),
            competences=tuple(fold_competences(effective, targets)),
            next_step=next_step(paths, specs),
            history=history,
        )

    def next_step(self, subject: Subject) -> NextStep | None:
        return self.progress(subject).next_step

    def my_training(self) -> SubjectProgress:
        return self.progress(Subject.myself())

    def session_events(self, session_id: str) -> list[HistoryItem]:
        """The progress recorded with a session (for the session form), oldest first."""
        with self._sf() as db:
            rows = db.scalars(
                select(ProgressEvent).where(ProgressEvent.session_id == session_id)
            ).all()
            # Cancellations carry no session: fetch those pointing at these events.
            ids = [r.id for r in rows]
            cancels = db.scalars(
                select(ProgressEvent).where(ProgressEvent.cancels_id.in_(ids))
            ).all()
        events = [_event(r) for r in [*rows, *cancels]]
        cancelled = cancelled_ids(events)
        linked = sorted((e for e in events if e.kind != "cancelled"), key=lambda e: e.order_key)
        return [HistoryItem(e, e.id in cancelled) for e in linked]

    def workshop_groups(self) -> list[WorkshopGroup]:
        """Workshop groups enrolled on a path, most recent workshop first."""
        with self._sf() as db:
            rows = db.scalars(
                select(ProgressEvent).where(
                    (ProgressEvent.subject_kind == "workshop") | ProgressEvent.group_id.is_not(None)
                )
            ).all()
            events = [_event(r) for r in rows]
            effective = effective_events(events)
            group_ids = sorted(
                {e.subject.id for e in effective if e.subject.kind == "workshop"}
                | {e.group_id for e in effective if e.group_id}
            )
            workshops = {
                r.id: WorkshopInfo(r.id, r.workshop_title or "", r.date, r.participants)
                for r in db.scalars(select(Accompagnement).where(Accompagnement.id.in_(group_ids)))
            }
        groups: list[WorkshopGroup] = []
        for gid in group_ids:
            mine = [e for e in effective if e.subject.id == gid or e.group_id == gid]
            paths: dict[str, str] = {}
            for e in mine:
                paths[e.path_id] = e.path_title
            members = sorted(
                {e.subject.id for e in mine if e.subject.kind == "person" and e.kind == "enrolled"}
            )
            info = workshops.get(gid) or WorkshopInfo(gid, "", mine[0].occurred_on, None)
            groups.append(WorkshopGroup(info, tuple(paths.items()), tuple(members)))
        return sorted(groups, key=lambda g: (g.workshop.date, g.workshop.id), reverse=True)

    def group_matrix(self, workshop_id: str, path_id: str) -> GroupMatrix:
        """Participants × modules for a workshop group: the group's row, then each enrolled code."""
        with self._sf() as db:
            group = Subject.workshop(workshop_id)
            group_events = effective_events(self._events(db, group, path_id))
            member_rows = db.scalars(
                select(ProgressEvent).where(
                    ProgressEvent.group_id == workshop_id,
                    ProgressEvent.path_id == path_id,
                    ProgressEvent.subject_kind == "person",
                )
            ).all()
            member_codes = sorted({r.subject_id for r in member_rows})
            members = {
                code: effective_events(self._events(db, Subject.person(code), path_id))
                for code in member_codes
            }
            specs = read_paths(db, [path_id])
            workshop = db.get(Accompagnement, workshop_id)
            info = (
                WorkshopInfo(
                    workshop.id, workshop.workshop_title or "", workshop.date, workshop.participants
                )
                if workshop is not None
                else WorkshopInfo(workshop_id, "", dt.date.today(), None)
            )
        spec = specs[0] if specs else None
        if not group_events and spec is None:
            raise TrainingError("Ce groupe n'est pas inscrit à ce parcours.")
        if group_events:
            group_progress = fold_path(path_id, group_events, spec)
            columns = group_progress.modules
            title = group_progress.title
        else:
            assert spec is not None
            columns = tuple(ModuleProgress(m.id, m.position, m.title) for m in spec.modules)
            title = spec.title
        rows = [MatrixRow(group, columns)]
        for code, events in members.items():
            if not events:
                continue  # enrolment cancelled
            person_progress = fold_path(path_id, events, spec)
            by_id = {m.module_id: m for m in person_progress.modules}
            cells = tuple(
                by_id.get(c.module_id)
                or ModuleProgress(c.module_id, c.position, c.title, in_catalogue=c.in_catalogue)
                for c in columns
            )
            rows.append(MatrixRow(Subject.person(code), cells))
        return GroupMatrix(info, path_id, title, columns, tuple(rows))
