"""National themes as chips, most used first, with the administrative sub-themes rule.

The 11 sub-themes (service-public.fr categories) and the "Nom de la démarche" text appear only
while "Aide aux démarches administratives" is checked. Unchecking it hides them but keeps what
was ticked, so ticking it again brings the choice back; hidden sub-themes are never saved.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from app.models import referentiels as ref
from app.ui.widgets import style
from app.ui.widgets.chips import ChipGroup


def ordered_themes(ranking: list[str]) -> list[str]:
    """Main themes, those used most first, then the others in the national order."""
    used = [t for t in ranking if t in ref.THEMES_MEDIATION]
    return used + [t for t in ref.THEMES_MEDIATION if t not in used]


class ThemePicker(QWidget):
    sig_changed = Signal()

    def __init__(self, ranking: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        order = ordered_themes(ranking)
        self.main = ChipGroup([(c, ref.THEMES_MEDIATION[c]) for c in order], numbered=True)
        self.main.setObjectName("themes")
        self.sub = ChipGroup(list(ref.THEMES_DEMARCHES.items()))
        self.sub.setObjectName("demarches")
        self.demarche_name = QLineEdit()
        self.demarche_name.setObjectName("demarche_name")
        self.demarche_name.setMaxLength(200)
        self.demarche_name.setPlaceholderText(self.tr("e.g. renewing a residence permit"))

        self.admin_box = QWidget()
        self.admin_box.setObjectName("admin_box")
        admin_layout = QVBoxLayout(self.admin_box)
        admin_layout.setContentsMargins(14, 10, 0, 0)
        admin_layout.setSpacing(6)
        sub_title = QLabel(self.tr("Administrative procedure (optional details)"))
        sub_title.setStyleSheet(f"color: {style.TEXT_MUTED}; font-weight: 600;")
        admin_layout.addWidget(sub_title)
        admin_layout.addWidget(self.sub)
        name_label = QLabel(self.tr("Name of the procedure"))
        name_label.setBuddy(self.demarche_name)
        name_label.setStyleSheet(f"color: {style.TEXT_MUTED};")
        admin_layout.addWidget(name_label)
        admin_layout.addWidget(self.demarche_name)
        self.admin_box.setStyleSheet(
            f"#admin_box {{ border-left: 3px solid {style.ACCENT_SOFT}; }}"
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.main)
        layout.addWidget(self.admin_box)

        self.main.sig_changed.connect(self._on_main_changed)
        self.sub.sig_changed.connect(self.sig_changed)
        self.demarche_name.textEdited.connect(lambda _t: self.sig_changed.emit())
        self._sync_admin()

    def admin_checked(self) -> bool:
        return ref.ADMIN_THEME in self.main.value()

    def value(self) -> list[str]:
        """Checked themes, sub-themes included even while hidden (the draft keeps them)."""
        return self.main.value() + self.sub.value()

    def saved_value(self) -> list[str]:
        """What may be saved: sub-themes only under the administrative theme."""
        return self.value() if self.admin_checked() else self.main.value()

    def set_value(self, themes: list[str], demarche_name: str = "") -> None:
        self.main.set_value([t for t in themes if t in ref.THEMES_MEDIATION])
        self.sub.set_value([t for t in themes if t in ref.THEMES_DEMARCHES])
        self.demarche_name.setText(demarche_name)
        self._sync_admin()

    def toggle_number(self, number: int) -> bool:
        return self.main.toggle_number(number)

    def focus_first(self) -> None:
        self.main.focus_first()

    def _on_main_changed(self) -> None:
        self._sync_admin()
        self.sig_changed.emit()

    def _sync_admin(self) -> None:
        self.admin_box.setVisible(self.admin_checked())
