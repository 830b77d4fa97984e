"""The rules that decide what goes into the frozen app, checked without building it."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from installer.build import disk_usage
from installer.bundle_rules import (
    app_modules,
    drop_dangling_symlinks,
    keep_bundled_file,
    prune_unreachable_libraries,
    qt_modules_used,
    read_version,
    required_data_files,
    unused_qt_modules,
)
from installer.debian_depends import depends_field
from installer.elf import dynamic_symbols, needed_libraries
from installer.icu_data import filter_common_data, keep_icu_item, list_items

ROOT = Path(__file__).resolve().parents[2]


def test_version_has_one_source():
    import app

    assert read_version(ROOT) == app.__version__


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-kms-integration.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so", True),
        ("PySide6/Qt/translations/qtbase_fr.qm", True),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/Qt/translations/qt_help_fr.qm", False),
        ("PySide6/Qt/plugins/styles/libqmacstyle.dylib", True),
        ("PySide6/plugins/styles/qmodernwindowsstyle.dll", True),
        ("PySide6/plugins/platforms/qwindowsd.dll", True),
        ("PySide6/Qt/lib/libQt6Core.so.6", True),
        ("resources/i18n/carnet_fr.qm", True),
    ],
)
def test_qt_plugins_and_translations_kept(dest: str, kept: bool):
    assert keep_bundled_file(dest) is kept


def test_qt_modules_come_from_the_imports(tmp_path: Path):
    source = tmp_path / "view.py"
    source.write_text(
        "from PySide6.QtWidgets import QWidget\nfrom PySide6 import QtSvg, QtGui\n"
        "import PySide6.QtPrintSupport\n"
    )
    assert qt_modules_used([source]) == {"QtWidgets", "QtSvg", "QtGui", "QtPrintSupport"}
    excluded = unused_qt_modules(ROOT)
    assert "PySide6.QtQml" in excluded and "PySide6.QtQuick" in excluded
    assert not {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} & set(excluded)


def test_app_modules_are_read_from_the_tree_without_migrations():
    modules = app_modules(ROOT)
    assert "app" in modules and "app.ui.self_test" in modules and "app.models.migrate" in modules
    assert not [m for m in modules if "migrations" in m]


def test_libraries_only_a_dropped_plugin_loaded_are_pruned():
    binaries = [
        ("PySide6/QtGui.abi3.so", "/s/QtGui.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/s/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Pdf.so.6", "/s/libQt6Pdf.so.6", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/s/libqxcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/s/libQt6XcbQpa.so.6", "BINARY"),
        ("libQt6Pdf.so.6", "PySide6/Qt/lib/libQt6Pdf.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
    ]
    imports = {
        "/s/QtGui.abi3.so": ["libQt6Gui.so.6", "libc.so.6"],
        "/s/libQt6Gui.so.6": ["libQt6Core.so.6"],
        "/s/libqxcb.so": ["libQt6XcbQpa.so.6"],
        "/s/libQt6XcbQpa.so.6": ["libQt6Gui.so.6"],
    }
    kept = prune_unreachable_libraries(binaries, imports)
    assert {d for d, _, k in kept if k != "SYMLINK"} == {
        "PySide6/QtGui.abi3.so",
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/lib/libQt6XcbQpa.so.6",
    }
    present = {d for d, _, k in kept if k != "SYMLINK"}
    links = drop_dangling_symlinks(kept, present)
    assert [d for d, _, k in links if k == "SYMLINK"] == ["libQt6Core.so.6"]


def test_every_shipped_resource_is_listed_and_translation_sources_are_not():
    files = required_data_files(ROOT)
    listed = {f"{dest}/{src.name}" for src, dest in files}
    assert "resources/data/communes.tsv.gz" in listed
    assert "resources/icons/carnet.svg" in listed
    assert "resources/style.qss" in listed
    assert "app/models/migrations/env.py" in listed
    assert not [name for name in listed if name.endswith(".ts")]
    on_disk = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and p.suffix != ".ts"
    }
    assert on_disk <= listed


def test_a_missing_catalogue_stops_the_build_with_a_french_message(tmp_path: Path):
    for name in ("app", "resources"):
        (tmp_path / name).symlink_to(ROOT / name)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "app").symlink_to(ROOT / "app")
    (broken / "resources").mkdir()
    with pytest.raises(SystemExit, match="Traductions compilées introuvable.*i18n.py build"):
        required_data_files(broken)


def _package(items: dict[str, bytes]) -> bytes:
    """A tiny ICU common data package in the CmnD layout."""
    header = struct.pack("<HBB", 32, 0xDA, 0x27) + struct.pack("<HHBBBB", 20, 0, 0, 0, 2, 0)
    header += b"CmnD" + bytes([1, 0, 0, 0]) + bytes(4)
    header += bytes(32 - len(header))
    names = sorted(items)
    table_size = 4 + 8 * len(names)
    name_blob = b"".join(f"icudt73l/{n}".encode() + b"\0" for n in names)
    data_start = (table_size + len(name_blob) + 15) // 16 * 16
    entries, blobs, name_pos = b"", b"", table_size
    for n in names:
        entries += struct.pack("<II", name_pos, data_start + len(blobs))
        name_pos += len(f"icudt73l/{n}") + 1
        blobs += items[n] + bytes(-len(items[n]) % 16)
    table = struct.pack("<I", len(names)) + entries + name_blob
    return header + table + bytes(data_start - len(table)) + blobs


def test_icu_package_keeps_french_english_and_shared_data():
    items = {
        "coll/fr.res": b"fr-coll" * 3,
        "coll/ja.res": b"ja-coll" * 50,
        "coll/root.res": b"root",
        "coll/ucadata.icu": b"uca" * 9,
        "fr_CA.res": b"fr-ca",
        "de.res": b"de" * 40,
        "pool.res": b"pool",
        "ibm-5348_P100-1997.cnv": b"cp1252",
        "ibm-943_P15A-2003.cnv": b"sjis" * 30,
        "brkitr/cjdict.dict": b"dict" * 99,
        "translit/root.res": b"tr",
    }
    package = _package(items)
    assert [
        (n.split("/", 1)[1], b[: len(items[n.split("/", 1)[1]])]) for n, b in list_items(package)
    ] == sorted(items.items())
    reduced = filter_common_data(package, keep_icu_item)
    kept = {n.split("/", 1)[1]: b.rstrip(b"\0") for n, b in list_items(reduced)}
    assert kept == {
        "coll/fr.res": items["coll/fr.res"],
        "coll/root.res": items["coll/root.res"],
        "coll/ucadata.icu": items["coll/ucadata.icu"],
        "fr_CA.res": items["fr_CA.res"],
        "pool.res": items["pool.res"],
        "ibm-5348_P100-1997.cnv": items["ibm-5348_P100-1997.cnv"],
    }
    assert len(reduced) < len(package) / 2


def test_elf_reader_on_a_qt_library():
    import PySide6

    qt_lib = Path(PySide6.__file__).parent / "Qt" / "lib"
    if not qt_lib.is_dir():
        pytest.skip("bibliothèques Qt au format ELF seulement sous Linux")
    assert "libQt6Core.so.6" in needed_libraries(qt_lib / "libQt6Gui.so.6")
    icu = next(qt_lib.glob("libicudata.so.*"))
    (symbol, _offset, size), *_ = [
        s for s in dynamic_symbols(icu.read_bytes()) if s[0].startswith("icudt")
    ]
    assert symbol.endswith("_dat") and size > 1_000_000


def test_depends_accept_the_64_bit_time_names():
    assert depends_field(["libc6", "libglib2.0-0", "libssl3"]) == (
        "libc6, libglib2.0-0 | libglib2.0-0t64, libssl3 | libssl3t64"
    )


def test_disk_usage_counts_a_hard_link_once(tmp_path: Path):
    (tmp_path / "a").write_bytes(b"x" * 10_000)
    (tmp_path / "b").hardlink_to(tmp_path / "a")
    (tmp_path / "c").symlink_to(tmp_path / "a")
    on_disk, apparent = disk_usage(tmp_path)
    assert 10_000 <= apparent < 10_200
    assert on_disk >= 10_000
