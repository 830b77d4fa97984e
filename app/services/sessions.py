"""Record, correct, duplicate, delete and list support sessions (accompagnements)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from array import array
from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import referentiels as ref
from app.models.base import utcnow
from app.models.beneficiary_merge import canonical_id, live_beneficiary
from app.models.codes import join_codes, split_codes
from app.models.entities import Accompagnement, Beneficiary, Venue
from app.services import followup_codes
from app.services.outbox import record_change
from app.services.quick_read import NotebookReader, SessionFilter, SessionRow
from app.services.transactions import write_session


@dataclass
class SessionInput:
    """What the session form edits: plain values, national codes, no identity."""

    kind: str = "individuel"
    date: dt.date = field(default_factory=dt.date.today)
    duration_min: int = 30
    place_type: str = "lieu_activite"
    venue_id: str | None = None
    commune_insee: str | None = None
    commune_name: str | None = None
    postal_code: str | None = None
    themes: list[str] = field(default_factory=list)
    demarche_name: str = ""
    materiels: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    autonomy: str | None = None
    oriented: bool | None = None
    orientation: str | None = None
    followup_code: str = ""
    genre: str | None = None
    age_bracket: str | None = None
    statut: str | None = None
    residence_insee: str | None = None
    residence_name: str | None = None
    workshop_title: str = ""
    workshop_level: str | None = None
    participants: int | None = None
    participants_returning: int | None = None
    counters: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["date"] = self.date.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text_value: str) -> SessionInput:
        data = json.loads(text_value)
        known = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        if isinstance(data.get("date"), str):
            data["date"] = dt.date.fromisoformat(data["date"])
        return cls(**data)


class ValidationError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def validate(inp: SessionInput, today: dt.date | None = None) -> dict[str, str]:
    """Field name -> French message, shown next to the field. Empty when the input is valid."""
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    if inp.kind not in ref.TYPES:
        errors["kind"] = "Choisissez le type : accompagnement individuel ou atelier collectif."
    if inp.date > today:
        errors["date"] = "La date ne peut pas être dans le futur."
    if (
        not isinstance(inp.duration_min, int)
        or not 1 <= inp.duration_min <= ref.DURATION_MAX_MINUTES
    ):
        errors["duration_min"] = "Indiquez une durée entre 1 minute et 23 h 59."
    if inp.place_type not in ref.PLACE_TYPES:
        errors["place_type"] = "Choisissez le type de lieu."
    elif inp.place_type == "lieu_activite" and not inp.venue_id:
        errors["venue_id"] = "Choisissez le lieu d'activité."
    elif inp.place_type in ("autre", "domicile") and not inp.commune_insee:
        errors["commune"] = "Indiquez la commune (nom ou code postal)."
    if not inp.themes:
        errors["themes"] = "Choisissez au moins une thématique."
    unknown = [t for t in inp.themes if t not in ref.THEMES]
    if unknown:
        errors["themes"] = f"Thématique inconnue : {', '.join(unknown)}."
    demarches = [t for t in inp.themes if t in ref.THEMES_DEMARCHES]
    if demarches and ref.ADMIN_THEME not in inp.themes:
        errors["themes"] = (
            "Les démarches administratives (sous-thématiques) demandent la thématique "
            "« Aide aux démarches administratives »."
        )
    if any(m not in ref.MATERIELS for m in inp.materiels):
        errors["materiels"] = "Matériel inconnu."
    if "aucun" in inp.materiels and len(inp.materiels) > 1:
        errors["materiels"] = "« Pas de matériel » ne peut pas être combiné avec un matériel."
    if inp.kind == "individuel":
        if inp.autonomy is not None and inp.autonomy not in ref.AUTONOMIES:
            errors["autonomy"] = "Niveau d'autonomie inconnu."
        if inp.oriented and inp.orientation not in ref.ORIENTATIONS:
            errors["orientation"] = (
                "Choisissez la structure vers laquelle la personne est orientée."
            )
        if inp.followup_code.strip():
            problem = followup_codes.problem(inp.followup_code)
            if problem:
                errors["followup_code"] = problem
        for name, table in (
            ("genre", ref.GENRES),
            ("age_bracket", ref.TRANCHES_AGE),
            ("statut", ref.STATUTS),
        ):
            value = getattr(inp, name)
            if value is not None and value not in table:
                errors[name] = "Valeur inconnue."
    elif inp.kind == "collectif":
        if not inp.workshop_title.strip():
            errors["workshop_title"] = "Donnez un titre à l'atelier."
        if inp.workshop_level is not None and inp.workshop_level not in ref.NIVEAUX_ATELIER:
            errors["workshop_level"] = "Niveau inconnu."
        if not inp.participants or inp.participants < 1:
            errors["participants"] = "Un atelier compte au moins 1 participant."
        elif (
            inp.participants_returning is not None
            and not 0 <= inp.participants_returning <= inp.participants
        ):
            errors["participants_returning"] = (
                "Le nombre de participants déjà accompagnés ne peut pas dépasser le total."
            )
        else:
            for group, counts in (inp.counters or {}).items():
                if sum(counts.values()) > (inp.participants or 0):
                    errors["counters"] = (
                        f"Les compteurs « {group} » dépassent le nombre de participants."
                    )
    for tag in inp.tags:
        if len(tag) > 80:
            errors["tags"] = "Une étiquette fait au plus 80 caractères."
    return errors


class SessionService:
    def __init__(
        self, session_factory: sessionmaker[Session], reader: NotebookReader | None = None
    ) -> None:
        self._sf = session_factory
        if reader is None:
            engine = session_factory.kw["bind"]
            reader = NotebookReader(Path(engine.url.database))
        self.reader = reader

    # ---- writing -------------------------------------------------------------------------
    def record(self, inp: SessionInput) -> str:
        """Save a new session; returns its id. Raises ValidationError or DiskFullError."""
        self._check(inp)
        with self._write() as db:
            row = Accompagnement()
            self._apply(db, row, inp)
            db.add(row)
            db.flush()
            record_change(db, row, "upsert", base_version=0)
            return row.id

    def update(self, session_id: str, inp: SessionInput) -> None:
        self._check(inp)
        with self._write() as db:
            row = db.get(Accompagnement, session_id)
            if row is None or row.deleted_at is not None:
                raise KeyError(session_id)
            base = row.version
            self._apply(db, row, inp)
            row.version = base + 1
            row.updated_at = utcnow()
            record_change(db, row, "upsert", base_version=base)

    def delete(self, session_id: str) -> None:
        """Soft delete (tombstone), so the hub learns of it and undo is possible."""
        with self._write() as db:
            row = db.get(Accompagnement, session_id)
            if row is None or row.deleted_at is not None:
                return
            base = row.version
            row.deleted_at = utcnow()
            row.updated_at = row.deleted_at
            row.version = base + 1
            record_change(db, row, "delete", base_version=base)

    def undelete(self, session_id: str) -> None:
        with self._write() as db:
            row = db.get(Accompagnement, session_id)
            if row is None or row.deleted_at is None:
                return
            base = row.version
            row.deleted_at = None
            # Its person may have been merged by sync while it was deleted.
            row.beneficiary_id = canonical_id(db, row.beneficiary_id)
            row.updated_at = utcnow()
            row.version = base + 1
            record_change(db, row, "upsert", base_version=base)

    def _check(self, inp: SessionInput) -> None:
        errors = validate(inp)
        if errors:
            raise ValidationError(errors)

    def _write(self) -> AbstractContextManager[Session]:
        """One short write transaction; a full disk becomes a DiskFullError (nothing saved)."""
        return write_session(self._sf)

    def _apply(self, db: Session, row: Accompagnement, inp: SessionInput) -> None:
        row.kind = inp.kind
        row.date = inp.date
        row.duration_min = inp.duration_min
        row.place_type = inp.place_type
        row.venue_id = inp.venue_id if inp.place_type == "lieu_activite" else None
        row.commune_insee = inp.commune_insee
        row.commune_name = inp.commune_name
        row.postal_code = inp.postal_code
        if inp.place_type == "lieu_activite" and inp.venue_id:
            venue = db.get(Venue, inp.venue_id)
            if venue is not None:
                row.commune_insee = venue.commune_insee
                row.commune_name = venue.commune_name
                row.postal_code = venue.postal_code
        themes = [t for t in ref.THEMES if t in inp.themes]  # national order, no duplicates
        row.themes = join_codes(themes)
        row.demarche_name = inp.demarche_name.strip() or None if ref.ADMIN_THEME in themes else None
        row.materiels = join_codes([m for m in ref.MATERIELS if m in inp.materiels])
        row.tags = join_codes(sorted({t.strip() for t in inp.tags if t.strip()}, key=str.casefold))
        row.notes = inp.notes
        individual = inp.kind == "individuel"
        row.autonomy = inp.autonomy if individual else None
        row.oriented = inp.oriented if individual else None
        row.orientation = inp.orientation if individual and inp.oriented else None
        row.genre = inp.genre if individual else None
        row.age_bracket = inp.age_bracket if individual else None
        row.statut = inp.statut if individual else None
        row.residence_insee = inp.residence_insee if individual else None
        row.residence_name = inp.residence_name if individual else None
        row.beneficiary_id = None
        if individual and inp.followup_code.strip():
            row.beneficiary_id = self._beneficiary_id(db, inp.followup_code)
        row.workshop_title = inp.workshop_title.strip() or None if not individual else None
        row.workshop_level = inp.workshop_level if not individual else None
        row.participants = inp.participants if not individual else None
        row.participants_returning = inp.participants_returning if not individual else None
        row.counters = (
            json.dumps(inp.counters, sort_keys=True) if (not individual and inp.counters) else None
        )

    @staticmethod
    def _beneficiary_id(db: Session, code_text: str) -> str:
        code = followup_codes.canonical(code_text)
        assert code is not None  # validated before
        # The live row only: a duplicate merged by sync stays as a tombstone with the code.
        ben = live_beneficiary(db, code)
        if ben is None:
            ben = Beneficiary(code=code)
            db.add(ben)
            db.flush()
            record_change(db, ben, "upsert", base_version=0)
        return ben.id

    # ---- reading -------------------------------------------------------------------------
    def get(self, session_id: str) -> SessionInput:
        with self._sf() as db:
            row = db.get(Accompagnement, session_id)
            if row is None:
                raise KeyError(session_id)
            return self._to_input(db, row)

    def is_deleted(self, session_id: str) -> bool:
        with self._sf() as db:
            row = db.get(Accompagnement, session_id)
            return row is None or row.deleted_at is not None

    @staticmethod
    def _to_input(db: Session, row: Accompagnement) -> SessionInput:
        code = ""
        if row.beneficiary_id:
            ben = db.get(Beneficiary, row.beneficiary_id)
            code = ben.code if ben else ""
        return SessionInput(
            kind=row.kind,
            date=row.date,
            duration_min=row.duration_min,
            place_type=row.place_type,
            venue_id=row.venue_id,
            commune_insee=row.commune_insee,
            commune_name=row.commune_name,
            postal_code=row.postal_code,
            themes=split_codes(row.themes),
            demarche_name=row.demarche_name or "",
            materiels=split_codes(row.materiels),
            tags=split_codes(row.tags),
            notes=row.notes or "",
            autonomy=row.autonomy,
            oriented=row.oriented,
            orientation=row.orientation,
            followup_code=code,
            genre=row.genre,
            age_bracket=row.age_bracket,
            statut=row.statut,
            residence_insee=row.residence_insee,
            residence_name=row.residence_name,
            workshop_title=row.workshop_title or "",
            workshop_level=row.workshop_level,
            participants=row.participants,
            participants_returning=row.participants_returning,
            counters=json.loads(row.counters) if row.counters else {},
        )

    def duplicate(self, session_id: str, today: dt.date | None = None) -> SessionInput:
        """A copy of an earlier session dated today, ready to adjust and save."""
        inp = self.get(session_id)
        inp.date = today or dt.date.today()
        inp.notes = ""
        return inp

    def defaults(self, today: dt.date | None = None) -> SessionInput:
        """A new form: today, and the place, duration and type of the last saved session."""
        with self._sf() as db:
            last = db.scalar(
                select(Accompagnement)
                .where(Accompagnement.deleted_at.is_(None))
                .order_by(Accompagnement.id.desc())  # UUIDv7: creation order, primary-key index
                .limit(1)
            )
            inp = SessionInput(date=today or dt.date.today())
            if last is None:
                first_venue = db.scalar(
                    select(Venue.id).where(Venue.deleted_at.is_(None)).order_by(Venue.name).limit(1)
                )
                inp.venue_id = first_venue
                return inp
            inp.kind = last.kind
            inp.duration_min = last.duration_min
            inp.place_type = last.place_type
            inp.venue_id = last.venue_id
            inp.commune_insee = last.commune_insee
            inp.commune_name = last.commune_name
            inp.postal_code = last.postal_code
            inp.materiels = split_codes(last.materiels)
            if last.kind == "collectif":
                inp.workshop_level = last.workshop_level
            return inp

    def usage_ranking(self, limit: int = 500) -> tuple[list[int], list[str]]:
        """Durations and themes by use in the last ``limit`` sessions, most used first."""
        with self._sf() as db:
            rows = db.execute(
                select(Accompagnement.duration_min, Accompagnement.themes)
                .where(Accompagnement.deleted_at.is_(None))
                .order_by(Accompagnement.id.desc())  # UUIDv7: creation order, primary-key index
                .limit(limit)
            ).all()
        durations: Counter[int] = Counter()
        themes: Counter[str] = Counter()
        for duration, theme_text in rows:
            durations[duration] += 1
            themes.update(split_codes(theme_text))
        return [d for d, _ in durations.most_common()], [t for t, _ in themes.most_common()]

    # ---- listing: plain sqlite3 (app.services.quick_read), fast on 100,000 sessions -------
    def count(self) -> int:
        return self.reader.count()

    def list_ids(
        self,
        flt: SessionFilter,
        sort: str = "date",
        descending: bool = True,
        limit: int | None = None,
    ) -> list[str]:
        return self.reader.list_ids(flt, sort, descending, limit)

    def fetch_rows(self, ids: list[str]) -> list[SessionRow]:
        return self.reader.fetch_rows(ids)

    def list_rowids(
        self,
        flt: SessionFilter,
        sort: str = "date",
        descending: bool = True,
        limit: int | None = None,
    ) -> array[int]:
        return self.reader.list_rowids(flt, sort, descending, limit)

    def fetch_rows_by_rowid(self, rowids: Sequence[int]) -> dict[int, SessionRow]:
        return self.reader.fetch_rows_by_rowid(rowids)

    def rowid_of(self, session_id: str) -> int | None:
        return self.reader.rowid_of(session_id)

    def release_thread(self) -> None:
        self.reader.release_thread()

    def known_tags(self) -> list[str]:
        return self.reader.known_tags()
