"""Icons drawn for Carnet, found through resource_path().

The action icons are drawn in SVG (resources/icons/ui/NAME.svg) and loaded from the PNGs that
scripts/make_icons.py renders beside them, 40 px: a PNG needs neither Qt's SVG library nor its
icon plug-in at start-up, and Qt scales it down to the 16 or 20 px asked for (or uses it whole
on a high-density screen)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from app.paths import resource_path

APP_ICON_SIZE = 256


@cache
def icon(name: str) -> QIcon:
    """``app`` is Carnet's own icon; other names are the action icons of resources/icons/ui."""
    result = QIcon()
    if name == "app":
        path = resource_path("resources", "icons", "carnet.png")
        if path.exists():
            # With its size given, the image is read only when a size of it is drawn.
            result.addFile(str(path), QSize(APP_ICON_SIZE, APP_ICON_SIZE))
        return result
    path = resource_path("resources", "icons", "ui", f"{name}.png")
    if path.exists():
        result.addFile(str(path))
    return result
