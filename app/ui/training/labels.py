"""Translated labels of the training codes (statuses, kinds, audiences), shared by the views."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from app.services.progress import (
    DONE,
    PATH_COMPLETED,
    PATH_ENROLLED,
    PATH_IN_PROGRESS,
    STARTED,
    Event,
    Subject,
)
from app.ui.formatting import format_date
from app.ui.widgets import style

DONE_COLOR = QColor(style.SUCCESS)
STARTED_COLOR = QColor("#e0a43a")
TODO_COLOR = QColor("#dfe4ec")
WITHDRAWN_COLOR = QColor(style.TEXT_MUTED)


def audience_label(audience: str | None) -> str:
    if audience == "mediateurs":
        return QCoreApplication.translate("TrainingLabels", "Mediators")
    if audience == "beneficiaires":
        return QCoreApplication.translate("TrainingLabels", "People supported")
    return QCoreApplication.translate("TrainingLabels", "Unknown audience")


def module_status_label(status: str) -> str:
    if status == DONE:
        return QCoreApplication.translate("TrainingLabels", "Done")
    if status == STARTED:
        return QCoreApplication.translate("TrainingLabels", "Started")
    return QCoreApplication.translate("TrainingLabels", "To do")


def module_status_color(status: str) -> QColor:
    return {DONE: DONE_COLOR, STARTED: STARTED_COLOR}.get(status, TODO_COLOR)


def path_status_label(status: str) -> str:
    return {
        PATH_COMPLETED: QCoreApplication.translate("TrainingLabels", "Completed"),
        PATH_IN_PROGRESS: QCoreApplication.translate("TrainingLabels", "In progress"),
        PATH_ENROLLED: QCoreApplication.translate("TrainingLabels", "Enrolled"),
    }.get(status, status)


def catalogue_status_label(origin: str, status: str, withdrawn: bool) -> str:
    if withdrawn:
        return QCoreApplication.translate("TrainingLabels", "Withdrawn from the catalogue")
    if origin == "hub":
        return QCoreApplication.translate("TrainingLabels", "Published by the hub")
    if status == "proposed":
        return QCoreApplication.translate("TrainingLabels", "Local, proposed to the hub")
    return QCoreApplication.translate("TrainingLabels", "Local (yours only)")


def event_kind_label(kind: str) -> str:
    return {
        "enrolled": QCoreApplication.translate("TrainingLabels", "Enrolled"),
        "started": QCoreApplication.translate("TrainingLabels", "Module started"),
        "done": QCoreApplication.translate("TrainingLabels", "Module done"),
        "assessed": QCoreApplication.translate("TrainingLabels", "Level assessed"),
        "cancelled": QCoreApplication.translate("TrainingLabels", "Cancellation"),
    }.get(kind, kind)


def level_text(level: int | None) -> str:
    return (
        QCoreApplication.translate("TrainingLabels", "Level %1").replace("%1", str(level))
        if level
        else "—"
    )


def levels_text(levels: dict[str, int]) -> str:
    return ", ".join(f"{code} → {level}" for code, level in sorted(levels.items()))


def event_text(event: Event) -> str:
    """One line of history: date, what, which module, levels."""
    parts = [format_date(event.occurred_on), event_kind_label(event.kind)]
    if event.module_title:
        parts.append(f"« {event.module_title} »")
    parts.append(f"({event.path_title})")
    line = " · ".join(parts[:2]) + " " + " ".join(parts[2:])
    if event.level_after or event.level_before:
        before = levels_text(event.level_before)
        after = levels_text(event.level_after)
        detail = " ; ".join(
            t
            for t in (
                QCoreApplication.translate("TrainingLabels", "before: %1").replace("%1", before)
                if before
                else "",
                QCoreApplication.translate("TrainingLabels", "after: %1").replace("%1", after)
                if after
                else "",
            )
            if t
        )
        line += f" — {detail}"
    return line


def subject_label(subject: Subject, workshop_title: str = "", day: dt.date | None = None) -> str:
    if subject.kind == "self":
        return QCoreApplication.translate("TrainingLabels", "Myself")
    if subject.kind == "workshop":
        title = workshop_title or QCoreApplication.translate("TrainingLabels", "Workshop")
        return (
            QCoreApplication.translate("TrainingLabels", "Group of “%1” (%2)")
            .replace("%1", title)
            .replace("%2", format_date(day))
        )
    return subject.id
