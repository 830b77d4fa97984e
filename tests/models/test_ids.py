import uuid

from app.models.ids import UUID7Generator, new_id, uuid7, uuid7_time_ms


def test_uuid7_has_version_and_variant():
    u = uuid7()
    assert u.version == 7
    assert u.variant == uuid.RFC_4122


def test_uuid7_embeds_time():
    u = UUID7Generator()(now_ms=1_700_000_000_000 + 10**9)
    assert uuid7_time_ms(u) == 1_700_000_000_000 + 10**9


def test_ids_sort_in_creation_order_even_within_one_millisecond():
    gen = UUID7Generator()
    ids = [gen(now_ms=1_800_000_000_000) for _ in range(2000)]
    assert ids == sorted(ids, key=lambda u: u.int)
    assert len(set(ids)) == len(ids)


def test_clock_stepping_back_keeps_order():
    gen = UUID7Generator()
    a = gen(now_ms=1_900_000_000_000)
    b = gen(now_ms=1_899_999_000_000)
    assert b.int > a.int


def test_new_id_is_text():
    assert len(new_id()) == 36
