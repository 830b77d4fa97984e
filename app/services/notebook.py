"""A mediator's notebook: one profile database and the services over it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.models.db import make_engine, make_session_factory
from app.models.migrate import prepare_database
from app.services.beneficiaries import BeneficiaryService
from app.services.drafts import DraftService
from app.services.sessions import SessionService
from app.services.training import TrainingService
from app.services.venues import ProfileSettingsService, VenueService


@dataclass
class Notebook:
    db_path: Path
    engine: Engine
    session_factory: sessionmaker[Session]
    sessions: SessionService
    venues: VenueService
    settings: ProfileSettingsService
    drafts: DraftService
    beneficiaries: BeneficiaryService
    training: TrainingService
    backup_made: Path | None = None

    def close(self) -> None:
        self.engine.dispose()


def open_notebook(db_path: Path) -> Notebook:
    """Create or migrate the database, then build the services. Raises StorageError."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    backup = prepare_database(db_path)
    engine = make_engine(db_path)
    sf = make_session_factory(engine)
    return Notebook(
        db_path=db_path,
        engine=engine,
        session_factory=sf,
        sessions=SessionService(sf),
        venues=VenueService(sf),
        settings=ProfileSettingsService(sf),
        drafts=DraftService(sf),
        beneficiaries=BeneficiaryService(sf),
        training=TrainingService(sf),
        backup_made=backup,
    )
