"""The sync routes' answers are written with orjson, and what it cannot write is written anyway."""

from __future__ import annotations

import json

from hub.jsonio import FastJSONResponse


def test_answers_are_compact_utf8_json():
    body = FastJSONResponse({"epoch": "e", "changes": [{"notes": "Démarche CAF", "v": 2}]}).body
    assert body == '{"epoch":"e","changes":[{"notes":"Démarche CAF","v":2}]}'.encode()


def test_an_integer_beyond_64_bits_in_a_document_is_still_served():
    body = FastJSONResponse({"payload": {"modules": [{"weight": 2**70}]}}).body
    assert json.loads(body) == {"payload": {"modules": [{"weight": 2**70}]}}
