"""The wire format: round trips, strict parsing with French errors, deterministic gzip."""

from __future__ import annotations

import pytest

from app.sync import wire


def test_push_request_round_trip_and_deterministic_gzip():
    op = wire.PushOp("o1", "accompagnement", "e1", "upsert", 0, 1, "0" * 64, {"id": "e1"})
    request = wire.PushRequest("b1", [op])
    body = wire.dumps(request.to_json())
    assert wire.PushRequest.from_json(wire.loads(body)) == request
    assert wire.gzip_bytes(body) == wire.gzip_bytes(body)  # same batch, same bytes
    assert wire.gunzip_bytes(wire.gzip_bytes(body)) == body


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({"results": []}, "« epoch » manque"),
        ({"epoch": "e", "results": [{"op_id": "o", "status": "perdu"}]}, "statut « perdu »"),
        ({"epoch": "e", "results": [{"op_id": "o", "status": "applied", "version": "2"}]}, "type"),
        ({"epoch": "e", "results": [{"op_id": "o", "status": "applied", "version": True}]}, "type"),
        ([], "objet JSON"),
    ],
)
def test_malformed_push_answers_are_explained_in_french(data, fragment):
    with pytest.raises(wire.WireFormatError) as info:
        wire.PushResponse.from_json(data)
    assert fragment in str(info.value)


def test_unknown_fields_from_a_newer_hub_are_ignored():
    data = {
        "epoch": "e",
        "results": [
            {"op_id": "o", "status": "conflict", "version": 3, "fields": ["notes"], "nouveau": 1}
        ],
        "plus_tard": True,
    }
    result = wire.PushResponse.from_json(data).results[0]
    assert result.status == "conflict" and result.fields == ["notes"]


def test_pull_page_parsing():
    page = wire.PullResponse.from_json(
        {
            "epoch": "e",
            "next": 7,
            "more": False,
            "changes": [
                {
                    "seq": 7,
                    "entity": "venue",
                    "entity_id": "v",
                    "version": 2,
                    "deleted": True,
                    "payload": {"id": "v"},
                }
            ],
        }
    )
    assert page.changes[0].deleted and page.next == 7


def test_gunzip_refuses_bombs_and_truncation():
    bomb = wire.gzip_bytes(b"0" * 10_000)
    with pytest.raises(wire.WireFormatError):
        wire.gunzip_bytes(bomb, max_size=1000)
    with pytest.raises(wire.WireFormatError):
        wire.gunzip_bytes(bomb[:-12])
    with pytest.raises(wire.WireFormatError):
        wire.loads(b"<html>portail</html>")


@pytest.mark.parametrize(
    "garbage", [b'{"next": NaN}', b'{"next": Infinity}', b'{"epoch": "\\ud800"}', b"\xff{}"]
)
def test_a_hub_answer_that_is_not_strict_json_is_unreadable(garbage: bytes):
    with pytest.raises(wire.WireFormatError, match="illisible"):
        wire.loads(garbage)


def test_the_json_written_is_compact_utf8():
    body = wire.dumps({"notes": "Déclaration CAF — « aide »", "n": [1, None, True]})
    assert body == '{"notes":"Déclaration CAF — « aide »","n":[1,null,true]}'.encode()
    # beyond orjson's 64-bit integers: written all the same
    assert wire.dumps({"n": 2**70}) == b'{"n":1180591620717411303424}'


def test_enrol_response_never_shows_the_token():
    answer = wire.EnrolResponse("d", "secret-token", "m", "Camille", "Hub", "e")
    assert "secret-token" not in repr(answer)


def test_a_stored_payload_is_sent_as_it_is_and_decoded_only_when_read():
    """The engine sends the outbox's payload text without decoding it: the body is the same
    JSON as the one built from the decoded payload."""
    text = '{"id":"e1","notes":"Caf\u00e9 « CAF »","counters":{"version":9},"version":4}'
    stored = wire.PushOp("o1", "accompagnement", "e1", "upsert", 3, 1, None, payload_text=text)
    assert stored.record_version == 4
    assert stored._payload is None  # read off the text's end, not decoded
    body = wire.PushRequest("b1", [stored]).encode()
    decoded = wire.PushOp("o1", "accompagnement", "e1", "upsert", 3, 1, None, wire.loads(text))
    assert wire.loads(body) == wire.loads(wire.dumps(wire.PushRequest("b1", [decoded]).to_json()))
    assert wire.PushRequest.from_json(wire.loads(body)) == wire.PushRequest("b1", [decoded])
    assert stored.payload["counters"] == {"version": 9}


@pytest.mark.parametrize(
    "text, version",
    [
        ('{"id":"e1","version":12}', 12),
        ('{"id":"e1","doc":{"version":3}}', None),  # a nested version is not the record's
        ('{"version":2,"id":"e1"}', 2),  # another order: decoded
        ('{"id":"e1","version":true}', None),
    ],
)
def test_the_record_version_of_a_stored_payload(text, version):
    op = wire.PushOp("o", "venue", "e1", "upsert", 0, 1, None, payload_text=text)
    assert op.record_version == version
