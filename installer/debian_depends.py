"""The Debian packages the bundle needs from the system, for the ``Depends:`` of the .deb.

The bundle leaves the desktop libraries (X11/xcb, Wayland, fontconfig, GLib, D-Bus, OpenGL/EGL,
OpenSSL…) to the system (see ``bundle_rules.is_system_library``). This reads the libraries each
ELF file of the bundle links against, keeps those the bundle does not carry, finds them with
``ldconfig`` and their package with ``dpkg -S``. A library missing on the build machine stops
the build: the package would otherwise promise less than it needs.

Usage: ``python -m installer.debian_depends dist/carnet`` prints ``libc6, libdbus-1-3, …``
(the ``Depends:`` value).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

from installer.elf import is_elf, needed_libraries


class MissingLibraries(RuntimeError):
    pass


def external_libraries(bundle: Path) -> set[str]:
    """Library file names linked by the bundle's ELF files and not shipped in it."""
    shipped = {p.name for p in bundle.rglob("*")}
    needed: set[str] = set()
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink() and is_elf(path):
            needed.update(needed_libraries(path))
    return {name for name in needed if name not in shipped}


def system_library_paths() -> dict[str, list[str]]:
    """soname → paths, from the dynamic linker's cache (``ldconfig -p``)."""
    ldconfig = next(
        (p for p in ("/sbin/ldconfig", "/usr/sbin/ldconfig") if os.path.exists(p)), "ldconfig"
    )
    output = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, check=True).stdout
    # The cache also lists other architectures' libraries (i386 on an amd64 machine).
    arch = {"x86_64": "x86-64", "aarch64": "AArch64"}.get(platform.machine())
    paths: dict[str, list[str]] = {}
    for line in output.splitlines()[1:]:
        name, _, target = line.strip().partition(" => ")
        soname = name.split(" (", 1)[0]
        if target and (arch is None or arch in name):
            paths.setdefault(soname, []).append(target)
    return paths


def owning_package(path: str) -> str | None:
    """The package that installed ``path`` (tries the merged-/usr spellings too)."""
    real = os.path.realpath(path)
    candidates = []
    for p in (path, real):
        candidates.append(p)
        if p.startswith("/usr/"):
            candidates.append(p[len("/usr") :])
        else:
            candidates.append("/usr" + p)
    for candidate in dict.fromkeys(candidates):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout:
            package = result.stdout.splitlines()[0].split(":", 1)[0]
            return package.split(",")[0].strip()
    return None


# Packages renamed by the 64-bit time_t transition (Debian 13, Ubuntu 24.04): either name will do.
T64_RENAMED = frozenset({"libglib2.0-0", "libssl3", "libpng16-16"})


def depends_field(packages: list[str]) -> str:
    return ", ".join(f"{p} | {p}t64" if p in T64_RENAMED else p for p in packages)


def debian_depends(bundle: Path) -> list[str]:
    libraries = system_library_paths()
    packages: set[str] = set()
    missing = []
    for name in sorted(external_libraries(bundle)):
        paths = libraries.get(name)
        package = next((p for p in map(owning_package, paths or []) if p), None)
        if package is None:
            missing.append(name)
        else:
            packages.add(package)
    if missing:
        raise MissingLibraries(
            "Bibliothèques système introuvables sur cette machine (ou d'aucun paquet) : "
            + ", ".join(missing)
            + ". Installez-les (scripts/setup.sh) avant de construire le paquet."
        )
    return sorted(packages)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(
            "usage : python -m installer.debian_depends DOSSIER_DE_L_APPLICATION", file=sys.stderr
        )
        return 2
    try:
        print(depends_field(debian_depends(Path(args[0]))))
    except MissingLibraries as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
