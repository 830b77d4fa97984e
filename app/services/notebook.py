"""A mediator's notebook: one profile database and the services over it.

Opening a notebook checks (and if needed migrates) the file, then returns at once: the
SQLAlchemy engine and the services are built on first use, while ``reader`` (plain sqlite3)
serves what the main window needs to appear. ``warm_up()`` builds the rest ahead of need, from
a background thread, so the first save does not wait for the imports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar, overload

from app.models.migrate import prepare_database
from app.services.quick_read import NotebookReader

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from app.services.beneficiaries import BeneficiaryService
    from app.services.drafts import DraftService
    from app.services.sessions import SessionService
    from app.services.training import TrainingService
    from app.services.venues import ProfileSettingsService, VenueService


T = TypeVar("T")


class _built_once(Generic[T]):  # noqa: N801  (used as a decorator, like cached_property)
    """A cached property built at most once even when two threads ask at the same time (the
    UI thread and the warm-up thread): the second waits for the first, then reuses its value."""

    def __init__(self, build: Callable[[Notebook], T]) -> None:
        self._build = build
        self._name = build.__name__

    @overload
    def __get__(self, obj: None, owner: type) -> _built_once[T]: ...
    @overload
    def __get__(self, obj: Notebook, owner: type) -> T: ...
    def __get__(self, obj: Notebook | None, owner: type) -> T | _built_once[T]:
        if obj is None:
            return self
        try:
            return obj.__dict__[self._name]  # type: ignore[no-any-return]
        except KeyError:
            pass
        with obj._build_lock:
            if self._name not in obj.__dict__:
                obj.__dict__[self._name] = self._build(obj)
            return obj.__dict__[self._name]  # type: ignore[no-any-return]


class Notebook:
    def __init__(self, db_path: Path, backup_made: Path | None = None) -> None:
        self.db_path = db_path
        self.backup_made = backup_made
        self.reader = NotebookReader(db_path)
        self._build_lock = threading.RLock()

    @_built_once
    def engine(self) -> Engine:
        from app.models import schema  # noqa: F401  (every table mapped before a query)
        from app.models.db import make_engine

        return make_engine(self.db_path)

    @_built_once
    def session_factory(self) -> sessionmaker[Session]:
        from app.models.db import make_session_factory

        return make_session_factory(self.engine)

    @_built_once
    def sessions(self) -> SessionService:
        from app.services.sessions import SessionService

        return SessionService(self.session_factory, self.reader)

    @_built_once
    def venues(self) -> VenueService:
        from app.services.venues import VenueService

        return VenueService(self.session_factory)

    @_built_once
    def settings(self) -> ProfileSettingsService:
        from app.services.venues import ProfileSettingsService

        return ProfileSettingsService(self.session_factory)

    @_built_once
    def drafts(self) -> DraftService:
        from app.services.drafts import DraftService

        return DraftService(self.session_factory)

    @_built_once
    def beneficiaries(self) -> BeneficiaryService:
        from app.services.beneficiaries import BeneficiaryService

        return BeneficiaryService(self.session_factory)

    @_built_once
    def training(self) -> TrainingService:
        from app.services.training import TrainingService

        return TrainingService(self.session_factory)

    def warm_up(self) -> None:
        """Build the engine and the services now (imports included): call from a thread."""
        for name in ("sessions", "venues", "settings", "drafts", "beneficiaries", "training"):
            getattr(self, name)

    def close(self) -> None:
        self.reader.close()
        if "engine" in self.__dict__:
            self.engine.dispose()


def open_notebook(db_path: Path) -> Notebook:
    """Create or migrate the database file, then return the notebook. Raises StorageError."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    backup = prepare_database(db_path)
    return Notebook(db_path, backup_made=backup)
