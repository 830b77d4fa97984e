"""Statistical secrecy: small cells are hidden and cannot be recovered by subtracting published
figures (within a table, between a territory and its parts, across the levels of the tree)."""

from __future__ import annotations

from collections import defaultdict

from hub.stats.dashboard import Scope, Tree, build, row_groups
from hub.stats.query import Period
from hub.stats.secrecy import Group, suppress
from hub.stats.territory import shared_territories
from tests.hub.helpers import enrol, new_mediator
from tests.hub.stats.fixtures import counted, individual, push_ok, workshop

# ---- the engine on its own --------------------------------------------------------------------


def test_a_single_small_cell_takes_the_next_smallest_with_it():
    values = {"t": 60, "a": 3, "b": 20, "c": 12, "d": 25}
    hidden = suppress(values, [Group("t", ("a", "b", "c", "d"))])
    assert hidden == {"a", "c"}
    # What an attacker gets from the total: a + c = 15, so a is anything from 1 to 4.
    assert values["t"] - sum(values[m] for m in "bd") == 15


def test_two_small_cells_are_not_enough_without_a_larger_one():
    # 1 + 1 = 2 would tell both values: a larger cell is hidden with them.
    values = {"t": 32, "a": 1, "b": 1, "c": 30}
    assert suppress(values, [Group("t", ("a", "b", "c"))]) == {"a", "b", "c"}


def test_a_zero_or_else_the_total_completes_the_group():
    values = {"t": 3, "a": 3, "b": 0}
    # A zero is hidden with the small cell: a + b = 3 no longer tells a.
    assert suppress(values, [Group("t", ("a", "b"))]) == {"a", "b", "t"}
    values = {"t": 7, "a": 3, "b": 4}
    assert suppress(values, [Group("t", ("a", "b"))]) == {"a", "b", "t"}


def test_groups_are_solved_together_rows_and_columns():
    # A 2×2 table with margins: hiding one cell forces a whole rectangle.
    v = {
        ("r1", "c1"): 3, ("r1", "c2"): 10, ("r1", "T"): 13,
        ("r2", "c1"): 9, ("r2", "c2"): 11, ("r2", "T"): 20,
        ("T", "c1"): 12, ("T", "c2"): 21, ("T", "T"): 33,
    }  # fmt: skip
    groups = [
        Group(("r1", "T"), (("r1", "c1"), ("r1", "c2"))),
        Group(("r2", "T"), (("r2", "c1"), ("r2", "c2"))),
        Group(("T", "c1"), (("r1", "c1"), ("r2", "c1"))),
        Group(("T", "c2"), (("r1", "c2"), ("r2", "c2"))),
    ]
    hidden = suppress(v, groups)
    assert {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")} <= hidden
    assert _recovered(v, groups, hidden) == set()


def test_a_fixed_parent_is_never_changed():
    values = {"p": 40, "a": 3, "b": 37}
    assert suppress(values, [Group("p", ("a", "b"))], fixed={"p": False}) == {"a", "b"}


# ---- an attacker with every published figure --------------------------------------------------


def _recovered(values, groups, hidden) -> set:
    """Hidden cells an attacker computes by subtracting published figures (repeatedly solving
    every equation that has a single unknown left)."""
    known = {c: v for c, v in values.items() if c not in hidden}
    solved: set = set()
    progress = True
    while progress:
        progress = False
        for g in groups:
            cells = [g.total, *g.members]
            unknown = [c for c in cells if c not in known]
            if len(unknown) != 1:
                continue
            cell = unknown[0]
            members = sum(known.get(m, 0) for m in g.members if m != cell)
            known[cell] = known[g.total] - members if cell != g.total else members
            solved.add(cell)
            progress = True
    return solved


def _adversarial_hub(client, hub_db) -> None:
    """Lille: many sessions; Roubaix: 3 (small); Tourcoing: 8; Amiens (80): 20; a commune
    alone in its EPCI with 2 sessions (its EPCI and its total are small all the way up); a
    month with a single workshop of 3 people; an EPCI with one workshop a month."""
    big = enrol(client, hub_db, new_mediator(hub_db, "Grande structure"))
    small = enrol(client, hub_db, new_mediator(hub_db, "Petite structure"))
    payloads = [individual(f"2025-{m:02d}-10", commune_insee="59350") for m in range(1, 13)] * 3
    payloads = [dict(p, id=None) for p in payloads]
    from app.models.ids import new_id

    for p in payloads:
        p["id"] = new_id()
    payloads += [
        individual("2025-03-03", commune_insee="59512", genre="masculin") for _ in range(3)
    ]
    payloads += [individual("2025-05-05", commune_insee="59599") for _ in range(8)]
    payloads += [individual("2025-06-06", commune_insee="80021") for _ in range(20)]
    payloads += [workshop("2025-09-09", 3, None, commune_insee="59350")]
    # The only workshops of the Somme: one a month at Abbeville (each month is small, the
    # year is not, and they are the whole of their EPCI and of the département's workshops).
    payloads += [workshop(f"2025-{m:02d}-15", 6, 2, commune_insee="80001") for m in range(1, 13)]
    for k in range(0, len(payloads), 50):
        push_ok(client, big, payloads[k : k + 50])
    push_ok(client, small, [individual("2025-07-07", commune_insee="59001") for _ in range(2)])


def _published(tree: Tree, t) -> tuple[dict, list[Group], set]:
    """Every figure of every node as published, and the equations between them."""
    values: dict = {}
    hidden: set = set()
    groups: list[Group] = []
    nodes: dict[tuple[str, str], object] = {("hub", ""): tree.root()}
    children: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for dep, node in tree.departements().items():
        nodes[("departement", dep)] = node
        children[("hub", "")].append(("departement", dep))
        if not dep:
            continue
        for piece, pnode in tree.pieces(dep).items():
            nodes[("epci", piece)] = pnode
            children[("departement", dep)].append(("epci", piece))
            for commune, cnode in tree.communes(piece).items():
                nodes[("commune", commune)] = cnode
                children[("epci", piece)].append(("commune", commune))
    for key, node in nodes.items():
        months = key[0] != "commune"
        for col, value in node.figures.items():
            if col.startswith("mm:") or col in ("minutes", "codes_returning"):
                continue
            if col.startswith(("ma:", "mc:")) and not months:
                continue
            values[(key, col)] = value
            if col in node.hidden:
                hidden.add((key, col))
        for total, members in row_groups(node.figures, months):
            groups.append(Group((key, total), tuple((key, m) for m in members)))
    for parent, kids in children.items():
        cols = {c for (k, c) in values if k == parent}
        for col in cols:
            members = tuple((k, col) for k in kids if (k, col) in values)
            if col.startswith(("ma:", "mc:")) and kids and kids[0][0] == "commune":
                continue
            groups.append(Group((parent, col), members))
    return values, groups, hidden


def test_no_hidden_figure_can_be_recovered_across_the_tree(client, hub_db):
    _adversarial_hub(client, hub_db)
    t = shared_territories()
    with counted(hub_db) as s:
        tree = Tree(s, t, Period(2025), "")
        values, groups, hidden = _published(tree, t)
    small = {c for c in hidden if 0 < values[c] < 5}
    assert (("commune", "59512"), "activities") in small  # Roubaix's 3 sessions
    assert (("commune", "59512"), "genre:masculin") in small
    assert (("hub", ""), "activities") not in hidden
    recovered = _recovered(values, groups, hidden)
    assert not (recovered & small), sorted(recovered & small)
    # The commune alone in its EPCI: its 2 sessions are hidden at every level.
    lonely = [
        k
        for k in values
        if k[0][0] == "epci" and k[0][1].endswith(":59") and k[1] == "activities" and values[k] == 2
    ]
    assert lonely and all(k in hidden for k in lonely)


def test_pages_show_the_same_status_for_the_same_figure(client, hub_db):
    _adversarial_hub(client, hub_db)
    t = shared_territories()
    with counted(hub_db) as s:
        dep = build(s, t, Scope("departement", "59"), Period(2025))
        mel = build(s, t, Scope("epci", "200093201"), Period(2025))
        hub = build(s, t, Scope("hub"), Period(2025))
    mel_in_dep = next(r for r in dep.children if r.code == "200093201:59")
    assert mel_in_dep.activities == mel.indicators["activities"]
    dep_in_hub = next(r for r in hub.children if r.code == "59")
    assert dep_in_hub.activities == dep.indicators["activities"]
    roubaix = next(r for r in mel.children if r.code == "59512")
    assert roubaix.activities is None and roubaix.accomp is None
    # The month with the 3-person workshop: hidden in the trend, with a complement.
    sept = next(m for m in hub.trend if m.month == "2025-09")
    assert sept.accomp is not None  # the hub is big enough
    lille_trend = mel.trend
    assert sum(1 for m in lille_trend if m.accomp is None) != 1
