"""Open a profile database and bring it to the app's schema, safely.

Back the file up before upgrading, refuse a database newer than the app, and on failure restore
the copy and explain. Alembic is imported only when there is something to migrate: a database
already at head opens without paying for it (start-up time is a feature).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

from app.models.errors import (
    CorruptDatabaseError,
    DatabaseTooNewError,
    MigrationFailedError,
    ReadOnlyDataDirError,
)
from app.paths import resource_path

log = logging.getLogger(__name__)

# Kept equal to Alembic's head by a test, so start-up can skip importing Alembic.
HEAD_REVISION = "0010_bulk_load"

SQLITE_MAGIC = b"SQLite format 3\x00"

# Full-text search tables are managed by hand in migrations (virtual tables and triggers).
FTS_PREFIX = "accompagnement_fts"


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic filter: leave the full-text tables out of model/schema comparisons."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_PREFIX))


def migrations_dir() -> Path:
    return resource_path("app", "models", "migrations")


def alembic_config(url: str):  # -> alembic.config.Config
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["configure_logger"] = False
    return cfg


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


def check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # One name per call: two notebooks opening in the same folder at once must not collide.
        probe = folder / f".carnet-write-test-{os.getpid()}-{os.urandom(8).hex()}"
        with open(probe, "w") as fh:
            fh.write("ok")
        probe.unlink()
    except OSError as exc:
        raise ReadOnlyDataDirError(
            f"Le dossier de données « {folder} » n'est pas accessible en écriture "
            f"({exc.strerror or exc}). Carnet n'y a rien modifié. Vérifiez les droits du dossier "
            "ou choisissez-en un autre avec --data-dir.",
            folder,
        ) from exc


def current_revision(db_path: Path) -> str | None:
    """The Alembic revision of an existing file; raises CorruptDatabaseError for a bad file."""
    try:
        with open(db_path, "rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise CorruptDatabaseError(
            f"Le fichier de données « {db_path} » ne peut pas être lu ({exc.strerror or exc}). "
            "Il n'a pas été modifié.",
            db_path,
        ) from exc
    if header != SQLITE_MAGIC:
        raise CorruptDatabaseError(
            f"Le fichier « {db_path} » n'est pas une base Carnet lisible (il est peut-être "
            "endommagé). Il a été laissé tel quel ; Carnet ne l'écrasera pas. Restaurez une "
            "sauvegarde ou contactez votre structure.",
            db_path,
        )
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            has_table = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            if not has_table:
                return None
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabaseError(
            f"La base « {db_path} » est endommagée ({exc}). Elle a été laissée telle quelle ; "
            "Carnet ne l'écrasera pas. Restaurez une sauvegarde ou contactez votre structure.",
            db_path,
        ) from exc


def backup_file(db_path: Path, label: str) -> Path:
    """A consistent copy (SQLite backup API, so the WAL is included)."""
    target = db_path.with_name(f"{db_path.stem}.avant-{label}.sauvegarde.db")
    src = sqlite3.connect(str(db_path))
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def _restore(backup: Path, db_path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        extra = Path(str(db_path) + suffix)
        if extra.exists():
            extra.unlink()
    shutil.copyfile(backup, db_path)


def upgrade(db_path: Path, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(f"sqlite:///{db_path}"), revision)


def prepare_database(db_path: Path) -> Path | None:
    """Create or migrate the database file at ``db_path``; raise a StorageError with a French
    message when it cannot be used. The previous file is never lost. Returns the backup made
    before an upgrade, if any."""
    check_writable(db_path.parent)
    exists = db_path.exists() and db_path.stat().st_size > 0
    if not exists:
        log.info("creating database %s", db_path)
        upgrade(db_path)
        return None
    current = current_revision(db_path)
    if current == HEAD_REVISION:
        return None
    if current is not None and current not in known_revisions():
        raise DatabaseTooNewError(
            f"Cette base a été créée par une version plus récente de Carnet (schéma {current}). "
            "Mettez Carnet à jour pour l'ouvrir ; elle n'a pas été modifiée.",
            db_path,
        )
    backup = backup_file(db_path, current or "vide")
    log.info("migrating %s from %s (backup %s)", db_path, current, backup)
    try:
        upgrade(db_path)
    except Exception as exc:
        log.exception("migration failed, restoring %s", backup)
        _restore(backup, db_path)
        raise MigrationFailedError(
            "La mise à jour de la base a échoué ; la base a été remise dans son état précédent, "
            f"rien n'est perdu. Une copie est aussi gardée ici : {backup}. Détail : {exc}",
            db_path,
        ) from exc
    return backup
