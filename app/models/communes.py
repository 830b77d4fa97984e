"""The offline list of French communes and its search (Qt-free, shared with the hub).

Mediators pick a commune (venue, session, person's commune of residence) without a network, by
name or postal code. Each commune carries its EPCI, département and région codes, so that
territorial statistics can aggregate commune → EPCI → département → région.

The data comes from ``resources/data/communes.tsv.gz`` and ``territoires.tsv.gz``, rebuilt by
``scripts/build_communes.py`` from the official geographic code (see ``resources/data/README.md``).
Loading takes about a tenth of a second, so it is never done on import nor at construction:
call :meth:`CommuneIndex.load` from a worker, or let the first query load it.
"""

from __future__ import annotations

import gzip
import heapq
import re
import threading
import unicodedata
import zlib
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

from app.models.errors import StorageError
from app.paths import resource_path

COMMUNES_FILE = "communes.tsv.gz"
TERRITOIRES_FILE = "territoires.tsv.gz"
_COMMUNES_HEADER = (
    "insee\tnom\tcodes_postaux\tepci\tdepartement\tregion\tpopulation\tnoms_rattaches"
)
_TERRITOIRES_HEADER = "niveau\tcode\tnom\tregion"

# Abbreviations people type for the first word of many names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
# A code query: postal code (prefix) or INSEE code, Corsica's being 2A/2B + 3 digits.
_CODE_TOKEN = re.compile(r"\d{1,5}|2[ab]\d{3}")
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}


class CommuneDataError(StorageError):
    code = "communes_data"


@dataclass(frozen=True, slots=True)
class Commune:
    """A current commune (commune actuelle) of the official geographic code."""

    insee: str
    name: str
    postal_codes: tuple[str, ...]
    epci: str | None
    epci_name: str | None
    departement: str
    region: str
    population: int | None = None
    # Names of the communes déléguées / associées attached to it ("Lomme" for Lille).
    attached_names: tuple[str, ...] = ()


def label(commune: Commune, postal_code: str | None = None) -> str:
    """``"Lille (59000)"``: the name with the given postal code, or its first one."""
    code = postal_code or (commune.postal_codes[0] if commune.postal_codes else None)
    return f"{commune.name} ({code})" if code else commune.name


# Byte table for ASCII text: letters lowered, digits kept, "\n" kept (it separates names in
# bulk folding), anything else becomes a space.
_ASCII_FOLD = bytes(c if chr(c).isalnum() or c == 0x0A else 0x20 for c in range(256)).lower()


def _fold_lines(text: str) -> list[str]:
    """:func:`normalize` applied to every line of ``text`` with a few C-level passes (fast at
    load time). Accents are split off by NFKD and dropped with the other non-ASCII marks."""
    for ligature, spelled in _LIGATURES.items():
        text = text.replace(ligature, spelled).replace(ligature.upper(), spelled.upper())
    ascii_bytes = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    folded = ascii_bytes.translate(_ASCII_FOLD).decode("ascii")
    return [" ".join(line.split()) for line in folded.split("\n")]


def normalize(text: str) -> str:
    """Accent-, case-, hyphen- and apostrophe-insensitive form: ``"Saint-Étienne"`` →
    ``"saint etienne"``, ``"L'Haÿ-les-Roses"`` → ``"l hay les roses"``."""
    return _fold_lines(text.replace("\n", " "))[0]


def matching_postal_code(commune: Commune, query: str) -> str | None:
    """The commune's postal code that a code in ``query`` points at ("75011" → "75011" for
    Paris), to show in :func:`label`; ``None`` if the query has no such code."""
    for token in query.split():
        token = token.strip("()[],;.")
        if token.isdigit():
            for code in commune.postal_codes:
                if code.startswith(token):
                    return code
    return None


def _query_variants(tokens: list[str]) -> list[list[str]]:
    """The tokens as typed, plus "st"/"ste" spelled out (but "st" may also be "Strasbourg")."""
    expanded = [_ABBREVIATIONS.get(t, t) for t in tokens]
    return [tokens, expanded] if expanded != tokens else [tokens]


class CommuneIndex:
    """All current communes, searchable offline. Cheap to build; loads on first use.

    Thread-safe: :meth:`load` may run on a worker while another thread queries; such a query
    waits for the load to finish, so a UI should query once :attr:`loaded` is true."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self._dir = data_dir or resource_path("resources", "data")
        self._lock = threading.Lock()
        self._loaded = False

    # ----------------------------------------------------------------------------- loading

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> CommuneIndex:
        """Read the files (idempotent). Raises :class:`CommuneDataError` if they are unreadable."""
        if self._loaded:
            return self
        with self._lock:
            if not self._loaded:
                self._read_territories()
                self._read_communes()
                self._loaded = True
        return self

    def _read_text(self, name: str, header: str) -> str:
        path = self._dir / name
        try:
            text = gzip.decompress(path.read_bytes()).decode("utf-8")
        except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
            raise CommuneDataError(
                f"La liste des communes ({name}) est illisible ou absente. Vos données ne sont "
                "pas touchées ; réinstallez Carnet pour retrouver ce fichier.",
                path,
            ) from exc
        first, _, body = text.partition("\n")
        if first != header:
            raise CommuneDataError(
                f"La liste des communes ({name}) n'a pas le format attendu. Vos données ne sont "
                "pas touchées ; réinstallez Carnet pour retrouver ce fichier.",
                path,
            )
        return body

    def _read_territories(self) -> None:
        body = self._read_text(TERRITOIRES_FILE, _TERRITOIRES_HEADER)
        names: dict[str, dict[str, str]] = {"region": {}, "departement": {}, "epci": {}}
        self._departement_region: dict[str, str] = {}
        for line in body.splitlines():
            level, code, name, region = line.split("\t")
            names[level][code] = name
            if level == "departement":
                self._departement_region[code] = region
        self._region_names = names["region"]
        self._departement_names = names["departement"]
        self._epci_names = names["epci"]

    def _read_communes(self) -> None:
        body = self._read_text(COMMUNES_FILE, _COMMUNES_HEADER)
        rows = [line.split("\t") for line in body.splitlines()]
        self._rows = rows
        self._communes: list[Commune | None] = [None] * len(rows)
        self._by_insee = {row[0]: i for i, row in enumerate(rows)}
        self._population = [int(row[6]) if row[6] else 0 for row in rows]
        # Name keys: " saint etienne" (spaced, for word prefixes) and "saintetienne" (compact).
        names = _fold_lines("\n".join(row[1] for row in rows))
        self._spaced = [" " + name for name in names]
        self._compact = [name.replace(" ", "") for name in names]
        self._alias_rows = [i for i, row in enumerate(rows) if row[7] for _ in row[7].split("|")]
        aliases = _fold_lines("\n".join(row[7].replace("|", "\n") for row in rows if row[7]))
        self._alias_spaced = [" " + alias for alias in aliases]
        self._alias_compact = [alias.replace(" ", "") for alias in aliases]
        # Postal code → rows, and the sorted distinct codes for prefix queries.
        by_postal: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            for code in row[2].split():
                by_postal.setdefault(code, []).append(i)
        self._by_postal = by_postal
        self._postal_codes = sorted(by_postal)

    # ----------------------------------------------------------------------------- lookups

    def __len__(self) -> int:
        return len(self.load()._rows)

    def get(self, insee: str) -> Commune | None:
        self.load()
        i = self._by_insee.get(insee.strip().upper())
        return None if i is None else self._commune(i)

    def all(self) -> list[Commune]:
        """Every commune, sorted by INSEE code."""
        self.load()
        return [self._commune(i) for i in range(len(self._rows))]

    def epci_name(self, code: str) -> str | None:
        return self.load()._epci_names.get(code)

    def departement_name(self, code: str) -> str | None:
        return self.load()._departement_names.get(code)

    def region_name(self, code: str) -> str | None:
        return self.load()._region_names.get(code)

    def departement_region(self, code: str) -> str | None:
        """Région code of a département (``"59"`` → ``"32"``)."""
        return self.load()._departement_region.get(code)

    def departements(self) -> dict[str, str]:
        """Département code → name, sorted by code."""
        return dict(sorted(self.load()._departement_names.items()))

    def regions(self) -> dict[str, str]:
        """Région code → name, sorted by code."""
        return dict(sorted(self.load()._region_names.items()))

    def _commune(self, i: int) -> Commune:
        commune = self._communes[i]
        if commune is None:
            insee, name, postal, epci, dep, reg, pop, attached = self._rows[i]
            commune = Commune(
                insee=insee,
                name=name,
                postal_codes=tuple(postal.split()),
                epci=epci or None,
                epci_name=self._epci_names.get(epci) if epci else None,
                departement=dep,
                region=reg,
                population=int(pop) if pop else None,
                attached_names=tuple(attached.split("|")) if attached else (),
            )
            self._communes[i] = commune
        return commune

    # ----------------------------------------------------------------------------- search

    def search(self, query: str, limit: int = 20) -> list[Commune]:
        """Communes matching ``query``, best first.

        Words match names regardless of accents, case, hyphens and apostrophes ("saint etienne",
        "st etienne" → Saint-Étienne), and also the names of attached communes déléguées or
        associées ("Lomme" → Lille). Ranking: exact name, then name prefix, then word prefixes,
        then substring; an attached name ranks just after the same kind of match on a name;
        then larger population first. Digits match a postal-code prefix or an exact INSEE code
        ("59000", "590", "59350", "2A004"); "lille 59" combines both.
        """
        if limit <= 0:
            return []
        self.load()
        codes: list[str] = []
        words: list[str] = []
        for raw in query.split():
            token = raw.strip("()[],;.")
            if _CODE_TOKEN.fullmatch(token.lower()):
                # "59 000" is a postal code typed with a space.
                joined = codes[-1] + token if codes else ""
                if joined.isdigit() and len(joined) <= 5:
                    codes[-1] = joined
                else:
                    codes.append(token.upper())
            else:
                words.extend(normalize(raw).split())
        allowed = self._code_matches(codes) if codes else None
        if not words:
            ranks = allowed or {}
        else:
            ranks = self._name_matches(words)
            if allowed is not None:
                ranks = {i: r for i, r in ranks.items() if i in allowed}
        best = heapq.nsmallest(
            limit, ranks, key=lambda i: (ranks[i], -self._population[i], self._rows[i][1], i)
        )
        return [self._commune(i) for i in best]

    def _code_matches(self, codes: list[str]) -> dict[int, int]:
        """Rows matching every code token → rank (0 exact postal code, 1 INSEE, 2 prefix).

        Mediators type postal codes far more often than INSEE codes, so "59100" gives Roubaix
        (postal code 59100) before Bousignies (INSEE code 59100)."""
        result: dict[int, int] | None = None
        for code in codes:
            ranks: dict[int, int] = {}
            if code.isdigit():
                start = bisect_left(self._postal_codes, code)
                end = bisect_left(self._postal_codes, code[:-1] + chr(ord(code[-1]) + 1))
                for postal in self._postal_codes[start:end]:
                    rank = 0 if postal == code else 2
                    for i in self._by_postal[postal]:
                        ranks[i] = min(rank, ranks.get(i, rank))
            insee_row = self._by_insee.get(code)
            if insee_row is not None:
                ranks[insee_row] = min(1, ranks.get(insee_row, 1))
            result = (
                ranks
                if result is None
                else {i: max(r, ranks[i]) for i, r in result.items() if i in ranks}
            )
        return result or {}

    def _name_matches(self, words: list[str]) -> dict[int, int]:
        ranks: dict[int, int] = {}
        for tokens in _query_variants(words):
            for i, tier in self._tiers(tokens, self._spaced, self._compact, None).items():
                ranks[i] = min(2 * tier, ranks.get(i, 2 * tier))
            for i, tier in self._tiers(
                tokens, self._alias_spaced, self._alias_compact, self._alias_rows
            ).items():
                ranks[i] = min(2 * tier + 1, ranks.get(i, 2 * tier + 1))
        return ranks

    @staticmethod
    def _tiers(
        tokens: list[str], spaced: list[str], compact: list[str], rows: list[int] | None
    ) -> dict[int, int]:
        """Tier of each matching key: 0 exact, 1 prefix, 2 every word a word prefix, 3 substring
        (substrings only from 3 letters on: "a" inside a name is noise)."""
        whole = "".join(tokens)
        starts = [" " + t for t in tokens]
        # Comprehensions rather than one loop with branches: this runs on every keystroke.
        if len(whole) < 3:
            first = starts[0]
            candidates = [
                k for k, key in enumerate(spaced) if first in key or compact[k].startswith(whole)
            ]
            substring: list[int] = []
        else:
            longest = max(tokens, key=len)
            candidates = [k for k, key in enumerate(compact) if longest in key]
            substring = [k for k in candidates if whole in compact[k]]
        if len(starts) == 1:
            word = [k for k in candidates if starts[0] in spaced[k]]
        else:
            word = [k for k in candidates if all(w in spaced[k] for w in starts)]
        prefix = [k for k in candidates if compact[k].startswith(whole)]
        exact = [k for k in prefix if compact[k] == whole]
        result: dict[int, int] = {}
        # Worst tier first, so that a better one overwrites it (also across the several
        # attached names of one row).
        for tier, keys in ((3, substring), (2, word), (1, prefix), (0, exact)):
            for k in keys:
                result[k if rows is None else rows[k]] = tier
        return result
