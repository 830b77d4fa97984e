"""The reference catalogue devices use offline: a versioned snapshot fetched by ETag.

A snapshot is a JSON object of named sections (``paths`` for training paths, later others)
plus the version of the national lists. Publishing new content adds a snapshot with the next
version; an unchanged catalogue costs a device one 304.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.referentiels import REFERENTIELS_VERSION
from hub.models import CatalogueSnapshot, utcnow

DEFAULT_SECTIONS: dict[str, Any] = {"paths": []}


@dataclass(frozen=True)
class Catalogue:
    version: int
    etag: str
    body: bytes  # the JSON sent to devices


def _etag(version: int, content: str) -> str:
    digest = hashlib.sha256(f"{version}\n{REFERENTIELS_VERSION}\n{content}".encode()).hexdigest()
    return f'"{version}-{digest[:32]}"'


def _body(version: int, sections: dict[str, Any]) -> bytes:
    data = {"version": version, "referentiels_version": REFERENTIELS_VERSION, **sections}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


class CatalogueCache:
    """The latest catalogue as built for devices, kept by one hub process: a request then costs
    one small query (the latest version and its publish-time ETag) instead of decoding and
    encoding the whole snapshot. Thread-safe enough: it swaps one tuple."""

    def __init__(self) -> None:
        self._entry: tuple[tuple[int, str], Catalogue] | None = None

    def get(self, key: tuple[int, str]) -> Catalogue | None:
        entry = self._entry
        return entry[1] if entry is not None and entry[0] == key else None

    def put(self, key: tuple[int, str], value: Catalogue) -> None:
        self._entry = (key, value)


def current(db: Session, cache: CatalogueCache | None = None, head: Any = ...) -> Catalogue:
    """The latest catalogue. ``head``: its (version, ETag) when the caller already read them
    (None: none published), to spare the query."""
    if head is ...:
        head = db.execute(
            select(CatalogueSnapshot.version, CatalogueSnapshot.etag)
            .order_by(CatalogueSnapshot.version.desc())
            .limit(1)
        ).first()
    if head is None:
        content = json.dumps(DEFAULT_SECTIONS, sort_keys=True)
        return Catalogue(0, _etag(0, content), _body(0, DEFAULT_SECTIONS))
    key = (int(head[0]), str(head[1]))
    cached = cache.get(key) if cache is not None else None
    if cached is not None:
        return cached
    text = db.scalar(select(CatalogueSnapshot.content).where(CatalogueSnapshot.version == key[0]))
    sections = json.loads(text or "{}")
    built = Catalogue(key[0], _etag(key[0], text or ""), _body(key[0], sections))
    if cache is not None:
        cache.put(key, built)
    return built


def publish(db: Session, sections: dict[str, Any]) -> Catalogue:
    """Publish a new snapshot (sections replace those of the previous one; missing sections
    are kept). Returns the new catalogue; an identical content publishes nothing."""
    previous = current(db)
    merged = {**DEFAULT_SECTIONS}
    if previous.version:
        row = db.get(CatalogueSnapshot, previous.version)
        assert row is not None
        merged.update(json.loads(row.content))
    merged.update(sections)
    content = json.dumps(merged, sort_keys=True, ensure_ascii=False)
    if previous.version and _etag(previous.version, content) == previous.etag:
        return previous
    version = previous.version + 1
    db.add(
        CatalogueSnapshot(
            version=version, etag=_etag(version, content), content=content, created_at=utcnow()
        )
    )
    db.flush()
    return Catalogue(version, _etag(version, content), _body(version, merged))
