"""Colours and sizes shared by the form widgets: calm, readable, large click targets."""

from __future__ import annotations

ACCENT = "#2f5fb3"
ACCENT_SOFT = "#e3ecfb"
ACCENT_TEXT = "#173a7a"
TEXT = "#1f2933"
TEXT_MUTED = "#5b6774"
BORDER = "#c3cad4"
BORDER_HOVER = "#7d8ca0"
SURFACE = "#ffffff"
SURFACE_HOVER = "#f3f6fa"
PAGE = "#f4f6f9"
ERROR = "#b3261e"
ERROR_SOFT = "#fdecea"
WARNING_SOFT = "#fff4e0"
WARNING_BORDER = "#e0a43a"
SUCCESS = "#1e7b4a"

CHIP_HEIGHT = 36

ERROR_LABEL_QSS = f"color: {ERROR}; font-weight: 600;"
HINT_LABEL_QSS = f"color: {TEXT_MUTED};"
