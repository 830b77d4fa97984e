"""The sync indicator of the status bar: offline, n changes waiting, last synchronisation at
HH:MM, or a problem. A click opens the "Synchronisation" panel (or, before the device is linked,
the enrolment dialog). A thin progress bar beside it moves during a long sync."""

from __future__ import annotations

import datetime as dt
import math
from functools import cache

from PySide6 import QtCore
from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QProgressBar, QToolButton, QWidget

from app.ui.common import after_first_paint, set_enum_property
from app.ui.sync.controller import (
    ATTENTION,
    LOADING,
    NOT_LINKED,
    OFFLINE,
    PENDING,
    PROBLEM,
    SYNCED,
    SYNCING,
    SyncController,
    SyncView,
)

COLOURS = {
    LOADING: "#98a2ae",
    SYNCING: "#2f5fb3",
    NOT_LINKED: "#98a2ae",
    PROBLEM: "#c0392b",
    OFFLINE: "#7d8ca0",
    ATTENTION: "#d98a00",
    PENDING: "#2f5fb3",
    SYNCED: "#2e8b57",
}


DOT_SIZE = 12


@cache
def dot(colour: str) -> QIcon:
    """A disc of ``colour`` ("#rrggbb"), 10 px wide with a soft edge, on a transparent square.

    Its pixels are computed here rather than painted with QPainter: every QPainter call that
    takes a colour makes Python build the Qt namespace's enums, and this icon shows in the
    window's first paint (see set_enum_property)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    centre, radius = DOT_SIZE / 2, 5.0
    pixels = bytearray()
    for y in range(DOT_SIZE):
        for x in range(DOT_SIZE):
            # Coverage of the pixel by the disc, from its centre's distance to the edge.
            distance = math.hypot(x + 0.5 - centre, y + 0.5 - centre)
            alpha = min(1.0, max(0.0, radius + 0.5 - distance))
            # R, G, B, A bytes in this order on every machine, premultiplied by the coverage.
            pixels += bytes(round(c * alpha) for c in (red, green, blue, 255))
    image = QImage(
        bytes(pixels), DOT_SIZE, DOT_SIZE, DOT_SIZE * 4, QImage.Format.Format_RGBA8888_Premultiplied
    )
    return QIcon(QPixmap.fromImage(image))  # fromImage copies the pixels


def format_time(when: dt.datetime, today: dt.date | None = None) -> str:
    """HH:MM today, else the date and the time (local time)."""
    local = when.astimezone()
    if local.date() == (today or dt.date.today()):
        return local.strftime("%H:%M")
    return local.strftime("%d/%m/%Y %H:%M")


class SyncStatusButton(QToolButton):
    """The indicator; ``progress_bar`` goes next to it in the status bar."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.controller = controller
        self.setAutoRaise(True)
        set_enum_property(self, "toolButtonStyle", "ToolButtonTextBesideIcon")
        self.setIconSize(QSize(12, 12))
        # A cursor is needed once the pointer can reach the button: after the first paint,
        # with the Qt namespace's enums (see set_enum_property).
        after_first_paint(self, lambda: self.setCursor(QtCore.Qt.CursorShape.PointingHandCursor))
        # Its look is in resources/style.qss: a widget's own style sheet costs the start a
        # second styling pass. Its progress bar shares its parent (the status bar).
        self.progress_bar = QProgressBar(parent)
        self.progress_bar.setObjectName("syncProgress")
        self.progress_bar.setMaximumWidth(120)
        self.progress_bar.setMaximumHeight(12)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setVisible(False)
        self.clicked.connect(self._on_clicked)
        controller.sig_changed.connect(self.update_view)
        self.update_view()

    @property
    def state(self) -> str:
        return self.controller.view().state

    def update_view(self) -> None:
        view = self.controller.view()
        text, tip = self.describe(view)
        self.setText(text)
        self.setToolTip(tip)
        self.setIcon(dot(COLOURS.get(view.state, COLOURS[LOADING])))
        bar = self.progress_bar
        if view.state == SYNCING:
            p = view.progress
            if p is not None and p.total:
                bar.setRange(0, p.total)
                bar.setValue(min(p.done, p.total))
            else:
                bar.setRange(0, 0)  # busy
            bar.setVisible(True)
        else:
            bar.setVisible(False)

    def describe(self, view: SyncView, today: dt.date | None = None) -> tuple[str, str]:
        """(text, tooltip) of the indicator."""
        waiting = self.tr("%n change(s) waiting", None, view.pending) if view.pending else ""
        state = view.state
        if state == SYNCING:
            p = view.progress
            if p is not None and p.total:
                text = (
                    self.tr("Synchronising… %1 / %2")
                    .replace("%1", str(p.done))
                    .replace("%2", str(p.total))
                )
            else:
                text = self.tr("Synchronising…")
            return text, (p.message if p is not None else self.tr("Exchanging with the hub."))
        if state == NOT_LINKED:
            text = self.tr("Not linked to a hub")
            tip = self.tr(
                "This device does not synchronise yet: link it to your hub with the code given by "
                "your coordinator. Everything you record stays on this computer meanwhile."
            )
            return (f"{text} · {waiting}" if waiting else text), tip
        if state == PROBLEM:
            return self.tr("Synchronisation problem"), view.message or ""
        if state == OFFLINE:
            text = self.tr("Offline")
            tip = self.tr(
                "The hub cannot be reached: Carnet tries again by itself. Your data stays on this "
                "computer."
            )
            if view.message:
                tip += "\n\n" + view.message
            return (f"{text} · {waiting}" if waiting else text), tip
        if state == ATTENTION:
            tips = [view.clock_warning] if view.clock_warning else []
            if view.open_issues:
                text = self.tr("Problem: %n item(s) to review", None, view.open_issues)
                tips.insert(0, self.tr("Changes refused by the hub or in conflict: see the panel."))
            else:
                text = self.tr("Problem: the computer's clock is off")
            return text, "\n\n".join(tips)
        if state == LOADING:
            return waiting or self.tr("Synchronisation"), ""
        last = view.last_sync_at
        when = (
            self.tr("Last synchronisation at %1").replace("%1", format_time(last, today))
            if last is not None
            else self.tr("Not synchronised yet")
        )
        if state == PENDING and waiting:
            return waiting, when
        return when, self.tr("Everything is on the hub.") if state == SYNCED else ""

    def _on_clicked(self) -> None:
        if self.controller.view().state == NOT_LINKED:
            self.controller.open_enrol_dialog()
        else:
            self.controller.open_panel()
