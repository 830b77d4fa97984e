"""A smaller ICU data library for the Linux bundle.

Qt's Linux wheels link ``libicudata.so.73``: 31 MB of ICU data for every language, of which Qt
uses little (collation for ``QCollator``, a few locale and time-zone tables, codec aliases). We
rebuild that library with only what a French-speaking (or English-speaking) user needs, which
saves about 27 MB. The ICU common data format is simple: a header, a table of contents sorted by
name, then the items; we keep the header, write a shorter table and copy the kept items.

The library is a data-only ELF file exporting one symbol (``icudt73_dat``), which ICU's code in
``libicuuc`` reads at start-up; a C compiler assembles it from the data with ``.incbin``.
Only the standard library is used; the rules of what is kept are in :func:`keep_icu_item`.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from installer.elf import dynamic_symbols

# Locale trees: the French and English locales (and their regional variants), and the root one.
KEPT_LANGUAGES = ("fr", "en")
LOCALE_TREES = ("", "coll", "curr", "lang", "region", "unit", "zone", "rbnf", "brkitr")
# Converters Qt may need beyond UTF-8/16/32 and Latin-1 (which it handles itself): the Western
# European Windows and ISO codepages a French user may meet in an old CSV file.
KEPT_CONVERTERS = frozenset(
    {
        "ibm-5348_P100-1997",  # windows-1252
        "ibm-923_P100-1998",  # ISO-8859-15
        "ibm-912_P100-1995",  # ISO-8859-2
        "ibm-913_P100-2000",  # ISO-8859-3
        "ibm-1252_P100-2000",
        "ibm-850_P100-1995",  # DOS Latin-1
        "ibm-437_P100-1995",  # DOS
        "macos-0_2-10.2",  # Mac Roman
    }
)
# Data that only other scripts or features use: dictionaries for word breaking in Chinese,
# Japanese, Thai, Lao, Burmese and Khmer, transliteration rules, confusable characters, the names
# of every Unicode character. Qt does its own word breaking and never asks for the others.
DROPPED_ITEMS = re.compile(r"^(brkitr/.*\.dict|translit/.*|confusables\.cfu|unames\.icu|.*\.spp)$")


def _locale_language(stem: str) -> str:
    return stem.split("_", 1)[0]


def keep_icu_item(name: str) -> bool:
    """Whether an item of the ICU data package is kept; ``name`` is relative to the package
    (``"coll/fr.res"``, ``"cnvalias.icu"``, ``"ibm-5348_P100-1997.cnv"``)."""
    if DROPPED_ITEMS.match(name):
        return False
    folder, _, filename = name.rpartition("/")
    stem, _, extension = filename.rpartition(".")
    if extension == "cnv":
        return stem in KEPT_CONVERTERS
    if extension == "res" and folder in LOCALE_TREES and re.fullmatch(r"[a-z]{2,3}(_\w+)?", stem):
        # A locale ("fr", "fr_CA", "de_CH"…). Everything else in the folder (root, pool,
        # res_index, supplemental tables, brkitr rules) is shared and kept.
        return _locale_language(stem) in KEPT_LANGUAGES or stem in ("root", "pool")
    return True


# ---- the ELF data library -----------------------------------------------------------------


def read_common_data(library: Path) -> tuple[str, bytes]:
    """(symbol name, ICU common data) stored in ``libicudata.so.NN``."""
    blob = library.read_bytes()
    for symbol, offset, size in dynamic_symbols(blob):
        if re.fullmatch(r"icudt\d+_dat", symbol):
            return symbol, blob[offset : offset + size]
    raise ValueError(f"symbole de données ICU introuvable dans {library}")


def _header_size(data: bytes) -> int:
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != (0xDA, 0x27) or data[12:16] != b"CmnD":
        raise ValueError("données ICU dans un format inattendu (attendu : CmnD)")
    return header_size


def list_items(data: bytes) -> list[tuple[str, bytes]]:
    """The (name, bytes) items of an ICU common data package, in table order."""
    toc = _header_size(data)
    (count,) = struct.unpack_from("<I", data, toc)
    entries = [struct.unpack_from("<II", data, toc + 4 + 8 * i) for i in range(count)]
    starts = sorted(data_offset for _name, data_offset in entries) + [len(data) - toc]
    next_start = dict(zip(starts, starts[1:], strict=False))
    items = []
    for name_offset, data_offset in entries:
        end = data.index(b"\0", toc + name_offset)
        name = data[toc + name_offset : end].decode("ascii")
        following = next_start[data_offset]
        items.append((name, data[toc + data_offset : toc + following]))
    return items


def filter_common_data(data: bytes, keep: Callable[[str], bool]) -> bytes:
    """A package with the same header and the items whose name (without the ``icudtNNl/``
    prefix) ``keep`` accepts, in the same (sorted) order."""
    header_size = _header_size(data)
    kept = [(n, b) for n, b in list_items(data) if keep(n.split("/", 1)[-1])]
    names = b"".join(n.encode("ascii") + b"\0" for n, _ in kept)
    table_size = 4 + 8 * len(kept)
    names_start = table_size
    data_start = _align(names_start + len(names), 16)
    entries, blobs = [], bytearray()
    name_pos = names_start
    for name, item in kept:
        entries.append(struct.pack("<II", name_pos, data_start + len(blobs)))
        name_pos += len(name) + 1
        blobs += item
        blobs += b"\0" * (_align(len(blobs), 16) - len(blobs))
    table = struct.pack("<I", len(kept)) + b"".join(entries) + names
    table += b"\0" * (data_start - len(table))
    return data[:header_size] + table + bytes(blobs)


def _align(value: int, to: int) -> int:
    return (value + to - 1) // to * to


def build_data_library(symbol: str, data: bytes, soname: str, output: Path) -> Path:
    """Assemble a shared library exporting ``symbol`` = ``data`` (needs a C compiler)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise RuntimeError("aucun compilateur C (cc) pour assembler la bibliothèque ICU réduite")
    with tempfile.TemporaryDirectory() as tmp:
        dat = Path(tmp) / "icu.dat"
        dat.write_bytes(data)
        source = Path(tmp) / "icudata.S"
        source.write_text(
            "\t.section .rodata\n"
            f"\t.globl {symbol}\n"
            f"\t.type {symbol}, @object\n"
            "\t.balign 16\n"
            f"{symbol}:\n"
            f'\t.incbin "{dat}"\n'
            f"\t.size {symbol}, .-{symbol}\n"
            '\t.section .note.GNU-stack,"",@progbits\n',
            encoding="ascii",
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                compiler,
                "-shared",
                "-nostdlib",
                f"-Wl,-soname,{soname}",
                "-o",
                str(output),
                str(source),
            ],
            check=True,
        )
    return output


def reduce_icu_library(library: Path, output_dir: Path) -> Path:
    """Write a reduced copy of ``libicudata.so.NN`` (same file name) into ``output_dir``."""
    symbol, data = read_common_data(library)
    reduced = filter_common_data(data, keep_icu_item)
    return build_data_library(symbol, reduced, library.name, output_dir / library.name)
