"""Hub settings: everything has a default, so ``carnet-hub serve`` runs with no configuration.

Precedence: command-line option, then environment variable, then the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

APP_DIR_NAME = "CarnetHub"
DATA_DIR_ENV = "CARNET_HUB_DATA_DIR"
DATABASE_URL_ENV = "CARNET_HUB_DATABASE_URL"
HUB_NAME_ENV = "CARNET_HUB_NAME"

PROTOCOL_VERSION = 1
SUPPORTED_PROTOCOLS = frozenset({1})


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_DIR_NAME, appauthor=False))


def resolve_data_dir(cli_value: str | None = None) -> Path:
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return default_data_dir()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@dataclass
class Settings:
    """What a hub process needs to know. Durations are in seconds."""

    database_url: str
    data_dir: Path | None = None
    hub_name: str = "Carnet Hub"
    enrol_code_ttl: int = 24 * 3600
    enrol_rate_attempts: int = 10
    enrol_rate_window: int = 60
    max_body_bytes: int = 1024 * 1024
    max_uncompressed_bytes: int = 8 * 1024 * 1024
    max_ops_per_batch: int = 1000
    max_pull_limit: int = 1000
    max_reconcile_items: int = 1000
    tombstone_retention_days: int = 180
    supported_protocols: frozenset[int] = field(default_factory=lambda: SUPPORTED_PROTOCOLS)
    # Count pushed sessions into the statistics in a background thread of the server while
    # it is quiet (hub/stats/drainer.py); readers of the statistics count what waits anyway.
    stats_drain: bool = True

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, data_dir: str | None = None, database_url: str | None = None) -> Settings:
        """``--data-dir`` / ``CARNET_HUB_DATA_DIR`` hold the SQLite file (and backups);
        ``CARNET_HUB_DATABASE_URL`` selects another database (PostgreSQL)."""
        folder = resolve_data_dir(data_dir)
        url = database_url or os.environ.get(DATABASE_URL_ENV) or sqlite_url(folder / "hub.db")
        name = os.environ.get(HUB_NAME_ENV) or "Carnet Hub"
        return cls(database_url=url, data_dir=folder, hub_name=name)

    def describe_storage(self) -> str:
        """Where the data lives, for the operator (never prints a password)."""
        if self.is_sqlite:
            return self.database_url.removeprefix("sqlite:///")
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)
