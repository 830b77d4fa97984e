"""The territorial tree of the hub's statistics: commune → EPCI part → département → hub.

An EPCI can straddle départements, so the tree's middle level is an EPCI's part inside one
département (code ``SIREN:dep``; communes outside any EPCI form the part ``-:dep``). A whole
EPCI is the union of its parts. Names and the hierarchy come from ``app.models.communes``
(the official geographic code shipped with Carnet); centroids for the maps from
``hub/stats/data/centroides.tsv.gz`` (scripts/build_centroids.py).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.models.communes import Commune, CommuneIndex

CENTROIDS_FILE = Path(__file__).resolve().parent / "data" / "centroides.tsv.gz"
NO_PLACE = ""  # sessions without a commune (à distance…)
LEVELS = ("hub", "departement", "epci", "commune")
LEVEL_LABELS = {
    "hub": "Ensemble du hub",
    "departement": "Département",
    "epci": "Intercommunalité (EPCI)",
    "commune": "Commune",
}


def departement_of(insee: str) -> str:
    """Département code from an INSEE code (for codes missing from the list)."""
    if insee.startswith("97"):
        return insee[:3]
    return insee[:2]


@dataclass(frozen=True)
class Place:
    commune: str
    piece: str  # "SIREN:dep" or "-:dep"
    departement: str


class Territories:
    """Names and the hierarchy of the territorial tree (thread-safe once loaded)."""

    def __init__(self, index: CommuneIndex | None = None) -> None:
        self.index = index or CommuneIndex()
        self._places: dict[str, Place] = {}
        self._centroids: dict[str, tuple[float, float]] | None = None
        self._parts: dict[str, list[str]] = {}

    def place(self, insee: str | None) -> Place | None:
        if not insee:
            return None
        found = self._places.get(insee)
        if found is None:
            commune = self.index.get(insee)
            dep = commune.departement if commune else departement_of(insee)
            epci = commune.epci if commune and commune.epci else "-"
            found = Place(insee, f"{epci}:{dep}", dep)
            self._places[insee] = found
        return found

    def commune(self, insee: str) -> Commune | None:
        return self.index.get(insee)

    def name(self, level: str, code: str) -> str:
        if level == "hub":
            return "Ensemble du hub"
        if code == NO_PLACE:
            return "Sans commune (à distance…)"
        if level == "departement":
            return f"{self.index.departement_name(code) or code} ({code})"
        if level == "epci":
            siren, _, dep = code.partition(":")
            if siren == "-":
                return f"Communes hors EPCI ({dep})"
            return self.index.epci_name(siren) or siren
        commune = self.index.get(code)
        return f"{commune.name} ({code})" if commune else code

    def epci_parts(self, siren: str) -> list[str]:
        """The parts (one per département) of an EPCI."""
        if siren not in self._parts:
            deps = sorted({c.departement for c in self.index.all() if c.epci == siren})
            self._parts[siren] = [f"{siren}:{dep}" for dep in deps]
        return self._parts[siren]

    def communes_of(self, level: str, code: str) -> list[Commune]:
        if level == "departement":
            return [c for c in self.index.all() if c.departement == code]
        if level == "epci":
            siren, _, dep = code.partition(":")
            return [
                c
                for c in self.index.all()
                if (c.epci or "-") == siren and (not dep or c.departement == dep)
            ]
        if level == "commune":
            commune = self.index.get(code)
            return [commune] if commune else []
        return []

    def centroid(self, insee: str) -> tuple[float, float] | None:
        if self._centroids is None:
            table: dict[str, tuple[float, float]] = {}
            text = gzip.decompress(CENTROIDS_FILE.read_bytes()).decode("utf-8")
            for line in text.splitlines()[1:]:
                code, lon, lat = line.split("\t")
                table[code] = (float(lon), float(lat))
            self._centroids = table
        return self._centroids.get(insee)


@cache
def shared_territories() -> Territories:
    """One read-only tree per process (reference data, loaded on first use)."""
    return Territories()
