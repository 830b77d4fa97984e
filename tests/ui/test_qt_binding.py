"""The Qt binding itself: a release of PySide6 (6.12.0 on Python 3.11) dropped a reference to
``None`` on every call of a Qt method returning nothing, which crashes the interpreter
("none_dealloc") after a few thousand calls. The pinned version must not."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_the_reference_count_of_none(qapp):
    label = QLabel("x")
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("y")
        label.resize(10, 10)
    # Other code may take or drop a few references meanwhile; a leak would be -4000.
    assert abs(sys.getrefcount(None) - before) < 50
