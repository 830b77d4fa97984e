"""The training part of a followed person's page: the next-step hint, the paths and the
competence chart, with the actions to enrol, record progress and print a certificate.

The shell calls ``install_training_section(page, notebook)`` right after building a PersonPage."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.services.notebook import Notebook
from app.services.progress import Subject
from app.services.training import SubjectProgress
from app.ui.training.progress_view import ProgressView


class PersonTrainingSection(QWidget):
    def __init__(
        self,
        notebook: Notebook,
        code: str,
        parent: QWidget | None = None,
        progress: SubjectProgress | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("personTraining")
        self.view = ProgressView(
            notebook, Subject.person(code), self, full=False, progress=progress
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    @property
    def hint(self):  # noqa: ANN201
        return self.view.hint


def install_training_section(page: QWidget, notebook: Notebook) -> PersonTrainingSection:
    """Insert the section in a PersonPage (above its sessions table) and return it; a page
    that already has one keeps it."""
    existing = getattr(page, "training_section", None)
    if isinstance(existing, PersonTrainingSection):
        return existing
    code = page.summary.code  # type: ignore[attr-defined]
    section = PersonTrainingSection(notebook, code, page)
    layout = page.layout()
    assert isinstance(layout, QVBoxLayout)
    # Header and charts come first; the sessions table stays the stretching part below.
    layout.insertWidget(min(2, layout.count()), section)
    section.show()  # the page may already be on screen
    page.training_section = section  # type: ignore[attr-defined]
    page.resize(max(page.width(), 980), max(page.height(), 900))
    return section
