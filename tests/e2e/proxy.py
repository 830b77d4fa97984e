"""A throttling TCP proxy on loopback: limited bandwidth, added latency, random resets.

It sits between the client's HttpTransport and the hub to reproduce a slow lossy link (64 kbit/s,
1 s round trip, connections cut mid-request). Every connection it serves ends by itself when
either side closes; ``close()`` stops everything.
"""

from __future__ import annotations

import contextlib
import queue
import random
import socket
import struct
import threading
import time


class ThrottlingProxy:
    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        bits_per_second: float = 64_000,
        rtt: float = 1.0,
        reset_rate: float = 0.0,
        resets_at: tuple[int, ...] = (),
        seed: int = 1,
        chunk: int = 1024,
    ) -> None:
        self.upstream = upstream
        self.rate = bits_per_second / 8  # bytes per second, each direction
        self.one_way = rtt / 2
        self.reset_rate = reset_rate
        self._resets_at = sorted(resets_at)  # total bytes forwarded at which a link is cut
        self.chunk = chunk
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._closing = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.bytes_up = 0
        self.bytes_down = 0
        self.resets = 0
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, name="proxy-accept", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            for sock in list(self._sockets):
                _hard_close(sock)

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _hard_close(client)
                continue
            self.connections += 1
            with self._lock:
                self._sockets.update((client, server))
            link = _Link(self, client, server)
            link.start()

    def _should_reset(self, size: int) -> bool:
        with self._lock:
            total = self.bytes_up + self.bytes_down + size
            if self._resets_at and total >= self._resets_at[0]:
                self._resets_at.pop(0)
                return True
        if not self.reset_rate:
            return False
        with self._rng_lock:
            return self._rng.random() < self.reset_rate

    def _count(self, upstream: bool, n: int) -> None:
        with self._lock:
            if upstream:
                self.bytes_up += n
            else:
                self.bytes_down += n


class _Link:
    """One client connection: two directions, each a reader and a paced writer."""

    def __init__(self, proxy: ThrottlingProxy, client: socket.socket, server: socket.socket):
        self.proxy = proxy
        self.client = client
        self.server = server
        self.dead = threading.Event()

    def start(self) -> None:
        for src, dst, up in ((self.client, self.server, True), (self.server, self.client, False)):
            q: queue.Queue[tuple[float, bytes] | None] = queue.Queue()
            threading.Thread(target=self._read, args=(src, q), daemon=True).start()
            threading.Thread(target=self._write, args=(dst, q, up), daemon=True).start()

    def _kill(self, reset: bool) -> None:
        if self.dead.is_set():
            return
        self.dead.set()
        if reset:
            self.proxy.resets += 1
        for sock in (self.client, self.server):
            _hard_close(sock) if reset else _soft_close(sock)

    def _read(self, src: socket.socket, q: queue.Queue[tuple[float, bytes] | None]) -> None:
        src.settimeout(0.2)
        while not self.dead.is_set() and not self.proxy._closing.is_set():
            try:
                data = src.recv(self.proxy.chunk)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            q.put((time.monotonic(), data))
        q.put(None)

    def _write(
        self, dst: socket.socket, q: queue.Queue[tuple[float, bytes] | None], up: bool
    ) -> None:
        next_free = time.monotonic()
        while not self.dead.is_set():
            try:
                item = q.get(timeout=0.2)
            except queue.Empty:
                if self.proxy._closing.is_set():
                    break
                continue
            if item is None:
                self._kill(reset=False)
                return
            arrived, data = item
            if self.proxy._should_reset(len(data)):
                self._kill(reset=True)
                return
            start = max(time.monotonic(), arrived + self.proxy.one_way, next_free)
            next_free = start + len(data) / self.proxy.rate
            _sleep_until(next_free, self.dead)
            try:
                dst.sendall(data)
            except OSError:
                self._kill(reset=False)
                return
            self.proxy._count(up, len(data))
        self._kill(reset=False)


def _sleep_until(deadline: float, stop: threading.Event) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        stop.wait(delay)


def _hard_close(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0): the peer sees "connection reset"."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _soft_close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
