"""What goes into the frozen app: used by ``carnet.spec`` and by the tests (plain Python, no
PyInstaller import at module level, so that the rules can be checked without building).

The rules keep the bundle small (≤ 110 MB on disk) without guessing at run time:
- Qt modules that no file of ``app/`` imports are excluded (Carnet is a Qt Widgets app: no QML,
  no web engine, no 3D, no multimedia);
- Qt plugins are kept only for what a mediator's laptop needs (see ``KEPT_QT_PLUGINS``);
- Qt's own translations are kept only for the languages Carnet ships;
- on Linux, a shared library that nothing kept loads any more (the PDF library that only the PDF
  image plugin used, the EGL device libraries of the eglfs platform…) is dropped too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

# Languages of Carnet's own catalogues (resources/i18n/carnet_<lang>.qm); Qt's catalogue for the
# same languages translates Qt's standard buttons and context menus.
SHIPPED_LANGUAGES = ("fr",)

# Plugin type → plugin names kept ("lib" prefix and file extension removed). A type absent from
# this table is dropped whole.
KEPT_QT_PLUGINS: dict[str, frozenset[str]] = {
    # The screens Carnet runs on (X11, Wayland, Windows, macOS) and the offscreen one of the
    # self-test and of CI. eglfs/linuxfb/vnc/vkkhrdisplay are for kiosks and embedded boards.
    "platforms": frozenset(
        {"qxcb", "qwayland", "qoffscreen", "qminimal", "qwindows", "qcocoa", "qdirect2d"}
    ),
    # Wayland needs a shell integration (xdg-shell) and window decorations.
    "wayland-shell-integration": frozenset({"xdg-shell", "wl-shell-plugin", "fullscreen-shell-v1"}),
    "wayland-decoration-client": frozenset({"bradient", "adwaita"}),
    # Dead keys and input methods: French accents typed on any keyboard.
    "platforminputcontexts": frozenset(
        {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"}
    ),
    # File dialogs through the desktop portal (sandboxed desktops); GTK's theme would pull GTK.
    "platformthemes": frozenset({"qxdgdesktopportal"}),
    # Icons and pictures: SVG (our icon), ICO, JPEG and GIF; PNG is built into Qt.
    "imageformats": frozenset({"qsvg", "qico", "qjpeg", "qgif"}),
    "iconengines": frozenset({"qsvgicon"}),
    # Native look on Windows (Windows 11 style and classic) and on macOS.
    "styles": frozenset({"qmodernwindowsstyle", "qwindowsvistastyle", "qmacstyle"}),
}

_PLUGIN_PATH = re.compile(r"(?:^|/)plugins/([^/]+)/(?:lib)?([^/]+)\.(so|dll|dylib)$")
_QT_TRANSLATION = re.compile(r"(?:^|/)translations/([a-z_]+?)_([a-z]{2}(?:_[A-Z]{2})?)\.qm$")
_QT_IMPORT = re.compile(r"\bPySide6\.(Qt\w+)\b|\bfrom\s+PySide6\s+import\s+(\([^)]*\)|[^\n]*)")


def read_version(root: Path) -> str:
    """``app.__version__``, read from the source (the single place the version is written)."""
    tree = ast.parse((root / "app" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, str):
                return value
    raise SystemExit("__version__ introuvable dans app/__init__.py")


# Files of resources/ that stay out of the bundle: translation sources (the .qm are shipped).
_SOURCE_ONLY = re.compile(r"\.ts$")

# What the app cannot start without, with how to make it when it is missing.
REQUIRED_FILES = (
    ("app/models/migrations/env.py", "Environnement des migrations", "arbre source incomplet"),
    ("app/models/migrations/versions/*.py", "Migrations", "arbre source incomplet"),
    (
        "resources/i18n/*.qm",
        "Traductions compilées",
        "lancez « .venv/bin/python scripts/i18n.py build »",
    ),
    ("resources/data/communes.tsv.gz", "Liste des communes", "voir resources/data/README.md"),
    ("resources/icons/carnet.png", "Icône", "lancez « .venv/bin/python scripts/make_icons.py »"),
    (
        "resources/icons/ui/*.png",
        "Icônes des actions",
        "lancez « .venv/bin/python scripts/make_icons.py »",
    ),
    ("resources/style.qss", "Feuille de style", "resources/style.qss manque"),
)


def required_data_files(root: Path) -> list[tuple[Path, str]]:
    """(source file, destination folder in the bundle) for every shipped file, at the same
    relative place as in the source tree: the migrations (Alembic reads them from disk) and all
    of resources/ but the translation sources. Raises SystemExit with a French message when a
    file the app needs has not been built."""
    for pattern, what, how in REQUIRED_FILES:
        if not any(p.is_file() for p in root.glob(pattern)):
            raise SystemExit(f"{what} introuvable ({pattern}) : {how}")
    found = [
        *root.glob("app/models/migrations/*.py"),
        *root.glob("app/models/migrations/script.py.mako"),
        *root.glob("app/models/migrations/versions/*.py"),
        *(p for p in root.glob("resources/**/*") if not _SOURCE_ONLY.search(p.name)),
    ]
    return [
        (p, p.parent.relative_to(root).as_posix())
        for p in sorted(found)
        if p.is_file() and "__pycache__" not in p.parts
    ]


def qt_modules_used(sources: Iterable[Path]) -> set[str]:
    """Names of the PySide6 modules (``QtWidgets``…) imported by these Python files."""
    used: set[str] = set()
    for source in sources:
        for dotted, imported in _QT_IMPORT.findall(source.read_text(encoding="utf-8")):
            if dotted:
                used.add(dotted)
            for name in re.findall(r"Qt\w+", imported or ""):
                used.add(name)
    return used


def qt_modules_available() -> set[str]:
    """The PySide6 modules installed (one extension file each)."""
    import PySide6

    folder = Path(PySide6.__file__).parent
    return {
        p.name.split(".")[0]
        for p in folder.iterdir()
        if re.match(r"Qt\w+\.(abi3\.so|pyd)$", p.name)
    }


def unused_qt_modules(root: Path) -> list[str]:
    """``PySide6.QtX`` for every installed Qt module that no file of ``app/`` imports, plus the
    dependencies a used module may need (QtGui and QtCore always stay)."""
    used = qt_modules_used((root / "app").rglob("*.py")) | {"QtCore", "QtGui", "QtWidgets"}
    # Imported by the PySide6 modules Carnet uses (QtSvgWidgets needs QtSvg, QtWidgets needs
    # nothing else). QtDBus is used by Qt itself on Linux through its C++ library, not this module.
    if "QtSvgWidgets" in used:
        used.add("QtSvg")
    return sorted(f"PySide6.{name}" for name in qt_modules_available() - used)


def _posix(dest: str) -> str:
    return str(PurePosixPath(*Path(dest).parts)).replace("\\", "/")


def keep_bundled_file(dest: str) -> bool:
    """Whether a file that the Qt hooks collected is kept (``dest`` is its path in the bundle)."""
    path = _posix(dest)
    plugin = _PLUGIN_PATH.search(path)
    if plugin and "PySide6" in path:
        plugin_type, name, extension = plugin.groups()
        kept = KEPT_QT_PLUGINS.get(plugin_type, frozenset())
        # "libqxcb.so" / "qxcb.dll" / "libqxcb.dylib"; "qxcbd.dll" is a Windows debug build.
        debug_build = extension == "dll" and name.endswith("d") and name[:-1] in kept
        return name in kept or debug_build
    translation = _QT_TRANSLATION.search(path)
    if translation and "PySide6" in path:
        catalogue, language = translation.groups()
        return catalogue == "qtbase" and language.split("_")[0] in SHIPPED_LANGUAGES
    return True


# Where a Linux distribution keeps its shared libraries. A library found there is left to the
# system (the .deb depends on its package) instead of being copied into the bundle: the X11,
# Wayland, fontconfig and GLib libraries must match the desktop they run on, and copying them
# would add 20 MB. Python's own library is the exception (pyenv/venv builds live elsewhere).
SYSTEM_LIBRARY_DIRS = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/")


def is_system_library(source: str) -> bool:
    name = PurePosixPath(source).name
    return source.startswith(SYSTEM_LIBRARY_DIRS) and not name.startswith("libpython")


def prune_unreachable_libraries(
    binaries: list[tuple[str, str, str]], imports_of: dict[str, list[str]]
) -> list[tuple[str, str, str]]:
    """Drop the shared libraries (typecode BINARY) that no kept file loads any more.

    ``binaries`` are PyInstaller TOC entries (dest, source, typecode); ``imports_of`` maps a
    source file to the library names it links against. Extension modules, Qt plugins and the
    Python library are the roots; a library is kept if a root reaches it through its links.
    Only meaningful for ELF files (Linux), whose links name the library files."""
    by_name = {
        PurePosixPath(_posix(dest)).name: (dest, src, kind)
        for dest, src, kind in binaries
        if kind != "SYMLINK"
    }

    def is_root(dest: str, kind: str) -> bool:
        name = PurePosixPath(_posix(dest)).name
        return kind == "EXTENSION" or "/plugins/" in _posix(dest) or name.startswith("libpython")

    reached: set[str] = set()
    todo = [src for dest, src, kind in binaries if kind != "SYMLINK" and is_root(dest, kind)]
    while todo:
        src = todo.pop()
        if src in reached:
            continue
        reached.add(src)
        for needed in imports_of.get(src, []):
            entry = by_name.get(PurePosixPath(needed).name)
            if entry and entry[1] not in reached:
                todo.append(entry[1])
    return [entry for entry in binaries if entry[2] == "SYMLINK" or entry[1] in reached]


def drop_dangling_symlinks(
    entries: list[tuple[str, str, str]], present: set[str]
) -> list[tuple[str, str, str]]:
    """Drop the SYMLINK entries (dest, target relative to dest's folder, "SYMLINK") whose target
    is not in ``present`` (the destinations still collected)."""
    kept = []
    for dest, src, kind in entries:
        if kind == "SYMLINK":
            target = PurePosixPath(_posix(dest)).parent / _posix(src)
            if _normalize(target) not in present:
                continue
        kept.append((dest, src, kind))
    return kept


def _normalize(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def app_modules(root: Path) -> list[str]:
    """Every module of the ``app`` package in this source tree (the migrations excepted: Alembic
    loads them from files). Read from the files, not from the installed package, so that a copy of
    the tree builds its own code."""
    modules = []
    for path in sorted((root / "app").rglob("*.py")):
        relative = path.relative_to(root).with_suffix("")
        if "migrations" in relative.parts or "__pycache__" in relative.parts:
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        modules.append(".".join(parts))
    return modules
