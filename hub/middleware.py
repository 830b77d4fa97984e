"""The hub's outer layer (pure ASGI): protocol check, body limits and gzip bodies, the
``X-Carnet-Epoch`` header on every response, and a JSON 500 for the unexpected. (``Date`` comes
from the HTTP server itself, uvicorn, on every response: setting it here too would send two.)

It runs before routing, so a wrong protocol gets 426 and an oversized or corrupt body gets
413/400 before anything reads it, and nothing partial is ever stored.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import Headers, MutableHeaders

from hub.errors import HubError, error_body, protocol_unsupported

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

EPOCH_HEADER = "x-carnet-epoch"
PROTOCOL_HEADER = "x-carnet-protocol"
API_PREFIX = "/api/"


class EpochHolder:
    """The last epoch read from the database; handlers that read it in their transaction put
    theirs in ``scope["carnet_epoch"]``, which wins."""

    def __init__(self, epoch: str) -> None:
        self.value = epoch


def too_large(limit: int, compressed: bool) -> HubError:
    what = "compressée" if compressed else "décompressée"
    return HubError(
        413,
        "body_too_large",
        f"Requête trop volumineuse (taille {what} maximale : {limit // 1024} Kio). Envoyez "
        "moins d'opérations par lot.",
        {"limit": limit},
    )


def bad_body(reason: str) -> HubError:
    return HubError(400, "bad_body", f"Corps de requête illisible : {reason}.")


class CarnetMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        epoch: EpochHolder,
        max_body: int,
        max_uncompressed: int,
        supported_protocols: frozenset[int],
    ) -> None:
        self.app = app
        self.epoch = epoch
        self.max_body = max_body
        self.max_uncompressed = max_uncompressed
        self.supported = supported_protocols

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers[EPOCH_HEADER] = scope.get("carnet_epoch") or self.epoch.value
                headers.setdefault("cache-control", "no-store")
            await send(message)

        try:
            headers = Headers(scope=scope)
            if scope["path"].startswith(API_PREFIX):
                self._check_protocol(headers.get(PROTOCOL_HEADER))
            if scope["method"] in ("POST", "PUT", "PATCH"):
                receive = await self._buffer_body(scope, headers, receive)
            await self.app(scope, receive, send_with_headers)
        except HubError as err:
            if started:
                raise
            await self._send_error(
                err.status, err.code, err.message, err.details, err.headers, send_with_headers
            )
        except Exception:
            log.exception("erreur interne sur %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await self._send_error(
                500,
                "internal_error",
                "Erreur interne du hub. Rien n'a été enregistré ; réessayez plus tard.",
                {},
                {},
                send_with_headers,
            )

    def _check_protocol(self, value: str | None) -> None:
        try:
            version = int(value) if value is not None else None
        except ValueError:
            version = None
        if version not in self.supported:
            raise protocol_unsupported(value[:10] if value else None, sorted(self.supported))

    async def _buffer_body(self, scope: Scope, headers: Headers, receive: Receive) -> Receive:
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            raise too_large(self.max_body, compressed=True)
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise bad_body("la connexion a été coupée pendant l'envoi")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise too_large(self.max_body, compressed=True)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        encoding = (headers.get("content-encoding") or "identity").strip().lower()
        if encoding == "gzip":
            body = self._gunzip(body)
        elif encoding != "identity":
            raise bad_body(f"encodage « {encoding[:20]} » non pris en charge (gzip attendu)")
        if len(body) > self.max_uncompressed:
            raise too_large(self.max_uncompressed, compressed=False)
        raw_headers = [
            (k, v) for k, v in scope["headers"] if k not in (b"content-encoding", b"content-length")
        ]
        raw_headers.append((b"content-length", str(len(body)).encode()))
        scope["headers"] = raw_headers
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    def _gunzip(self, data: bytes) -> bytes:
        decompressor = zlib.decompressobj(wbits=31)
        try:
            out = decompressor.decompress(data, self.max_uncompressed + 1)
        except zlib.error:
            raise bad_body("données gzip corrompues") from None
        if len(out) > self.max_uncompressed or decompressor.unconsumed_tail:
            raise too_large(self.max_uncompressed, compressed=False)
        if not decompressor.eof:
            raise bad_body("données gzip tronquées")
        return out

    @staticmethod
    async def _send_error(
        status: int,
        code: str,
        message: str,
        details: dict[str, Any],
        extra_headers: dict[str, str],
        send: Send,
    ) -> None:
        body = json.dumps(error_body(code, message, details), ensure_ascii=False).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        headers.extend((k.lower().encode(), v.encode()) for k, v in extra_headers.items())
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
