#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian/Ubuntu machine: system libraries for Qt, a virtualenv in
# .venv and the pinned Python dependencies. Fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0
  libxcb-xinerama0 libxcb-randr0 libxrender1 libxi6 fonts-dejavu-core
  binutils  # objdump and strip, used by PyInstaller to build the installable app
  libwayland-client0 libwayland-cursor0  # the .deb's Wayland dependencies (installer tests)
  poppler-utils  # pdftoppm: the PDF report tests render pages to PNG
  ${CARNET_EXTRA_APT:-}
)
# The hub's browser test drives Debian's chromium with Playwright (never `playwright install`).
# CI and developers get it; CARNET_NO_BROWSER=1 leaves it out on a machine that cannot have it.
BROWSER_PACKAGES=(chromium chromium-l10n)  # l10n: French browser texts (file picker) in screenshots
if [ -z "${CARNET_NO_BROWSER:-}" ]; then
  SYSTEM_PACKAGES+=("${BROWSER_PACKAGES[@]}")
fi

missing=()
if command -v dpkg >/dev/null 2>&1; then
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
fi
if ((${#missing[@]})); then
  echo "Installation des paquets système : ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "Création de l'environnement Python (.venv)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.carnet-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "Installation des dépendances Python"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[hub,dev,installer]"
  touch "$stamp"
fi
