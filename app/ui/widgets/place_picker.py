"""Where the session took place: one of the mediator's venues, a commune, or at a distance."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.models import referentiels as ref
from app.models.communes import CommuneIndex
from app.services.venues import VenueInfo
from app.ui.widgets import style
from app.ui.widgets.chips import ChipGroup
from app.ui.widgets.commune_picker import CommunePicker

VENUE = "lieu_activite"
WITH_COMMUNE = ("domicile", "autre")


class PlacePicker(QWidget):
    sig_changed = Signal()
    sig_venue_changed = Signal()
    sig_commune_changed = Signal()

    def __init__(
        self, venues: list[VenueInfo], communes: CommuneIndex, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.types = ChipGroup(list(ref.PLACE_TYPES.items()), single=True, required=True)
        self.types.setObjectName("place_type")
        self.venues = ChipGroup([(v.id, v.display) for v in venues], single=True)
        self.venues.setObjectName("venues")
        self.no_venue = QLabel(
            self.tr("No venue recorded yet: add your venues in Settings, or choose another place.")
        )
        self.no_venue.setWordWrap(True)
        self.no_venue.setStyleSheet(style.HINT_LABEL_QSS)
        self.commune = CommunePicker(communes)
        self.commune.setObjectName("commune")
        self.commune_label = QLabel(self.tr("Commune"))
        self.commune_label.setStyleSheet(f"color: {style.TEXT_MUTED};")
        self.commune_label.setBuddy(self.commune.edit)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.types)
        layout.addWidget(self.venues)
        layout.addWidget(self.no_venue)
        layout.addWidget(self.commune_label)
        layout.addWidget(self.commune)
        self._has_venues = bool(venues)

        self.types.sig_changed.connect(self._on_type_changed)
        self.venues.sig_changed.connect(self._on_venue_changed)
        self.commune.sig_changed.connect(self._on_commune_changed)
        self._sync()

    def place_type(self) -> str:
        return self.types.current() or VENUE

    def set_value(
        self,
        place_type: str,
        venue_id: str | None,
        commune: tuple[str | None, str | None, str | None],
    ) -> None:
        self.types.set_current(place_type if place_type in ref.PLACE_TYPES else VENUE)
        codes = self.venues.codes()
        if venue_id in codes:
            self.venues.set_current(venue_id)
        elif len(codes) == 1:
            self.venues.set_current(codes[0])
        else:
            self.venues.set_current(None)
        self.commune.set_value(*commune)
        self._sync()

    def venue_id(self) -> str | None:
        return self.venues.current()

    def commune_value(self) -> tuple[str | None, str | None, str | None]:
        return self.commune.value()

    def _on_type_changed(self) -> None:
        self._sync()
        if self.place_type() in WITH_COMMUNE:
            self.commune.setFocus()
        self.sig_changed.emit()

    def _on_venue_changed(self) -> None:
        self.sig_venue_changed.emit()
        self.sig_changed.emit()

    def _on_commune_changed(self) -> None:
        self.sig_commune_changed.emit()
        self.sig_changed.emit()

    def _sync(self) -> None:
        kind = self.place_type()
        self.venues.setVisible(kind == VENUE and self._has_venues)
        self.no_venue.setVisible(kind == VENUE and not self._has_venues)
        self.commune.setVisible(kind in WITH_COMMUNE)
        self.commune_label.setVisible(kind in WITH_COMMUNE)
