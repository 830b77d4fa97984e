"""Helpers shared by the windows: enum properties set by name, the sync indicator's dot."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QLabel, QToolBar

from app.ui.common import set_enum_property
from app.ui.sync.status import DOT_SIZE, dot


def test_enum_properties_are_set_by_their_keys_names(qapp):
    label = QLabel("x")
    set_enum_property(label, "alignment", "AlignCenter")
    assert label.alignment() == Qt.AlignmentFlag.AlignCenter
    set_enum_property(label, "alignment", "AlignRight|AlignVCenter")
    assert label.alignment() == Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    action = QAction("x")
    set_enum_property(action, "shortcutContext", "WidgetShortcut")
    assert action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut
    toolbar = QToolBar()
    set_enum_property(toolbar, "toolButtonStyle", "ToolButtonTextBesideIcon")
    assert toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon


def test_a_misspelt_key_or_property_is_refused(qapp):
    label = QLabel("x")
    with pytest.raises(ValueError, match="AlignMiddle"):
        set_enum_property(label, "alignment", "AlignMiddle")
    with pytest.raises(ValueError, match="alinement"):
        set_enum_property(label, "alinement", "AlignCenter")
    assert not label.dynamicPropertyNames()  # nothing added under the misspelt name
    assert label.alignment() == Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def test_the_sync_dot_is_a_soft_disc_of_its_colour(qapp):
    image = dot("#2e8b57").pixmap(QSize(DOT_SIZE, DOT_SIZE)).toImage()
    assert (image.width(), image.height()) == (DOT_SIZE, DOT_SIZE)
    centre = image.pixelColor(DOT_SIZE // 2, DOT_SIZE // 2)
    assert centre == QColor("#2e8b57")
    assert image.pixelColor(0, 0).alpha() == 0  # corners are transparent
    assert image.pixelColor(DOT_SIZE - 1, DOT_SIZE - 1).alpha() == 0
    edge = image.pixelColor(1, DOT_SIZE // 2)  # the disc's soft edge: partly covered
    assert 0 < edge.alpha() < 255
    # Symmetric: the same coverage on each side.
    assert image.pixelColor(DOT_SIZE - 2, DOT_SIZE // 2).alpha() == edge.alpha()
