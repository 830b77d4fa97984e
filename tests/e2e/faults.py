"""Fault injection for the sync tests: a transport wrapper and process "kills" at named points.

``FaultyTransport`` wraps a real transport and, on the calls you choose, drops the request
(nothing reaches the hub), drops the response (the hub committed, the client never hears),
sends the request twice at the same time, delays it, or resets it. ``CrashAt`` raises
``SimulatedCrash`` from inside the engine at one of ``SyncEngine.CHECKPOINTS``: the test then
builds a fresh engine on the same database, as a restarted app would.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.sync import wire
from app.sync.errors import TransportError
from app.sync.transport import Transport

FAULTS = ("drop_request", "drop_response", "duplicate", "delay", "reset")


class SimulatedCrash(BaseException):
    """A process killed at a named point. BaseException, so no ``except Exception`` in the
    engine can swallow it (like a real kill, nothing after it runs)."""


class CrashAt:
    """``checkpoint`` hook: at the ``nth`` time ``point`` is reached, run ``action`` (if any),
    then raise SimulatedCrash (unless ``crash`` is False: then only the action runs)."""

    def __init__(
        self,
        point: str,
        nth: int = 1,
        action: Callable[[], None] | None = None,
        crash: bool = True,
    ) -> None:
        self.point = point
        self.nth = nth
        self.action = action
        self.crash = crash
        self.seen: Counter[str] = Counter()
        self.fired = False

    def __call__(self, name: str) -> None:
        self.seen[name] += 1
        if name == self.point and self.seen[name] == self.nth and not self.fired:
            self.fired = True
            if self.action is not None:
                self.action()
            if self.crash:
                raise SimulatedCrash(name)


class FaultyTransport:
    """A Transport whose calls can be made to fail. Plan faults with ``plan(method, fault)``
    (consumed in order), or let ``rng`` pick them with probability ``rate``."""

    def __init__(
        self,
        inner: Transport,
        rng: random.Random | None = None,
        rate: float = 0.0,
        delay: float = 0.05,
    ) -> None:
        self.inner = inner
        self.rng = rng
        self.rate = rate
        self.delay = delay
        self._planned: dict[str, deque[str]] = {}
        self.log: list[tuple[str, str]] = []  # (method, fault or "ok")
        self.bodies: list[bytes] = []  # push bodies as sent, to check resends are identical
        self.pulls: list[str] = []  # the ``own`` of every pull asked for
        self.before: dict[str, Callable[[], None]] = {}
        self._lock = threading.Lock()

    # Transport attributes, delegated
    @property
    def base_url(self) -> str | None:  # type: ignore[override]
        return self.inner.base_url

    @property
    def last_epoch(self) -> str | None:
        return self.inner.last_epoch

    @property
    def last_server_date(self) -> dt.datetime | None:
        return self.inner.last_server_date

    def configure(self, base_url: str | None, token: str | None) -> None:
        self.inner.configure(base_url, token)

    def plan(self, method: str, *faults: str) -> None:
        for fault in faults:
            assert fault in FAULTS, fault
            self._planned.setdefault(method, deque()).append(fault)

    def _next_fault(self, method: str) -> str | None:
        with self._lock:
            queue = self._planned.get(method)
            if queue:
                return queue.popleft()
            if self.rng is not None and self.rate and self.rng.random() < self.rate:
                return self.rng.choice(FAULTS)
        return None

    def _run(self, method: str, call: Callable[[], Any]) -> Any:
        hook = self.before.pop(method, None)
        if hook is not None:
            hook()
        fault = self._next_fault(method)
        self.log.append((method, fault or "ok"))
        if fault in ("drop_request", "reset"):
            raise TransportError(f"fault injected: {fault}")
        if fault == "delay":
            time.sleep(self.delay)
        if fault == "duplicate":
            with ThreadPoolExecutor(2) as pool:
                first, second = pool.submit(call), pool.submit(call)
                errors = [f.exception() for f in (first, second)]
                if errors[0] is None:
                    return first.result()
                if errors[1] is None:
                    return second.result()
                raise errors[0]  # type: ignore[misc]
        result = call()
        if fault == "drop_response":
            raise TransportError("fault injected: response lost after the hub committed")
        return result

    def enrol(self, base_url: str, request: wire.EnrolRequest) -> wire.EnrolResponse:
        return self.inner.enrol(base_url, request)

    def push(self, body: bytes) -> wire.PushResponse:
        self.bodies.append(body)
        return self._run("push", lambda: self.inner.push(body))  # type: ignore[no-any-return]

    def pull(self, since: int, limit: int, own: str = "all") -> wire.PullResponse:
        self.pulls.append(own)
        return self._run("pull", lambda: self.inner.pull(since, limit, own))  # type: ignore[no-any-return]

    def reconcile(self, items: list[wire.ReconcileItem]) -> wire.ReconcileResponse:
        return self._run("reconcile", lambda: self.inner.reconcile(items))  # type: ignore[no-any-return]

    def resolve_conflicts(self, op_ids: list[str]) -> wire.ResolveResponse:
        return self._run("resolve", lambda: self.inner.resolve_conflicts(op_ids))  # type: ignore[no-any-return]

    def status(self) -> wire.StatusResponse:
        return self._run("status", self.inner.status)  # type: ignore[no-any-return]

    def catalogue(self, etag: str | None) -> wire.CatalogueResponse | None:
        return self._run("catalogue", lambda: self.inner.catalogue(etag))  # type: ignore[no-any-return]
