"""Where things live: packaged resources and the user's folders.

``resource_path()`` is the one place that knows about the frozen (PyInstaller) layout; nothing
else in the code computes a path to a shipped file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "Carnet"
DATA_DIR_ENV = "CARNET_DATA_DIR"


# Resolved once: each resolve() walks the path's folders (about 70 µs), and the start asks for a
# dozen resources.
_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def _bundle_root() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return _SOURCE_ROOT


def resource_path(*parts: str) -> Path:
    """Path of a packaged file, from source or from the frozen app. Example:
    ``resource_path("resources", "data", "communes.tsv.gz")``."""
    return _bundle_root().joinpath(*parts)


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_DIR_NAME, appauthor=False, roaming=True))


def default_log_dir() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_DIR_NAME, appauthor=False))


def resolve_data_dir(cli_value: str | None) -> Path:
    """``--data-dir`` wins, then ``CARNET_DATA_DIR``, then the platform default."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return default_data_dir()
