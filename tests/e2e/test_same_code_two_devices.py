"""One person, one follow-up code, two laptops of the same mediator: the person is typed on
both before either synced, so each laptop creates its own beneficiary row (two ids, one code).
After syncing, in either order, every device and the hub keep the earliest id, every session
points at it, nothing is lost and the hub counts the person once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.models.entities import Accompagnement, Beneficiary, BeneficiaryAlias
from hub.stats.query import Period, hub_figures
from tests.e2e.harness import Device, HubServer, check_invariants
from tests.hub.stats.fixtures import counted

CODE = "KRT-4MU"  # "KRT-4MX" of the docs, with its real check character
ENTITIES = ("accompagnement", "venue", "beneficiary")


def _beneficiaries(device: Device) -> list[Beneficiary]:
    with device.notebook.session_factory() as db:
        return list(db.scalars(select(Beneficiary).where(Beneficiary.code == CODE)))


def _live_sessions(device: Device) -> dict[str, str | None]:
    with device.notebook.session_factory() as db:
        rows = db.scalars(select(Accompagnement).where(Accompagnement.deleted_at.is_(None)))
        return {r.id: r.beneficiary_id for r in rows}


def _people_on_hub(hub: HubServer) -> int:
    with counted(hub.db) as s:
        return hub_figures(s, Period(2025))["codes"]


def _assert_converged(hub: HubServer, devices: list[Device], sessions: set[str]) -> str:
    """One live beneficiary of the code everywhere, the smallest id; every session on it."""
    canonical = min(b.id for b in _beneficiaries(devices[0]))
    for device in devices:
        live = [b.id for b in _beneficiaries(device) if b.deleted_at is None]
        assert live == [canonical], (device.name, live)
        held = _live_sessions(device)
        assert set(held) == sessions, device.name  # nothing lost, nothing added
        assert set(held.values()) == {canonical}, device.name
    hub_people = hub.records(devices[0].mediator_id, "beneficiary")
    assert {i for i, p in hub_people.items() if not p["_deleted"]} == {canonical}
    hub_sessions = hub.records(devices[0].mediator_id)
    assert set(hub_sessions) == sessions
    assert {p["beneficiary_id"] for p in hub_sessions.values()} == {canonical}
    assert _people_on_hub(hub) == 1
    check_invariants(hub, devices, entities=ENTITIES)
    return canonical


def _hub_sessions_by_person(hub: HubServer, mediator_id: str) -> set[str | None]:
    return {p["beneficiary_id"] for p in hub.records(mediator_id).values()}


@pytest.mark.parametrize("first", ["earliest", "latest"])
def test_same_code_on_two_devices_converges_to_the_earliest_id(hub, make_device, first):
    mediator = hub.new_mediator()
    # What the hub counts at the moment it holds sessions of both rows (the second device has
    # pushed, and not merged yet): one person.
    seen_mid_way: list[tuple[int, int]] = []

    def before_merge(point: str) -> None:
        if point == "pull.page_received" and not seen_mid_way:
            ids = _hub_sessions_by_person(hub, mediator)
            seen_mid_way.append((len(ids), _people_on_hub(hub)))

    a = make_device("a", checkpoint=before_merge if first == "latest" else None)
    b = make_device("b", checkpoint=before_merge if first == "earliest" else None)
    a.enrol(hub, mediator)
    b.enrol(hub, mediator)
    a.ensure_venue()
    b.ensure_venue()
    # Laptop A meets the person first (its row gets the earlier id), B the next week, offline.
    sessions = {
        a.record(followup_code=CODE, date=dt.date(2025, 3, 3)),
        b.record(followup_code=CODE, date=dt.date(2025, 3, 10)),
        a.record(followup_code=CODE, date=dt.date(2025, 3, 17)),
        b.record(followup_code=CODE.lower().replace("-", " "), date=dt.date(2025, 3, 24)),
    }
    earliest = _beneficiaries(a)[0].id
    assert earliest < _beneficiaries(b)[0].id
    order = [a, b] if first == "earliest" else [b, a]

    order[0].sync()
    # The second holds both rows for a moment: it merges them at once, as local edits, and
    # pushes those edits in the same sync.
    order[1].sync()
    assert order[1].reports[-1].merged == 1
    assert seen_mid_way == [(2, 1)]  # two beneficiary ids on the hub, one person counted
    assert _people_on_hub(hub) == 1  # counted once while the devices converge
    order[0].sync()  # learns of the merge (and merges its own row if it is the latest)

    assert _assert_converged(hub, [a, b], sessions) == earliest
    # Each device retired a duplicate at most once (the one that saw both rows first did it
    # for the other when the other's own row had already been deleted on the hub).
    merged = {d.name: sum(r.merged for r in d.reports) for d in (a, b)}
    assert 1 <= sum(merged.values()) <= 2 and max(merged.values()) == 1, merged
    # Another session typed with the code goes to the canonical row, on either laptop.
    sessions.add(b.record(followup_code=CODE, date=dt.date(2025, 4, 7)))
    b.sync()
    a.sync()
    _assert_converged(hub, [a, b], sessions)


def test_a_third_device_and_a_late_duplicate(hub, make_device):
    """A third laptop made a duplicate too, and syncs last; a fresh laptop enrolled afterwards
    gets one person. The aliases follow the canonical row (one hop)."""
    mediator = hub.new_mediator()
    devices = [make_device(n) for n in ("a", "b", "c")]
    for device in devices:
        device.enrol(hub, mediator)
        device.ensure_venue()
    a, b, c = devices
    # The middle id syncs first, the largest next, and the earliest last of all.
    sessions = {d.record(followup_code=CODE) for d in (a, b, c)}
    ids = [_beneficiaries(d)[0].id for d in devices]
    assert ids == sorted(ids)
    b.sync()
    c.sync()  # b's row wins over c's here…
    a.sync()  # …until a's earlier row arrives
    for _ in range(2):
        for device in (b, c, a):
            device.sync()
    assert _assert_converged(hub, devices, sessions) == ids[0]
    with c.notebook.session_factory() as db:
        query = select(BeneficiaryAlias.alias_id, BeneficiaryAlias.canonical_id)
        aliases = {alias: canonical for alias, canonical in db.execute(query)}
    assert aliases == {ids[1]: ids[0], ids[2]: ids[0]}

    fresh = make_device("d")
    fresh.enrol(hub, mediator)
    fresh.sync()
    assert [b.id for b in _beneficiaries(fresh) if b.deleted_at is None] == [ids[0]]
    assert set(_live_sessions(fresh).values()) == {ids[0]}
    check_invariants(hub, [*devices, fresh], entities=ENTITIES)
