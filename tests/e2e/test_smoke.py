from tests.e2e.harness import check_invariants


def test_two_devices_of_one_mediator_converge(hub, make_device):
    mediator = hub.new_mediator()
    a, b = make_device("a"), make_device("b")
    a.enrol(hub, mediator)
    b.enrol(hub, mediator)
    ids = [a.record(notes=f"séance {i}") for i in range(5)]
    report = a.sync()
    assert report.applied >= 5
    b.sync()
    assert set(ids) <= set(b.rows())
    b.edit(ids[0], duration_min=90)
    b.sync()
    a.sync()
    assert a.rows()[ids[0]]["duration_min"] == 90
    check_invariants(hub, [a, b])
