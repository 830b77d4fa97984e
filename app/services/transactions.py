"""One short write transaction, the way every service writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.models.errors import DiskFullError, disk_full_message, is_disk_full


@contextmanager
def write_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """Commit on success, roll back on any error; a full disk becomes a DiskFullError with its
    French message (nothing is half-saved)."""
    db = session_factory()
    try:
        db.begin()
        yield db
        db.commit()
    except OperationalError as err:
        db.rollback()
        if is_disk_full(err):
            raise DiskFullError(disk_full_message()) from err
        raise
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()
