#!/usr/bin/env python3
"""Draw Carnet's icon and write it in the formats the installers need; render the action icons
(resources/icons/ui/*.svg) to the PNGs Carnet loads.

The drawing is the SVG below (a spiral notebook on a teal tile, with a check mark: a session
recorded). From it, Qt renders the PNGs, and this script packs them into a Windows ``.ico`` and
a macOS ``.icns`` itself (both formats accept PNG images inside), so nothing beyond PySide6 is
needed. Usage::

    .venv/bin/python scripts/make_icons.py            # resources/icons/carnet.* and ui/*.png
    .venv/bin/python scripts/make_icons.py --out /tmp/icons   # carnet.* only
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS_DIR = ROOT / "resources" / "icons"

SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <title>Carnet</title>
  <rect x="8" y="8" width="240" height="240" rx="48" fill="#17656f"/>
  <rect x="60" y="36" width="148" height="188" rx="14" fill="#0f4a52"/>
  <rect x="54" y="30" width="148" height="188" rx="14" fill="#fbf8f1"/>
  <g stroke="#c9d6d8" stroke-width="6" stroke-linecap="round">
    <line x1="92" y1="80" x2="180" y2="80"/>
    <line x1="92" y1="110" x2="180" y2="110"/>
    <line x1="92" y1="140" x2="150" y2="140"/>
  </g>
  <g fill="none" stroke="#f2b134" stroke-width="9" stroke-linecap="round">
    <path d="M 42 58 h 26"/>
    <path d="M 42 94 h 26"/>
    <path d="M 42 130 h 26"/>
    <path d="M 42 166 h 26"/>
    <path d="M 42 202 h 26"/>
  </g>
  <circle cx="170" cy="178" r="34" fill="#e4572e"/>
  <path d="M 153 179 l 12 12 l 22 -25" fill="none" stroke="#ffffff" stroke-width="10"
        stroke-linecap="round" stroke-linejoin="round"/>
</svg>
"""

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# The action icons (resources/icons/ui/*.svg) are also shipped as PNGs of this size, which
# Carnet loads: twice the toolbar's 20 px, so sharp on a high-density screen too; a PNG needs
# neither Qt's SVG library nor its icon plug-in at start-up (about 1.5 ms), nor an SVG parse.
UI_ICON_SIZE = 40
# ICNS element types holding PNG data, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}


def render_png(svg: bytes, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise SystemExit("le dessin SVG de l'icône est invalide")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def pack_ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose images are PNGs (read by Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in sorted(pngs.items()):
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICO directory
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def pack_icns(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(data)) + data
        for size, data in sorted(pngs.items())
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_icons(out: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    out.mkdir(parents=True, exist_ok=True)
    svg = SVG.encode("utf-8")
    sizes = sorted(set(ICO_SIZES) | set(ICNS_TYPES))
    pngs = {size: render_png(svg, size) for size in sizes}
    files = {
        "carnet.svg": svg,
        "carnet.png": pngs[256],
        "carnet.ico": pack_ico({s: pngs[s] for s in ICO_SIZES}),
        "carnet.icns": pack_icns({s: pngs[s] for s in ICNS_TYPES}),
    }
    written = []
    for name, data in files.items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written


def write_ui_icons(folder: Path) -> list[Path]:
    """Render each action icon ``NAME.svg`` of ``folder`` to ``NAME.png`` beside it."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    written = []
    for svg in sorted(folder.glob("*.svg")):
        png = svg.with_suffix(".png")
        png.write_bytes(render_png(svg.read_bytes(), UI_ICON_SIZE))
        written.append(png)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Dessine l'icône de Carnet (svg, png, ico, icns)")
    parser.add_argument("--out", type=Path, default=ICONS_DIR, help="dossier de sortie")
    args = parser.parse_args(argv)
    written = write_icons(args.out)
    if args.out.resolve() == ICONS_DIR:
        written += write_ui_icons(ICONS_DIR / "ui")
    for path in written:
        print(f"{path} ({path.stat().st_size} octets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
