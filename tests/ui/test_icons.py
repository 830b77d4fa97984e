"""The action icons: drawn in SVG, shipped and loaded as PNGs rendered from those drawings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from app.ui.icons import icon
from tests.ui.helpers import load_script

ROOT = Path(__file__).resolve().parents[2]
UI_ICONS = ROOT / "resources" / "icons" / "ui"
DRAWINGS = sorted(UI_ICONS.glob("*.svg"))


def test_every_drawing_has_its_png():
    assert DRAWINGS
    missing = [svg.name for svg in DRAWINGS if not svg.with_suffix(".png").exists()]
    assert not missing, "lancez « .venv/bin/python scripts/make_icons.py »"


@pytest.fixture(scope="module")
def tool():
    return load_script("make_icons")


@pytest.mark.parametrize("svg", DRAWINGS, ids=lambda p: p.stem)
def test_each_png_is_rendered_from_its_drawing(qapp, tool, svg: Path):
    """A drawing changed without its PNG being rendered again fails here."""
    fresh = QImage.fromData(tool.render_png(svg.read_bytes(), tool.UI_ICON_SIZE))
    stored = QImage(str(svg.with_suffix(".png")))
    assert stored.size() == QSize(tool.UI_ICON_SIZE, tool.UI_ICON_SIZE)
    fresh = fresh.convertToFormat(QImage.Format.Format_RGBA8888)
    stored = stored.convertToFormat(QImage.Format.Format_RGBA8888)
    worst = max(abs(a - b) for a, b in zip(fresh.constBits(), stored.constBits(), strict=True))
    assert worst <= 8, "lancez « .venv/bin/python scripts/make_icons.py »"


@pytest.mark.parametrize("name", [svg.stem for svg in DRAWINGS] + ["app"])
def test_icons_load_at_the_sizes_shown(qapp, name: str):
    loaded = icon(name)
    assert not loaded.isNull()
    for size in (16, 20, 40):  # menus, toolbar, toolbar on a high-density screen
        pixmap = loaded.pixmap(size, size)
        assert pixmap.width() == size
        assert not pixmap.toImage().isNull()


def test_an_unknown_name_gives_an_empty_icon(qapp):
    assert icon("no-such-icon").isNull()
