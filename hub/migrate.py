"""Bring the hub database to the code's schema (the same Alembic chain on SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, text

HEAD_REVISION = "0006_uncounted_sessions"


class DatabaseTooNewError(Exception):
    """The database was migrated by a newer hub: refuse to touch it."""


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def current_revision(engine: Engine) -> str | None:
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


def upgrade(engine: Engine, revision: str = "head") -> bool:
    """Upgrade to ``revision``; returns True when something was done. Refuses a newer schema."""
    current = current_revision(engine)
    if current == HEAD_REVISION and revision == "head":
        return False
    if current is not None and current not in known_revisions():
        raise DatabaseTooNewError(
            f"Cette base a été préparée par une version plus récente de Carnet Hub (schéma "
            f"{current}). Mettez le hub à jour ; la base n'a pas été modifiée."
        )
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return True
