"""Pull (changes after a cursor, in commit order), reconcile (after a restore) and status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Table, delete, func, select, union_all, update
from sqlalchemy.orm import Session

from hub.errors import HubError
from hub.models import RECORD_TABLES, AppliedOp, Mediator, RecordVersion, utcnow
from hub.push import among
from hub.records import ENTITIES, wire_payload


def cursor_expired(since: int, horizon: int) -> HubError:
    return HubError(
        410,
        "cursor_expired",
        "Votre dernière synchronisation est trop ancienne : des suppressions ont été purgées "
        "depuis. L'appareil va tout recharger depuis le hub ; les modifications en attente "
        "sont conservées.",
        {"since": since, "horizon": horizon},
    )


@dataclass(frozen=True)
class PullPage:
    changes: list[dict[str, Any]]
    next: int
    more: bool


def _not_written_by(
    db: Session, table: Table, mediator_id: str, since: int, want: int, device_id: str
) -> list[tuple[int, str]]:
    """(seq, id) of the first ``want`` records after ``since`` (in seq order) whose current
    version is not exactly what ``device_id`` pushed (an op of that device applied as is — no
    merge, no normalisation: ``device_payload`` is only kept when the stored row differs from
    what the device sent — whose result is this version). Walks the keys in slices, whatever
    the number of the device's own records on the way (a plan that does not depend on the
    database's statistics, fresh or stale after a big first sync)."""
    kept: list[tuple[int, str]] = []
    after = since
    step = max(want, 500)
    while len(kept) < want:
        keys = db.execute(
            select(table.c.id, table.c.seq, table.c.version)
            .where(table.c.mediator_id == mediator_id, table.c.seq > after)
            .order_by(table.c.seq)
            .limit(step)
        ).all()
        if not keys:
            break
        own = {
            (entity_id, version)
            for entity_id, version in db.execute(
                select(AppliedOp.entity_id, AppliedOp.version).where(
                    among(db, AppliedOp.entity_id, [k.id for k in keys]),
                    AppliedOp.device_id == device_id,
                    AppliedOp.base_version + 1 == AppliedOp.version,
                    AppliedOp.status == "applied",
                    AppliedOp.device_payload.is_(None),
                )
            )
        }
        kept.extend((k.seq, k.id) for k in keys if (k.id, k.version) not in own)
        after = keys[-1].seq
        if len(keys) < step:
            break
    return kept[:want]


def _page_keys(
    db: Session, mediator_id: str, since: int, limit: int, skip_device: str | None
) -> dict[str, list[str]] | int | None:
    """Which rows make the page, before any row is read whole. With ``skip_device``: the ids
    of the first ``limit + 1`` records to send, by entity. Without: the seq of the
    ``limit + 1``-th change (None when there are fewer), to read each table up to it.
    Either way a page reads at most ``limit + 1`` rows, not that many from every table."""
    if skip_device is None:
        seqs = union_all(
            *(
                select(table.c.seq).where(table.c.mediator_id == mediator_id, table.c.seq > since)
                for table in RECORD_TABLES.values()
            )
        ).subquery()
        bound = db.scalar(select(seqs.c.seq).order_by(seqs.c.seq).offset(limit).limit(1))
        return None if bound is None else int(bound)
    found: list[tuple[int, str, str]] = []
    for entity, table in RECORD_TABLES.items():
        found.extend(
            (seq, entity, entity_id)
            for seq, entity_id in _not_written_by(
                db, table, mediator_id, since, limit + 1, skip_device
            )
        )
    found.sort()
    by_entity: dict[str, list[str]] = {}
    for _, entity, entity_id in found[: limit + 1]:
        by_entity.setdefault(entity, []).append(entity_id)
    return by_entity


def pull_page(
    db: Session,
    mediator_id: str,
    since: int,
    limit: int,
    counter: tuple[int, int] | None = None,
    skip_device: str | None = None,
) -> PullPage:
    """Changes with ``seq > since``, oldest first, at most ``limit``. Run it in a snapshot
    transaction: the counter and the rows must be read from the same committed state
    (``counter`` = (seq, purged_seq) when the caller already read them in that snapshot).
    ``skip_device``: leave out the records whose current version that device pushed itself
    (it holds them already: a first sync does not download its own pushes back)."""
    if counter is None:
        seq, purged = db.execute(
            select(Mediator.seq, Mediator.purged_seq).where(Mediator.id == mediator_id)
        ).one()
    else:
        seq, purged = counter
    if 0 < since < purged:
        raise cursor_expired(since, purged)
    if since >= seq:
        return PullPage([], since, False)  # the common no-op sync: no record table is read
    rows: list[tuple[int, str, dict[str, Any]]] = []
    page = _page_keys(db, mediator_id, since, limit, skip_device)
    for entity, table in RECORD_TABLES.items():
        query = select(table).where(table.c.mediator_id == mediator_id, table.c.seq > since)
        if isinstance(page, dict):
            ids = page.get(entity)
            if not ids:
                continue
            query = query.where(among(db, table.c.id, ids))
        elif page is not None:
            query = query.where(table.c.seq <= page)
        query = query.order_by(table.c.seq).limit(limit + 1)
        result = db.execute(query)
        keys = tuple(result.keys())
        # Plain tuples zipped with the column names: a thousand RowMapping → dict costs more.
        rows.extend((r["seq"], entity, r) for r in map(dict, map(partial(zip, keys), result)))
    rows.sort(key=lambda item: item[0])
    more = len(rows) > limit
    rows = rows[:limit]
    changes = [
        {
            "seq": seq,
            "entity": entity,
            "entity_id": row["id"],
            "version": row["version"],
            "deleted": bool(row["deleted"]),
            "payload": wire_payload(entity, row),
        }
        for seq, entity, row in rows
    ]
    # No more rows: the cursor jumps to the counter (seq numbers may have gaps).
    next_seq = rows[-1][0] if more else int(seq)
    return PullPage(changes, next_seq, more)


def reconcile(
    db: Session, mediator_id: str, items: Sequence[tuple[str, str, int]]
) -> tuple[list[str], list[str]]:
    """Of the device's (entity, id, version) inventory: ids the hub lacks, ids it holds older."""
    by_entity: dict[str, dict[str, int]] = {}
    missing: list[str] = []
    for entity, entity_id, version in items:
        if entity not in ENTITIES:
            missing.append(entity_id)
            continue
        by_entity.setdefault(entity, {})[entity_id] = version
    stale: list[str] = []
    for entity, wanted in by_entity.items():
        table = RECORD_TABLES[entity]
        held = dict(
            db.execute(
                select(table.c.id, table.c.version).where(
                    table.c.mediator_id == mediator_id, table.c.id.in_(list(wanted))
                )
            ).all()
        )
        for entity_id, version in wanted.items():
            if entity_id not in held:
                missing.append(entity_id)
            elif held[entity_id] < version:
                stale.append(entity_id)
    return missing, stale


def purge_tombstones(db: Session, older_than_days: int, now: dt.datetime | None = None) -> int:
    """Delete tombstones received more than ``older_than_days`` ago, with their history and
    op records, and move each mediator's purge horizon: older cursors get 410."""
    cutoff = (now or utcnow()) - dt.timedelta(days=older_than_days)
    purged = 0
    horizons: dict[str, int] = {}
    for table in RECORD_TABLES.values():
        victims = db.execute(
            select(table.c.id, table.c.mediator_id, table.c.seq).where(
                table.c.deleted.is_(True), table.c.received_at < cutoff
            )
        ).all()
        if not victims:
            continue
        for _, mediator_id, seq in victims:
            horizons[mediator_id] = max(horizons.get(mediator_id, 0), int(seq))
        ids = [v[0] for v in victims]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            db.execute(delete(table).where(table.c.id.in_(chunk)))
            db.execute(delete(RecordVersion).where(RecordVersion.entity_id.in_(chunk)))
        purged += len(ids)
    for mediator_id, horizon in horizons.items():
        db.execute(
            update(Mediator)
            .where(Mediator.id == mediator_id, Mediator.purged_seq < horizon)
            .values(purged_seq=horizon)
        )
    return purged


def record_counts(db: Session, mediator_id: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for entity, table in RECORD_TABLES.items():
        out[entity] = (
            db.scalar(
                select(func.count())
                .select_from(table)
                .where(table.c.mediator_id == mediator_id, table.c.deleted.is_(False))
            )
            or 0
        )
    return out
