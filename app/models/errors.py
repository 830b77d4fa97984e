"""Storage errors that reach the user, each with a clear French message.

The message says what happened, that nothing was lost, and what to do.
"""

from __future__ import annotations

from pathlib import Path


class StorageError(Exception):
    code = "storage"

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class CorruptDatabaseError(StorageError):
    code = "corrupt"


class DatabaseTooNewError(StorageError):
    code = "too_new"


class MigrationFailedError(StorageError):
    code = "migration_failed"


class ReadOnlyDataDirError(StorageError):
    code = "read_only"


class DiskFullError(StorageError):
    code = "disk_full"


def disk_full_message() -> str:
    return (
        "Le disque est plein : l'enregistrement n'a pas pu être fait. Rien n'est perdu, "
        "votre saisie est conservée comme brouillon. Libérez de la place puis enregistrez à nouveau."
    )


def is_disk_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database or disk is full" in text or "no space left" in text
