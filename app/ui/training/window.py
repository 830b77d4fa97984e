"""The "Parcours" window: the catalogue, the mediator's own training and the workshop groups."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from app.services.notebook import Notebook
from app.services.progress import Subject
from app.ui.training.catalogue import CatalogueView
from app.ui.training.matrix import GroupMatrixView
from app.ui.training.progress_view import ProgressView


class TrainingWindow(QDialog):
    """Non-modal: it can stay open beside the sessions list."""

    TABS = ("catalogue", "mine", "groups")

    def __init__(self, notebook: Notebook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingWindow")
        self.setWindowTitle(self.tr("Training paths"))
        self.setWindowFlag(Qt.WindowType.WindowMinMaxButtonsHint, True)
        self.catalogue = CatalogueView(notebook)
        self.mine = ProgressView(notebook, Subject.myself())
        self.mine.setObjectName("myTraining")
        self.groups = GroupMatrixView(notebook)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("trainingTabs")
        self.tabs.addTab(self.catalogue, self.tr("Catalogue"))
        self.tabs.addTab(self.mine, self.tr("My training"))
        self.tabs.addTab(self.groups, self.tr("Workshop groups"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        # An enrolment made from the catalogue shows at once in the other tabs.
        self.catalogue.sig_changed.connect(self.mine.reload)
        self.catalogue.sig_changed.connect(self.groups.reload)
        self.resize(1120, 760)

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(self.TABS.index(name))
