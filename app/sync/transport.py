"""HTTP transport to the hub over ``requests``: one keep-alive session, gzip bodies, timeouts,
TLS verification always on, and typed errors (see app/sync/errors.py).

The transport never retries by itself: the engine decides, because only it knows that a batch
must be resent byte for byte. ``Backoff`` is the delay helper it uses (exponential, full jitter).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import ipaddress
import logging
import os
import random
import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import requests

from app import __version__
from app.sync import wire
from app.sync.errors import (
    AuthError,
    CursorExpired,
    InsecureHubAddress,
    NotEnrolled,
    RateLimited,
    RequestRejected,
    TransportError,
    UpgradeRequired,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT = (10.0, 60.0)  # connect, read (seconds)


class Transport(Protocol):
    """What the engine needs from a transport (HttpTransport, or a fault-injecting wrapper)."""

    base_url: str | None
    last_epoch: str | None
    last_server_date: dt.datetime | None

    def configure(self, base_url: str | None, token: str | None) -> None: ...

    def enrol(self, base_url: str, request: wire.EnrolRequest) -> wire.EnrolResponse: ...

    def push(self, body: bytes) -> wire.PushResponse: ...

    def pull(self, since: int, limit: int, own: str = "all") -> wire.PullResponse: ...

    def reconcile(self, items: list[wire.ReconcileItem]) -> wire.ReconcileResponse: ...

    def resolve_conflicts(self, op_ids: list[str]) -> wire.ResolveResponse: ...

    def status(self) -> wire.StatusResponse: ...

    def catalogue(self, etag: str | None) -> wire.CatalogueResponse | None: ...


def normalize_hub_url(text: str) -> str:
    """``hub.exemple.fr`` → ``https://hub.exemple.fr``. Plain http only on this computer
    (loopback): a device token must never cross a network unencrypted."""
    value = text.strip().rstrip("/")
    if not value:
        raise InsecureHubAddress("Indiquez l'adresse du hub (par exemple https://hub.exemple.fr).")
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureHubAddress(
            f"« {text.strip()} » n'est pas une adresse de hub valide "
            "(attendu : https://hub.exemple.fr)."
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise InsecureHubAddress(
            "Cette adresse n'est pas chiffrée (http). Carnet ne se connecte à un hub qu'en "
            "https, pour protéger les données et le jeton de l'appareil. Demandez l'adresse "
            "https du hub à votre coordinateur."
        )
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Backoff:
    """Exponential backoff with full jitter: delay n is uniform in [0, min(cap, base·2ⁿ)]."""

    def __init__(
        self, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None
    ) -> None:
        self.base = base
        self.cap = cap
        self._rng = rng or random.Random()
        self.attempt = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * (2**self.attempt))
        self.attempt += 1
        return self._rng.uniform(0, ceiling)

    def reset(self) -> None:
        self.attempt = 0


_UNREADABLE = (
    "Le hub a répondu de façon illisible (HTTP {status}) : un proxy ou un portail "
    "d'accès à internet s'interpose peut-être. Vos données restent sur cet ordinateur ; "
    "Carnet réessaiera plus tard."
)


class HttpTransport:
    """One hub, one device token, one keep-alive ``requests.Session``.

    ``ca_bundle`` lets a hub with a private certificate authority be trusted; verification itself
    cannot be switched off.

    The environment's network settings (``HTTPS_PROXY`` / ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``)
    are honoured as ``requests`` does, but read once per hub address instead of at every request
    (``requests`` scans the whole environment and looks for a ``.netrc`` each time: about half a
    millisecond of every sync request). A ``.netrc`` is never used: the hub takes a device token.
    """

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        ca_bundle: str | None = None,
        app_version: str = __version__,
        protocol_version: int = wire.PROTOCOL_VERSION,
    ) -> None:
        self.base_url = normalize_hub_url(base_url) if base_url else None
        self._token = token
        self.timeout = timeout
        self.protocol_version = protocol_version
        self.app_version = app_version
        self.last_epoch: str | None = None
        self.last_server_date: dt.datetime | None = None
        self.bytes_sent = 0
        self.bytes_received = 0
        self.requests_made = 0
        self._lock = threading.Lock()
        self._verify: str | bool = (
            ca_bundle
            or os.environ.get("REQUESTS_CA_BUNDLE")
            or os.environ.get("CURL_CA_BUNDLE")
            or True
        )
        self._proxies: dict[str, dict[str, str]] = {}  # hub address → its proxies
        self._session = requests.Session()
        self._session.trust_env = False  # read once per address instead (see above)
        self._session.verify = self._verify
        self._session.headers.update(
            {
                "User-Agent": f"Carnet/{app_version}",
                wire.HEADER_PROTOCOL: str(protocol_version),
                "Accept": "application/json",
                "Accept-Encoding": "gzip",
            }
        )

    def __repr__(self) -> str:  # no token here, ever
        return f"HttpTransport({self.base_url!r})"

    def configure(self, base_url: str | None, token: str | None) -> None:
        self.base_url = normalize_hub_url(base_url) if base_url else None
        self._token = token

    def close(self) -> None:
        self._session.close()

    # ---- endpoints ----------------------------------------------------------------------------
    def enrol(self, base_url: str, request: wire.EnrolRequest) -> wire.EnrolResponse:
        url = normalize_hub_url(base_url)
        data = self._request("POST", url, "/enrol", body=wire.dumps(request.to_json()), auth=False)
        return _parse(wire.EnrolResponse.from_json, data)

    def push(self, body: bytes) -> wire.PushResponse:
        return _parse(
            wire.PushResponse.from_json, self._request("POST", None, "/sync/push", body=body)
        )

    def pull(self, since: int, limit: int, own: str = "all") -> wire.PullResponse:
        """A page of changes; ``own="skip"`` leaves out the records this device pushed as the
        hub holds them (``"all"``: everything, for a full re-pull)."""
        params = {"since": str(since), "limit": str(limit)}
        if own != "all":
            params["own"] = own
        data = self._request("GET", None, "/sync/pull", params=params)
        return _parse(wire.PullResponse.from_json, data)

    def reconcile(self, items: list[wire.ReconcileItem]) -> wire.ReconcileResponse:
        body = wire.dumps({"items": [i.to_json() for i in items]})
        return _parse(
            wire.ReconcileResponse.from_json,
            self._request("POST", None, "/sync/reconcile", body=body),
        )

    def resolve_conflicts(self, op_ids: list[str]) -> wire.ResolveResponse:
        """Tell the hub that the user kept its values for these conflicting ops."""
        body = wire.dumps({"op_ids": op_ids})
        return _parse(
            wire.ResolveResponse.from_json,
            self._request("POST", None, "/sync/conflicts/resolve", body=body),
        )

    def status(self) -> wire.StatusResponse:
        return _parse(wire.StatusResponse.from_json, self._request("GET", None, "/sync/status"))

    def catalogue(self, etag: str | None) -> wire.CatalogueResponse | None:
        """The catalogue snapshot, or None when it did not change since ``etag`` (304)."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._send("GET", None, "/catalogue", headers=headers)
        if response.status_code == 304:
            return None
        data = self._decode(response)
        etag = response.headers.get("ETag")
        return _parse(lambda d: wire.CatalogueResponse.from_json(d, etag), data)

    # ---- plumbing -----------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        base_url: str | None,
        path: str,
        *,
        body: bytes | None = None,
        params: dict[str, str] | None = None,
        auth: bool = True,
    ) -> Any:
        response = self._send(method, base_url, path, body=body, params=params, auth=auth)
        return self._decode(response)

    def _proxies_for(self, root: str) -> dict[str, str]:
        proxies = self._proxies.get(root)
        if proxies is None:
            proxies = self._proxies[root] = requests.utils.get_environ_proxies(root)
        return proxies

    def _send(
        self,
        method: str,
        base_url: str | None,
        path: str,
        *,
        body: bytes | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> requests.Response:
        root = base_url or self.base_url
        if not root:
            raise NotEnrolled("Cet appareil n'est pas encore relié à un hub.")
        all_headers = dict(headers or {})
        if auth:
            if not self._token:
                raise NotEnrolled(
                    "Le jeton de cet appareil n'est pas disponible : reliez à nouveau "
                    "l'appareil au hub (menu Synchronisation)."
                )
            all_headers["Authorization"] = f"Bearer {self._token}"
        data = body
        if body is not None:
            all_headers["Content-Type"] = "application/json"
            if len(body) > wire.GZIP_REQUEST_THRESHOLD:
                data = wire.gzip_bytes(body)
                all_headers["Content-Encoding"] = "gzip"
        url = root + wire.API_PREFIX + path
        try:
            response = self._session.request(
                method,
                url,
                data=data,
                params=params,
                headers=all_headers,
                timeout=self.timeout,
                allow_redirects=False,
                verify=self._verify,  # explicit: no environment variable can turn it off
                proxies=self._proxies_for(root),
            )
            content = response.content  # read it all now: a reset mid-body is a transport error
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                "La connexion sécurisée au hub a échoué (certificat non reconnu ou invalide). "
                "Vérifiez l'adresse du hub ; rien n'a été envoyé en clair."
            ) from exc
        except requests.exceptions.Timeout as exc:
            raise TransportError(
                "Le hub ne répond pas dans les temps. Vos données restent sur cet ordinateur ; "
                "Carnet réessaiera."
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise TransportError(
                "Connexion au hub impossible ou interrompue. Vos données restent sur cet "
                "ordinateur ; Carnet réessaiera dès que le hub sera joignable."
            ) from exc
        with self._lock:
            self.requests_made += 1
            self.bytes_sent += len(data or b"")
            wire_len = response.headers.get("Content-Length") or ""
            self.bytes_received += int(wire_len) if wire_len.isdigit() else len(content)
        self._record_headers(response)
        log.debug("%s %s -> %s", method, path, response.status_code)
        return response

    def _record_headers(self, response: requests.Response) -> None:
        epoch = response.headers.get(wire.HEADER_EPOCH)
        if epoch:
            self.last_epoch = epoch
        date = response.headers.get("Date")
        if date:
            try:
                parsed = email.utils.parsedate_to_datetime(date)
            except (TypeError, ValueError):
                parsed = None
            if parsed is not None:
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=dt.UTC)
                self.last_server_date = parsed

    def _decode(self, response: requests.Response) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            try:
                return wire.loads(response.content)
            except wire.WireFormatError as exc:
                raise TransportError(_UNREADABLE.format(status=status)) from exc
        try:
            error: wire.ErrorBody | None = wire.ErrorBody.from_json(wire.loads(response.content))
        except wire.WireFormatError:
            error = None
        if status >= 500 or error is None:
            if status == 429:
                raise RateLimited(
                    "Trop de tentatives : patientez avant de réessayer.",
                    _retry_after(response),
                )
            if status >= 500:
                raise TransportError(
                    f"Le hub rencontre un problème (HTTP {status}). Vos données restent sur cet "
                    "ordinateur ; Carnet réessaiera plus tard."
                )
            raise TransportError(_UNREADABLE.format(status=status))
        if status == 401:
            raise AuthError(error.message, error.code)
        if status == 426:
            raise UpgradeRequired(error.message, error.code)
        if status == 410 and error.code == "cursor_expired":
            raise CursorExpired(error.message, error.code)
        if status == 429:
            raise RateLimited(error.message, _retry_after(response))
        raise RequestRejected(error.message, error.code, status)


def _parse(parser: Callable[[Any], T], data: Any) -> T:
    """A 2xx answer of the wrong shape is treated like garbage: explained, retried later."""
    try:
        return parser(data)
    except wire.WireFormatError as exc:
        raise TransportError(
            f"{exc} Vos données restent sur cet ordinateur ; Carnet réessaiera plus tard."
        ) from exc


def _retry_after(response: requests.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return 60.0
