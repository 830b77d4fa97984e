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


def test_enrol_response_never_shows_the_token():
    answer = wire.EnrolResponse("d", "secret-token", "m", "Camille", "Hub", "e")
    assert "secret-token" not in repr(answer)
