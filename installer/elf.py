"""Just enough of the ELF format (64-bit little-endian, i.e. Linux x86-64 and arm64) to read a
shared library's dynamic symbols and the libraries it links against, with the standard library
only (no readelf needed at build time)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

SHT_DYNAMIC = 6
SHT_DYNSYM = 11
DT_NEEDED = 1


class Section(NamedTuple):
    type: int
    address: int
    offset: int
    size: int
    link: int
    entry_size: int


def is_elf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def sections(blob: bytes) -> list[Section]:
    if blob[:4] != b"\x7fELF" or blob[4] != 2 or blob[5] != 1:
        raise ValueError("pas un fichier ELF 64 bits little-endian")
    (shoff,) = struct.unpack_from("<Q", blob, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", blob, 0x3A)
    found = []
    for i in range(shnum):
        _name, sh_type, _flags, addr, offset, size, link, _info, _align, entsize = (
            struct.unpack_from("<IIQQQQIIQQ", blob, shoff + i * shentsize)
        )
        found.append(Section(sh_type, addr, offset, size, link, entsize))
    return found


def _string(blob: bytes, table: Section, index: int) -> str:
    start = table.offset + index
    return blob[start : blob.index(b"\0", start)].decode("ascii", "replace")


def dynamic_symbols(blob: bytes) -> Iterator[tuple[str, int, int]]:
    """(name, file offset, size) of each defined dynamic symbol."""
    table = sections(blob)
    for section in table:
        if section.type != SHT_DYNSYM:
            continue
        strings = table[section.link]
        step = section.entry_size or 24
        for pos in range(section.offset, section.offset + section.size, step):
            st_name, _info, _other, st_shndx, st_value, st_size = struct.unpack_from(
                "<IBBHQQ", blob, pos
            )
            if st_shndx == 0 or st_shndx >= len(table):
                continue
            home = table[st_shndx]
            yield _string(blob, strings, st_name), home.offset + st_value - home.address, st_size


def needed_libraries(path: Path) -> list[str]:
    """The DT_NEEDED entries: file names of the libraries the file links against."""
    blob = path.read_bytes()
    table = sections(blob)
    needed = []
    for section in table:
        if section.type != SHT_DYNAMIC:
            continue
        strings = table[section.link]
        for pos in range(section.offset, section.offset + section.size, section.entry_size or 16):
            tag, value = struct.unpack_from("<qQ", blob, pos)
            if tag == 0:
                break
            if tag == DT_NEEDED:
                needed.append(_string(blob, strings, value))
    return needed
