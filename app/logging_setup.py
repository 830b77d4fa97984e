"""Logging to a rotating file in the platform log folder. Never a token or a note's text.

The rotation (``logging.handlers``, which brings ``socket`` and ``pickle`` with it) costs the start
a few milliseconds: the log is a plain file until :func:`rotate_log` is called, once the window is
up, and rotates from then on. Nothing is lost or written twice at the switch."""

from __future__ import annotations

import logging
from pathlib import Path

LOG_FILE_NAME = "carnet.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogFile(logging.Handler):
    """The log file: written by a plain file handler, then by a rotating one (``rotate``)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.target: logging.FileHandler = self._formatted(
            logging.FileHandler(path, encoding="utf-8")
        )

    @staticmethod
    def _formatted(handler: logging.FileHandler) -> logging.FileHandler:
        handler.setFormatter(logging.Formatter(FORMAT))
        return handler

    def emit(self, record: logging.LogRecord) -> None:
        self.target.emit(record)  # under this handler's lock (Handler.handle)

    def rotate(self) -> None:
        from logging.handlers import RotatingFileHandler

        if isinstance(self.target, RotatingFileHandler):
            return
        rotating = self._formatted(
            RotatingFileHandler(
                self.path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
            )
        )
        self.acquire()  # closed before a rollover can rename the file (Windows)
        try:
            plain, self.target = self.target, rotating
            plain.close()
        finally:
            self.release()

    def close(self) -> None:
        self.acquire()
        try:
            self.target.close()
        finally:
            self.release()
        super().close()


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    log_file = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    root.setLevel(level)
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = LogFile(log_file)
    except OSError:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    return log_file


def rotate_log() -> None:
    """From now on the log file rotates (1 MB, 5 old files kept). Call once the window is up."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, LogFile):
            handler.rotate()
