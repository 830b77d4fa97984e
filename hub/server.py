"""Run the hub with uvicorn: in the foreground (``carnet-hub serve``) or in a thread on
loopback (end-to-end tests and benchmarks run the real server this way)."""

from __future__ import annotations

import gc
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from app.collector import fewer_collections
from hub.app import create_app
from hub.config import Settings
from hub.db import Database


def uvicorn_config(app: Any, host: str, port: int, **kwargs: Any) -> uvicorn.Config:
    # uvicorn's own Date header (on every response, errors included) is the one devices read
    # to check their clock; the hub adds X-Carnet-Epoch.
    kwargs.setdefault("log_level", "warning")
    return uvicorn.Config(app, host=host, port=port, server_header=False, **kwargs)


def serve_forever(config: uvicorn.Config) -> None:
    """Serve until stopped, as the hub's own process does: what the start made (modules, the
    app, the database's metadata) is set aside from the garbage collector's passes, and for
    the server's life the young generation is collected in larger, rarer passes (a push of a
    thousand ops allocates tens of thousands of short-lived objects; app/collector.py)."""
    gc.collect()
    gc.freeze()
    with fewer_collections():
        uvicorn.Server(config).run()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


class ServerThread:
    """A real hub on loopback, in a background thread::

        with ServerThread(settings) as hub:
            requests.get(hub.url + "/api/v1/sync/status", ...)

    ``hub.app`` is the FastAPI app (its ``state.hub.db`` is the database)."""

    def __init__(
        self,
        settings: Settings,
        host: str = "127.0.0.1",
        port: int | None = None,
        database: Database | None = None,
        **uvicorn_kwargs: Any,
    ) -> None:
        self.app = create_app(settings, database=database)
        self.host = host
        self.port = port or free_port(host)
        self.server = uvicorn.Server(uvicorn_config(self.app, host, self.port, **uvicorn_kwargs))
        self._thread = threading.Thread(target=self.server.run, name="carnet-hub", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("Le hub n'a pas démarré.")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
