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


def current(db: Session) -> Catalogue:
    row = db.scalar(select(CatalogueSnapshot).order_by(CatalogueSnapshot.version.desc()).limit(1))
    if row is None:
        content = json.dumps(DEFAULT_SECTIONS, sort_keys=True)
        return Catalogue(0, _etag(0, content), _body(0, DEFAULT_SECTIONS))
    sections = json.loads(row.content)
    return Catalogue(row.version, _etag(row.version, row.content), _body(row.version, sections))


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
