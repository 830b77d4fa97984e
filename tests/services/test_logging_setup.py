"""The log file: plain during the start, rotating once the window is up, nothing lost between."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app import logging_setup
from app.logging_setup import LogFile, rotate_log, setup_logging


@pytest.fixture
def root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_the_log_is_plain_then_rotates_keeping_every_line(tmp_path: Path, root_logger, monkeypatch):
    monkeypatch.setattr(logging_setup, "MAX_BYTES", 2_000)
    log_file = setup_logging(tmp_path / "journal")
    log = logging.getLogger("carnet.test")
    log.info("before rotation")
    (handler,) = [h for h in root_logger.handlers if isinstance(h, LogFile)]
    assert type(handler.target) is logging.FileHandler
    rotate_log()
    rotate_log()  # a second call changes nothing
    log.info("after rotation")
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == ["before rotation", "after rotation"]
    assert " INFO carnet.test: " in lines[0]
    for i in range(300):
        log.info("line %d of a long session", i)
    olds = sorted(p.name for p in log_file.parent.iterdir() if p.name != log_file.name)
    assert olds == [f"carnet.log.{n}" for n in range(1, logging_setup.BACKUP_COUNT + 1)]
    assert log_file.stat().st_size <= 2_000
