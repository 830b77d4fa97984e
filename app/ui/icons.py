"""Icons drawn for Carnet, found through resource_path().

The action icons are drawn in SVG (resources/icons/ui/NAME.svg) and loaded from the PNGs that
scripts/make_icons.py renders beside them, 40 px: a PNG needs neither Qt's SVG library nor its
icon plug-in at start-up, and Qt scales it down to the 16 or 20 px asked for (or uses it whole
on a high-density screen)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from app.paths import resource_path

APP_ICON_SIZE = 256


def icon_file(name: str) -> Path:
    """The file of an icon: ``app`` is Carnet's own, other names the action icons."""
    if name == "app":
        return resource_path("resources", "icons", "carnet.png")
    return resource_path("resources", "icons", "ui", f"{name}.png")


@cache
def icon(name: str) -> QIcon:
    """``app`` is Carnet's own icon; other names are the action icons of resources/icons/ui."""
    result = QIcon()
    path = icon_file(name)
    if path.exists():
        # The window icon, given its size, is read only when a size of it is drawn; an action
        # icon is read at once (an invalid size), to know its own.
        size = QSize(APP_ICON_SIZE, APP_ICON_SIZE) if name == "app" else QSize()
        result.addFile(str(path), size)
    return result
