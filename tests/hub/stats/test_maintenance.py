"""The aggregates stay equal to a from-scratch recomputation whatever the pushes: random
creations, edits (date, commune, type, tags, codes), deletions and replays, on both backends."""

from __future__ import annotations

import random

from hub.stats.maintain import rebuild
from tests.hub.helpers import enrol, new_mediator, op, push
from tests.hub.stats.fixtures import AMIENS, LILLE, ROUBAIX, aggregates, individual, workshop

COMMUNES = [LILLE, ROUBAIX, AMIENS, "02691", None]
TAGS = ["", "|Pass numérique|", "|Pass numérique|Conseiller France Services|", "|Aidants|"]


def _random_payload(rng: random.Random, entity_id: str | None = None) -> dict:
    date = f"{rng.choice([2024, 2025])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    commune = rng.choice(COMMUNES)
    place = (
        {"place_type": "a_distance", "commune_insee": None}
        if commune is None
        else {"commune_insee": commune}
    )
    common = dict(tags=rng.choice(TAGS), duration_min=rng.choice([15, 30, 45, 90, 150]), **place)
    if entity_id:
        common["id"] = entity_id
    if rng.random() < 0.25:
        participants = rng.randint(1, 12)
        returning = rng.choice([None, 0, rng.randint(0, participants)])
        counters = rng.choice(
            [None, {"genre": {"feminin": rng.randint(0, participants)}}, {"age": {"x": 99}}]
        )
        return workshop(date, participants, returning, counters=counters, **common)
    return individual(
        date,
        beneficiary_id=rng.choice([None, "P1", "P2", "P3", "P4"]),
        genre=rng.choice([None, "feminin", "masculin"]),
        oriented=rng.choice([None, True, False]),
        orientation=None,
        **common,
    )


def test_random_pushes_keep_the_aggregates_exact(client, hub_db):
    rng = random.Random(20251128)
    devices = [enrol(client, hub_db, new_mediator(hub_db, f"Médiateur {k}")) for k in range(3)]
    state: dict[str, tuple[int, dict, int]] = {}  # id → (device index, payload, version)
    for _ in range(25):
        k = rng.randrange(len(devices))
        ops = []
        mine = [i for i, (d, _p, _v) in state.items() if d == k]
        for _ in range(rng.randint(1, 8)):
            roll = rng.random()
            if mine and roll < 0.3:
                entity_id = rng.choice(mine)
                _, _, version = state[entity_id]
                payload = _random_payload(rng, entity_id)
                ops.append(op(payload, version))
                state[entity_id] = (k, payload, version + 1)
            elif mine and roll < 0.45:
                entity_id = rng.choice(mine)
                _, payload, version = state[entity_id]
                ops.append(
                    op({**payload, "deleted_at": "2025-12-31T10:00:00Z"}, version, kind="delete")
                )
                state[entity_id] = (k, payload, version + 1)
            else:
                payload = _random_payload(rng)
                ops.append(op(payload))
                state[payload["id"]] = (k, payload, 1)
                mine.append(payload["id"])
        r = push(client, devices[k], ops)
        assert r.status_code == 200, r.text
        if rng.random() < 0.2:  # a lost answer: the same batch again changes nothing
            assert push(client, devices[k], ops).status_code == 200
    maintained = aggregates(hub_db)
    assert maintained["stat_cell"], "the fixture must produce aggregates"
    with hub_db.write() as s:
        counted = rebuild(s)
    assert counted > 0
    assert aggregates(hub_db) == maintained
