"""Start-up timing for benchmarks: with ``CARNET_EXIT_WHEN_SHOWN=1`` Carnet starts normally,
prints how long it took for the main window to be shown, then quits.

Armed by ``app.__main__`` before :func:`app.ui.application.run` (which reuses the
``QApplication`` created here and hands each new main window to ``StartupProbe.watch``), so the
measured path is the real one. It prints one line::

    CARNET_STARTUP shown_ms=412.3 interactive_ms=431.0 clock=launcher

- ``shown_ms``: first paint of the main window;
- ``interactive_ms``: the event loop is back and idle after that paint (the window answers input);
- both from the launch of the process when the launcher put its ``time.time()`` in
  ``CARNET_START_CLOCK`` (``clock=launcher``), else from the moment the probe was armed, after the
  interpreter started (``clock=probe``).
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

EXIT_WHEN_SHOWN_ENV = "CARNET_EXIT_WHEN_SHOWN"
START_CLOCK_ENV = "CARNET_START_CLOCK"
REPORT_PREFIX = "CARNET_STARTUP"
IDLE_MS_ENV = "CARNET_IDLE_MS"


def wanted(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    return environ.get(EXIT_WHEN_SHOWN_ENV, "") not in ("", "0")


class StartupProbe(QObject):
    """Waits for the first paint of the main window it is handed (``watch``).

    It filters that window's events only: an application-wide Python event filter would be
    called for every event of every object (and make Qt's Python types load), slowing down the
    start it measures. The window paints before its children, in the same pass."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        launcher_clock = os.environ.get(START_CLOCK_ENV)
        try:
            self._origin = float(launcher_clock) if launcher_clock else None
        except ValueError:
            self._origin = None
        self._clock = "launcher" if self._origin is not None else "probe"
        if self._origin is None:
            self._origin = time.time()
        self._shown_ms: float | None = None

    def _elapsed_ms(self) -> float:
        assert self._origin is not None
        return (time.time() - self._origin) * 1000.0

    def watch(self, window: QMainWindow) -> None:
        """Called with each new main window, before the event loop paints it."""
        if self._shown_ms is None:
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            if self._shown_ms is None:
                self._shown_ms = self._elapsed_ms()
                # Runs once the paint is over and the queued events are handled.
                QTimer.singleShot(0, self._on_interactive)
        return False

    def _on_interactive(self) -> None:
        line = (
            f"{REPORT_PREFIX} shown_ms={self._shown_ms:.1f} "
            f"interactive_ms={self._elapsed_ms():.1f} clock={self._clock}"
        )
        if sys.stdout is not None:  # a windowed Windows build has no console
            print(line, flush=True)
        # CARNET_IDLE_MS: stay up that long first, so what loads after the window (services,
        # communes) is in the memory figures of an idle app.
        idle_ms = int(os.environ.get(IDLE_MS_ENV, "0") or 0)
        QTimer.singleShot(max(0, idle_ms), lambda: self._app.exit(0))


def arm() -> StartupProbe | None:
    """Create the application and the probe when ``CARNET_EXIT_WHEN_SHOWN`` is set; hand the
    probe's ``watch`` to :func:`app.ui.application.run`."""
    if not wanted():
        return None
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    return StartupProbe(app)
