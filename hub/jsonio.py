"""JSON of the sync routes through orjson: the request bodies parsed and the answers written
several times faster than with the standard library (a first sync sends megabytes of JSON, a
new laptop's pull receives as many).

Same JSON both ways, compact UTF-8; orjson refuses what is not JSON (NaN, a lone surrogate,
a body in UTF-16) where the standard library let it through: such a body gets the usual
400 ``bad_body`` answer of an unreadable body (docs/protocole-sync.md).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from app.sync import wire


class FastJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        # The device's writer (an integer beyond 64 bits, which orjson cannot write, is
        # written by the standard library).
        return wire.dumps(content)


class _FastJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            # orjson.JSONDecodeError is a json.JSONDecodeError: FastAPI answers it as before.
            self._json = orjson.loads(await self.body())
        return self._json


class FastJSONRoute(APIRoute):
    """A route whose JSON body is parsed with orjson (the rest is FastAPI's own handling)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            return await handler(_FastJSONRequest(request.scope, request.receive))

        return route
