"""Icons drawn for Carnet (SVG in resources/icons), found through resource_path()."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from app.paths import resource_path


@cache
def icon(name: str) -> QIcon:
    """``app`` is Carnet's own icon; other names are the action icons of resources/icons/ui."""
    if name == "app":
        path = resource_path("resources", "icons", "carnet.svg")
    else:
        path = resource_path("resources", "icons", "ui", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()
