"""Who a followed person is for the hub's statistics: a (mediator, follow-up code) pair.

Two devices of one mediator that met a person offline each create a beneficiary row for the
same code (two ids). The devices merge them (app/models/beneficiary_merge.py: the smallest id
wins, sessions are re-pointed), but until every device has synced, the hub holds sessions that
point at either id. The statistics therefore count people by a **person key** derived from the
mediator and the code, never by beneficiary id: a person is counted once whatever the devices
have merged yet, and the key never changes (a key based on "the smallest id seen" would move
when an older duplicate arrives late, and the facts filed under the old key would be wrong).

A session whose beneficiary the hub does not hold yet (it can arrive in a later batch) is filed
under the beneficiary id; :func:`adopt_early_facts` moves those facts to the person key when
the beneficiary arrives.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import RECORD_TABLES
from hub.stats.schema import STAT_PERSON

# Fixed for ever: the aggregates store keys made with it.
PERSON_NAMESPACE = uuid.UUID("5d6f0c1e-2b7a-4f8e-9c3d-0a1b2c3d4e5f")

K = TypeVar("K", bound=tuple[str, ...])


def person_key(mediator_id: str, code: str) -> str:
    """The person key of a follow-up code of a mediator (a UUID, as long as an id)."""
    return str(uuid.uuid5(PERSON_NAMESPACE, f"{mediator_id}\x1f{code}"))


def person_keys(db: Session, beneficiary_ids: Iterable[str]) -> dict[str, str]:
    """Beneficiary id -> person key, for the ids the hub holds (tombstones included: a merged
    duplicate keeps its code)."""
    table = RECORD_TABLES["beneficiary"]
    ids = sorted(set(beneficiary_ids))
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        rows = db.execute(
            select(table.c.id, table.c.mediator_id, table.c.code).where(
                table.c.id.in_(ids[start : start + 500])
            )
        )
        for beneficiary_id, mediator_id, code in rows:
            out[beneficiary_id] = person_key(mediator_id, code)
    return out


def by_person(
    db: Session, facts: Mapping[K, int], beneficiaries: Iterable[str]
) -> tuple[dict[K, int], set[str]]:
    """Per-person facts keyed ``(beneficiary id, …)`` re-keyed ``(person key, …)`` (summed
    when two ids are one person), and the person keys of ``beneficiaries``."""
    keys = person_keys(db, beneficiaries)
    out: dict[K, int] = defaultdict(int)
    for fact, n in facts.items():
        beneficiary = fact[0]
        out[cast(K, (keys.get(beneficiary, beneficiary), *fact[1:]))] += n
    return dict(out), {keys.get(b, b) for b in beneficiaries}


def adopt_early_facts(db: Session, beneficiary_ids: Sequence[str]) -> int:
    """Beneficiaries just stored: move the per-person facts filed under their id (sessions
    that arrived first) to their person key. Returns the number of facts moved."""
    if not beneficiary_ids:
        return 0
    early = (
        db.execute(select(STAT_PERSON).where(STAT_PERSON.c.beneficiary_id.in_(beneficiary_ids)))
        .mappings()
        .all()
    )
    if not early:
        return 0
    from hub.stats.maintain import Deltas, forget_facts  # maintain files facts through here

    deltas = Deltas()
    for fact in early:
        key = (fact["beneficiary_id"], fact["month"], fact["mediator_id"], fact["commune"])
        deltas.persons[(*key, fact["tag"])] += fact["sessions"]
        deltas.person_place[fact["commune"]] = (fact["piece"], fact["departement"])
        deltas.beneficiaries.add(fact["beneficiary_id"])
    forget_facts(db, sorted({fact["beneficiary_id"] for fact in early}))
    deltas.flush(db)
    return len(early)
