"""The offline list of French communes and its search (Qt-free, shared with the hub).

Mediators pick a commune (venue, session, person's commune of residence) without a network, by
name or postal code. Each commune carries its EPCI, département and région codes, so that
territorial statistics can aggregate commune → EPCI → département → région.

The data comes from ``resources/data/communes.tsv.gz`` and ``territoires.tsv.gz``, rebuilt by
``scripts/build_communes.py`` from the official geographic code (see ``resources/data/README.md``).
Loading takes under a tenth of a second, so it is never done on import nor at construction:
call :meth:`CommuneIndex.load` from a worker, or let the first query load it.

The index stays small in memory (under 8 MB for 35,000 communes): it keeps the file's bytes, a
few search texts and integer arrays, and builds a :class:`Commune` only when one is asked for.
"""

from __future__ import annotations

import gzip
import heapq
import re
import sys
import threading
import unicodedata
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate, compress, islice, product, repeat
from operator import add
from pathlib import Path

from app.models.errors import StorageError
from app.paths import resource_path

COMMUNES_FILE = "communes.tsv.gz"
TERRITOIRES_FILE = "territoires.tsv.gz"
_COMMUNES_HEADER = (
    "insee\tnom\tcodes_postaux\tepci\tdepartement\tregion\tpopulation\tnoms_rattaches"
)
_TERRITOIRES_HEADER = "niveau\tcode\tnom\tregion"
_FIELDS = 8  # columns of communes.tsv

# Abbreviations people type for the first word of many names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
# A code query: postal code (prefix) or INSEE code, Corsica's being 2A/2B + 3 digits.
_CODE_TOKEN = re.compile(r"\d{1,5}|2[ab]\d{3}")
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}
# A commune's marker in the search keys: its place written in base 128 with these digits.
_MARKER_DIGITS = "".join(map(chr, range(0x80, 0x100)))
# Characters parsed per slice at load time, to bound the temporary objects.
_CHUNK_SIZE = 1 << 15


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
_SPACE_RUNS = re.compile(" {2,}")
_LINE_EDGE_SPACES = re.compile(" \n ?|\n ")


def _fold_text(text: str) -> str:
    """:func:`normalize` applied to every line of ``text``, lines kept, with a few C-level
    passes (fast at load time). Accents are split off by NFKD and dropped with the other
    non-ASCII marks."""
    for ligature, spelled in _LIGATURES.items():
        text = text.replace(ligature, spelled).replace(ligature.upper(), spelled.upper())
    ascii_bytes = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    folded = ascii_bytes.translate(_ASCII_FOLD).decode("ascii")
    # Only " " and "\n" are left as separators: collapse the runs, trim every line.
    return _LINE_EDGE_SPACES.sub("\n", _SPACE_RUNS.sub(" ", folded)).strip(" ")


def normalize(text: str) -> str:
    """Accent-, case-, hyphen- and apostrophe-insensitive form: ``"Saint-Étienne"`` →
    ``"saint etienne"``, ``"L'Haÿ-les-Roses"`` → ``"l hay les roses"``."""
    return _fold_text(text.replace("\n", " "))


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


def _line_spans(data: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``data[start:end]`` cut into slices of whole lines of about ``_CHUNK_SIZE`` bytes:
    (first, last) index pairs, the newline at ``last`` excluded. Nothing if it is empty."""
    while start < end:
        stop = data.find(b"\n", min(start + _CHUNK_SIZE, end), end)
        if stop < 0:
            stop = end
        yield start, stop
        start = stop + 1


def _markers(count: int) -> list[str]:
    """The markers of places 0 to ``count`` - 1 (see :class:`_KeyTexts`)."""
    return list(map("".join, islice(product(_MARKER_DIGITS, repeat=3), count)))


def _marker(place: int) -> str:
    return chr(0x80 | place >> 14) + chr(0x80 | place >> 7 & 0x7F) + chr(0x80 | place & 0x7F)


def _marker_place(marker: str) -> int:
    high, middle, low = map(ord, marker)
    return (high & 0x7F) << 14 | (middle & 0x7F) << 7 | (low & 0x7F)


class _KeyTexts:
    """Search keys of names, one line per name in two texts: ``"saintetienne\\tMMM"`` (the
    compact form, for prefixes and substrings; lines sorted, so that the names with a given
    prefix are found by a binary search) and ``" saint etienne\\tMMM"`` (the spaced form, for
    word prefixes). ``MMM`` is the commune's marker: its place in the tie-break order,
    written with 3 characters U+0080–U+00FF (so it never matches a folded query, keeps the
    text at one byte a character, and markers sort like places). Lines of attached names add
    their own number after the marker, to tell apart the names of one commune."""

    __slots__ = ("compact", "spaced")

    def __init__(self, names: list[str], markers: list[str]) -> None:
        """``names``: items of several folded names, one a line; a marker per name."""
        self.compact = _key_text(names, markers, lambda text: text.replace(" ", ""), sort=True)
        self.spaced = _key_text(names, markers, _spaced)

    def tiers(self, tokens: list[str]) -> Iterator[set[str]]:
        """Markers of the names matching ``tokens``, tier by tier, computed when asked for:
        0 exact, 1 prefix, 2 every word a word prefix, 3 substring (substrings only from 3
        letters on: "a" inside a name is noise). A tier may repeat better ones."""
        whole = "".join(tokens)
        # Runs on every keystroke: a binary search, then at most one C-level regex scan per
        # tier, "[^\t]*\t(...)" skipping from the match to the marker.
        start = _first_line_from(self.compact, whole)
        # Past the prefix lines: after the prefix they hold only letters, digits, a tab and
        # the marker, all but the marker below "\x7f", and the marker follows the tab.
        end = _first_line_from(self.compact, whole + "\x7f", start)
        prefix = re.findall(f"\n{re.escape(whole)}([^\t]*)\t(...)", self.compact[start:end])
        yield {marker for rest, marker in prefix if not rest}
        yield {marker for _, marker in prefix}
        words = sorted(set(tokens), key=len, reverse=True)
        if len(words) == 1:
            yield set(re.findall(f" {re.escape(words[0])}[^\t]*\t(...)", self.spaced))
        else:
            # Every word in the same line: intersect whole line ids, not communes.
            lines = set(re.findall(f" {re.escape(words[0])}[^\t]*\t([^\n]*)", self.spaced))
            for word in words[1:]:
                if lines:
                    lines.intersection_update(
                        re.findall(f" {re.escape(word)}[^\t]*\t([^\n]*)", self.spaced)
                    )
            yield {line[:3] for line in lines}
        if len(whole) >= 3:
            yield set(re.findall(f"{re.escape(whole)}[^\t]*\t(...)", self.compact))


def _spaced(text: str) -> str:
    """Every line of ``text`` after a space, so that " etienne" or " 59" finds a start."""
    return " " + text.replace("\n", "\n ")


def _key_text(
    values: list[str], markers: list[str], form: Callable[[str], str], sort: bool = False
) -> str:
    """A newline, then one line ``form(value) + "\\t" + marker`` per value, each ended by a
    newline; the lines sorted if asked. An item of ``values`` holds several values, one a
    line (a slice at a time, so that few objects live at once when not sorting)."""
    parts: list[str] = []
    done = 0
    for chunk in values:
        lines = form(chunk).split("\n")
        chunk_lines = map("\t".join, zip(lines, markers[done : done + len(lines)], strict=True))
        if sort:
            parts.extend(chunk_lines)
        else:
            parts.append("\n".join(chunk_lines))
        done += len(lines)
    if done != len(markers):
        raise ValueError("a value holds a line break")
    if sort:
        parts.sort()
    return "\n".join(["", *parts, ""])


def _first_line_from(text: str, key: str, low: int = 0) -> int:
    """In ``text`` made of sorted lines, each after a newline and the last one followed by a
    newline: the index of the newline before the first line ``>= key`` (of the last newline
    if none), searching from the newline at ``low``."""
    high = len(text) - 1
    while low < high:
        middle = text.rfind("\n", low, (low + high) // 2 + 1)
        end = text.find("\n", middle + 1)
        if text[middle + 1 : end] < key:
            low = end
        else:
            high = middle
    return low


class CommuneIndex:
    """All current communes, searchable offline. Cheap to build; loads on first use.

    Thread-safe: :meth:`load` may run on a worker while another thread queries; such a query
    waits for the load to finish, so a UI should query once :attr:`loaded` is true.

    Once loaded it holds, for the communes (rows, in INSEE order), a few compact columns:

    - ``_raw``: the file's bytes, and ``_offsets[row]`` where each row's line starts; a
      :class:`Commune` is parsed from its line on demand (then kept in ``_communes``);
    - ``_insee``: the INSEE codes end to end, 5 characters per row;
    - ``_position[row]``: the row's place when sorted by population (largest first), name,
      then row, which breaks ties between equally good matches; ``_ranked[place]``: the row;
    - ``_names``, ``_aliases``: search keys of names and attached names (:class:`_KeyTexts`);
    - ``_postal``: one line ``" 59000 59160\\tMMM"`` per row: its postal codes and marker.
    """

    def __init__(self, data_dir: Path | None = None) -> None:
        self._dir = data_dir or resource_path("resources", "data")
        self._lock = threading.Lock()
        self._loaded = False
        # Filled by load() (see the class docstring).
        self._region_names: dict[str, str] = {}
        self._departement_names: dict[str, str] = {}
        self._epci_names: dict[str, str] = {}
        self._departement_region: dict[str, str] = {}
        self._raw = b""
        self._offsets = array("I")
        self._count = 0
        self._insee = ""
        self._position = array("I")
        self._ranked = array("I")
        self._names = _KeyTexts([], [])
        self._aliases = _KeyTexts([], [])
        self._postal = "\n"
        self._communes: dict[int, Commune] = {}

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

    def _read_bytes(self, name: str, header: str) -> tuple[bytes, int]:
        """The file's decompressed bytes and where its body starts (after the header)."""
        path = self._dir / name
        try:
            raw = gzip.decompress(path.read_bytes())
        except (OSError, EOFError, zlib.error) as exc:
            raise self._unreadable(name) from exc
        end = raw.find(b"\n")
        if raw[: end if end >= 0 else len(raw)] != header.encode():
            raise self._malformed(name)
        return raw, end + 1 if end >= 0 else len(raw)

    def _unreadable(self, name: str) -> CommuneDataError:
        return CommuneDataError(
            f"La liste des communes ({name}) est illisible ou absente. Vos données ne sont "
            "pas touchées ; réinstallez Carnet pour retrouver ce fichier.",
            self._dir / name,
        )

    def _malformed(self, name: str) -> CommuneDataError:
        return CommuneDataError(
            f"La liste des communes ({name}) n'a pas le format attendu. Vos données ne sont "
            "pas touchées ; réinstallez Carnet pour retrouver ce fichier.",
            self._dir / name,
        )

    def _read_territories(self) -> None:
        raw, start = self._read_bytes(TERRITOIRES_FILE, _TERRITOIRES_HEADER)
        try:
            body = raw[start:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self._unreadable(TERRITOIRES_FILE) from exc
        names = {
            "region": self._region_names,
            "departement": self._departement_names,
            "epci": self._epci_names,
        }
        for line in body.splitlines():
            level, code, name, region = line.split("\t")
            names[level][code] = name
            if level == "departement":
                self._departement_region[code] = region

    def _read_communes(self) -> None:
        raw, start = self._read_bytes(COMMUNES_FILE, _COMMUNES_HEADER)
        try:
            self._parse_communes(raw, start)
        except UnicodeDecodeError as exc:
            raise self._unreadable(COMMUNES_FILE) from exc
        except (ValueError, OverflowError):
            raise self._malformed(COMMUNES_FILE) from None

    def _parse_communes(self, raw: bytes, start: int) -> None:
        """Build the compact columns (see the class docstring) from the file's bytes, a slice of
        rows at a time so that few temporary objects live at once. Raises ValueError if a
        line is malformed, UnicodeDecodeError if the text is not UTF-8."""
        end = len(raw) - raw.endswith(b"\n")
        offsets = array("I")
        populations = array("I")
        postal: list[bytes] = []
        insee: list[bytes] = []
        names: list[bytes] = []
        attached: list[tuple[int, bytes]] = []
        for first_byte, last_byte in _line_spans(raw, start, end):
            first = len(offsets)
            chunk = raw[first_byte:last_byte]
            chunk.decode("utf-8")  # checked here; a line is decoded when its commune is built
            lines = chunk.split(b"\n")
            if set(map(bytes.count, lines, repeat(b"\t"))) != {_FIELDS - 1}:
                raise ValueError("not 8 fields")
            offsets.extend(accumulate(map(add, map(len, lines), repeat(1)), initial=first_byte))
            offsets.pop()  # the next slice's start
            # One split gives every field of the slice, column k being fields[k::8].
            fields = chunk.replace(b"\n", b"\t").split(b"\t")
            del chunk, lines
            column = fields[0::_FIELDS]
            if set(map(len, column)) != {5}:
                raise ValueError("INSEE codes have 5 characters")
            insee.append(b"".join(column))
            names.append(b"\n".join(fields[1::_FIELDS]))
            column = fields[2::_FIELDS]
            # Postal codes have 5 digits, one space between two: split at spaces, an empty
            # field gives one empty code, and so would any other space.
            codes = b" ".join(column).split(b" ")
            empty = column.count(b"")
            if (
                codes.count(b"") != empty
                or set(map(len, codes)) - {0, 5}
                or (len(codes) > empty and not b"".join(codes).isdigit())
            ):
                raise ValueError("postal codes have 5 digits")
            postal.append(b"\n".join(column))
            # b"0" + b"" is an unknown population, ranked as 0.
            populations.extend(map(int, map(add, repeat(b"0"), fields[6::_FIELDS])))
            column = fields[7::_FIELDS]
            attached.extend(compress(zip(range(first, len(offsets)), column, strict=True), column))
        count = len(offsets)
        if count > len(_MARKER_DIGITS) ** 3:
            raise ValueError("too many rows for the markers")
        offsets.append(end + 1)
        self._raw = raw
        self._offsets = offsets
        self._count = count
        self._insee = b"".join(insee).decode("ascii")
        del insee
        # Tie-break order: population (largest first), then name, then row (sorts are stable;
        # UTF-8 bytes sort like the text they encode).
        name_list = b"\n".join(names).split(b"\n") if count else []
        by_name = sorted(range(count), key=name_list.__getitem__)
        del name_list
        ranked = sorted(by_name, key=populations.__getitem__, reverse=True)
        del by_name, populations
        self._ranked = array("I", ranked)
        position = self._position = array("I", bytes(4 * count))
        for place, row in enumerate(ranked):
            position[row] = place
        del ranked
        # Search keys, with the markers of the places.
        markers = _markers(count)
        row_markers = list(map(markers.__getitem__, position))
        del markers
        folded = [_fold_text(chunk.decode("utf-8")) for chunk in names]
        del names
        self._names = _KeyTexts(folded, row_markers)
        del folded
        postal_codes = [chunk.decode("ascii") for chunk in postal]
        del postal
        self._postal = _key_text(postal_codes, row_markers, _spaced)
        del postal_codes
        # An attached name's line id: its commune's marker, then its own number (a commune has
        # several attached names, and a multi-word query must match one of them).
        alias_rows = [row for row, text in attached for _ in range(text.count(b"|") + 1)]
        alias_markers = [row_markers[row] + _marker(line) for line, row in enumerate(alias_rows)]
        aliases = b"\n".join(text for _, text in attached).replace(b"|", b"\n")
        self._aliases = _KeyTexts(
            [_fold_text(aliases.decode("utf-8"))] if attached else [], alias_markers
        )

    # ----------------------------------------------------------------------------- lookups

    def __len__(self) -> int:
        return self.load()._count

    def get(self, insee: str) -> Commune | None:
        self.load()
        i = self._insee_row(insee.strip().upper())
        return None if i is None else self._commune(i)

    def all(self) -> list[Commune]:
        """Every commune, sorted by INSEE code."""
        self.load()
        return [self._commune(i) for i in range(self._count)]

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

    def _insee_row(self, code: str) -> int | None:
        if len(code) != 5:
            return None
        find = self._insee.find
        pos = find(code)
        while pos > 0 and pos % 5:  # a match across two codes
            pos = find(code, pos + 1)
        return None if pos < 0 else pos // 5

    def _commune(self, i: int) -> Commune:
        commune = self._communes.get(i)
        if commune is None:
            line = self._raw[self._offsets[i] : self._offsets[i + 1] - 1].decode("utf-8")
            insee, name, postal, epci, dep, reg, pop, attached = line.split("\t")
            commune = Commune(
                insee=insee,
                name=name,
                postal_codes=tuple(postal.split()),
                epci=sys.intern(epci) if epci else None,
                epci_name=self._epci_names.get(epci) if epci else None,
                departement=sys.intern(dep),
                region=sys.intern(reg),
                population=int(pop) if pop else None,
                attached_names=tuple(attached.split("|")) if attached else (),
            )
            # Another thread may have built it meanwhile: keep the first one.
            commune = self._communes.setdefault(i, commune)
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
        if words:
            markers = self._name_matches(words, allowed, limit)
        else:
            # Codes alone: by rank, then place.
            allowed = allowed or {}
            markers = heapq.nsmallest(limit, allowed, key=lambda m: (allowed[m], m))
        return [self._commune(self._ranked[_marker_place(m)]) for m in markers]

    def _code_matches(self, codes: list[str]) -> dict[str, int]:
        """Markers of the communes matching every code token → rank (0 exact postal code,
        1 INSEE code, 2 postal code prefix).

        Mediators type postal codes far more often than INSEE codes, so "59100" gives Roubaix
        (postal code 59100) before Bousignies (INSEE code 59100)."""
        result: dict[str, int] | None = None
        for code in codes:
            ranks: dict[str, int] = {}
            if code.isdigit():
                # A code of 5 digits is a whole postal code, a shorter one a prefix.
                found = re.findall(f" {code}[^\t]*\t(...)", self._postal)
                ranks = dict.fromkeys(found, 0 if len(code) == 5 else 2)
            insee_row = self._insee_row(code)
            if insee_row is not None:
                marker = _marker(self._position[insee_row])
                ranks[marker] = min(1, ranks.get(marker, 1))
            result = (
                ranks
                if result is None
                else {m: max(r, ranks[m]) for m, r in result.items() if m in ranks}
            )
        return result or {}

    def _name_matches(
        self, words: list[str], allowed: dict[str, int] | None, limit: int
    ) -> list[str]:
        """Markers of the best ``limit`` communes whose names match ``words`` (among the
        ``allowed`` ones if given). Ranks, best first: tier 0 on a name, tier 0 on an attached
        name, tier 1 on a name... (see :meth:`_KeyTexts.tiers`); then the place.

        Worse tiers are only computed while fewer than ``limit`` communes were found: typing
        the start of a name is answered by the prefix tier alone."""
        if allowed is not None and not allowed:
            return []  # no commune has these codes
        variants = _query_variants(words)
        searches = [
            [texts.tiers(tokens) for tokens in variants] for texts in (self._names, self._aliases)
        ]
        seen: set[str] = set()
        best: list[str] = []
        for _tier in range(4):
            for tier_searches in searches:
                found = set().union(*(next(tiers, ()) for tiers in tier_searches))
                new = found - seen
                seen |= new
                if allowed is not None:
                    new.intersection_update(allowed)
                best += heapq.nsmallest(limit - len(best), new)
                if len(best) >= limit:
                    return best
        return best
