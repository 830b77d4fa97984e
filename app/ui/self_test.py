"""``carnet --self-test``: checks that an installed Carnet works, without touching the user's data.

It runs what a start-up needs, the way the frozen app runs it: a database created and migrated
in a temporary folder, the French catalogue, the commune list, the icon and stylesheet, the
keyring backends, and the main window rendered (offscreen when there is no screen). It prints one
French line per check and returns 0, or 1 with what is broken. Shipped files are reached only
through ``resource_path()``, so a file missing from the bundle shows up here.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import __version__
from app.paths import is_frozen, resource_path

log = logging.getLogger(__name__)

# A string of the main window and its French translation: shipped and loaded, the catalogue turns
# the first into the second.
KNOWN_TRANSLATION = ("MainWindow", "About Carnet", "À propos de Carnet")
# A commune every mediator knows, and its INSEE code.
KNOWN_COMMUNE = ("Lille", "59350")
# French alphabetical order (accents and case are secondary differences).
FRENCH_ORDER = ["avion", "Écluse", "école", "zèbre"]
WINDOW_SIZE = (1000, 700)
EXPOSE_TIMEOUT_S = 10.0


class CheckFailed(Exception):
    """A check found something broken; the message is French and says what."""


@dataclass
class SelfTestState:
    """What the checks build and hand to the next ones."""

    workdir: Path
    log_file: Path
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckResult:
    label: str
    ok: bool
    detail: str


def needs_offscreen(environ: Mapping[str, str], platform: str) -> bool:
    """No screen to draw on: a Linux session without X11 nor Wayland (CI, SSH, a container)."""
    if environ.get("QT_QPA_PLATFORM"):
        return False
    if platform.startswith("linux"):
        return not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))
    return False


# ---- the checks ---------------------------------------------------------------------------


def check_database(state: SelfTestState) -> str:
    from app.models.migrate import HEAD_REVISION, current_revision
    from app.services.notebook import open_notebook
    from app.services.profiles import ProfileRegistry

    data_dir = state.workdir / "donnees"
    registry = ProfileRegistry(data_dir)
    profile = registry.create("Auto-vérification")
    notebook = open_notebook(registry.db_path(profile.id))
    state.values.update(registry=registry, profile_id=profile.id, notebook=notebook)
    revision = current_revision(notebook.db_path)
    if revision != HEAD_REVISION:
        raise CheckFailed(f"schéma {revision} au lieu de {HEAD_REVISION} après les migrations")
    venue_id = notebook.venues.add("Médiathèque de test", "59350", "Lille", "59000")
    names = [venue.name for venue in notebook.venues.list()]
    if "Médiathèque de test" not in names:
        raise CheckFailed(f"le lieu enregistré ({venue_id}) n'a pas été relu")
    return f"créée et migrée jusqu'au schéma {revision}, un lieu enregistré puis relu"


def check_translations(state: SelfTestState) -> str:
    from PySide6.QtCore import QCoreApplication

    from app.ui.i18n import catalogue_path, install_translators

    app = state.values["qt_app"]
    path = catalogue_path("fr")
    if not path.is_file():
        raise CheckFailed(f"catalogue introuvable : {path}")
    state.values["translators"] = install_translators(app, "fr")
    context, source, expected = KNOWN_TRANSLATION
    got = QCoreApplication.translate(context, source)
    if got != expected:
        raise CheckFailed(f"« {source} » donne « {got} » au lieu de « {expected} » ({path})")
    return f"« {source} » → « {got} »"


def check_communes(state: SelfTestState) -> str:
    from app.models.communes import CommuneIndex, label

    index = CommuneIndex().load()
    name, insee = KNOWN_COMMUNE
    found = index.search(name, limit=5)
    if not found or found[0].insee != insee:
        first = label(found[0]) if found else "aucun résultat"
        raise CheckFailed(f"la recherche « {name} » donne {first} au lieu de la commune {insee}")
    state.values["communes"] = index
    return f"{len(index):_} communes, « {name} » → {label(found[0])}".replace("_", "\u202f")


def check_collation(state: SelfTestState) -> str:
    """French alphabetical order comes from ICU's data, which the bundle trims: check it."""
    from functools import cmp_to_key

    from PySide6.QtCore import QCollator, QLocale

    collator = QCollator(QLocale(QLocale.Language.French, QLocale.Country.France))
    words = ["zèbre", "école", "avion", "Écluse"]
    ordered = sorted(words, key=cmp_to_key(collator.compare))
    if ordered != FRENCH_ORDER:
        raise CheckFailed(f"ordre {', '.join(ordered)} au lieu de {', '.join(FRENCH_ORDER)}")
    return ", ".join(ordered)


def check_icon_and_style(state: SelfTestState) -> str:
    from app.ui.icons import icon, icon_file

    for name, size in (("app", 64), ("new", 20)):
        if icon(name).pixmap(size, size).isNull():
            raise CheckFailed(
                f"l'icône {icon_file(name)} ne se dessine pas (fichier absent ou illisible ?)"
            )
    qss = resource_path("resources", "style.qss")
    if not qss.is_file() or not qss.read_text(encoding="utf-8").strip():
        raise CheckFailed(f"feuille de style absente ou vide : {qss}")
    state.values["qt_app"].setStyleSheet(qss.read_text(encoding="utf-8"))
    return "icônes dessinées (PNG), feuille de style chargée"


def check_keyring(state: SelfTestState) -> str:
    import keyring.backend

    platform_backend = {
        "win32": "keyring.backends.Windows",
        "darwin": "keyring.backends.macOS",
    }.get(sys.platform, "keyring.backends.SecretService")
    try:
        __import__(platform_backend)
    except ImportError as exc:
        raise CheckFailed(f"le module {platform_backend} manque ({exc})") from exc
    usable = sorted(
        type(backend).__module__.rsplit(".", 1)[-1]
        for backend in keyring.backend.get_all_keyring()
        if type(backend).__module__.startswith("keyring.backends.")
        and not type(backend).__module__.endswith((".fail", ".null", ".chainer"))
    )
    if not usable:
        return f"{platform_backend} présent ; aucun trousseau ouvert ici (normal sans bureau)"
    return f"{platform_backend} présent ; trousseau disponible : {', '.join(usable)}"


def check_main_window(state: SelfTestState) -> str:
    from PySide6.QtCore import QCoreApplication, QEventLoop, QThreadPool
    from PySide6.QtGui import QGuiApplication

    try:
        from app.ui.main_window import MainWindow
    except ImportError as exc:
        raise CheckFailed(f"fenêtre principale introuvable ({exc})") from exc
    from app.models.communes import CommuneIndex
    from app.ui.context import AppContext

    notebook = state.values.get("notebook")
    if notebook is None:
        raise CheckFailed("non vérifiée : la base de données n'a pas pu être ouverte")
    registry = state.values["registry"]
    context = AppContext(
        registry.data_dir,
        state.log_file,
        registry,
        communes=state.values.get("communes") or CommuneIndex(),
    )
    window = MainWindow(notebook, state.values["profile_id"], context)
    try:
        window.resize(*WINDOW_SIZE)
        window.show()
        deadline = time.monotonic() + EXPOSE_TIMEOUT_S
        while not (window.windowHandle() and window.windowHandle().isExposed()):
            if time.monotonic() > deadline:
                raise CheckFailed(f"la fenêtre n'est pas apparue en {EXPOSE_TIMEOUT_S:.0f} s")
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        QCoreApplication.processEvents()
        image = window.grab().toImage()
        if image.isNull() or image.width() == 0 or image.height() == 0:
            raise CheckFailed("la capture de la fenêtre est vide")
        colours = _distinct_colours(image)
        if colours < 3:
            raise CheckFailed(f"la fenêtre est rendue vide ({colours} couleur(s) seulement)")
        platform = QGuiApplication.platformName()
        return f"affichée ({platform}), {image.width()}×{image.height()}, {colours} couleurs"
    finally:
        window.close()
        window.deleteLater()
        QCoreApplication.processEvents()
        # Workers the window started (lists loading) must finish before the database closes.
        QThreadPool.globalInstance().waitForDone(5000)


def _distinct_colours(image: Any, step: int = 7) -> int:
    seen: set[int] = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
            if len(seen) >= 64:
                return len(seen)
    return len(seen)


CHECKS: list[tuple[str, Callable[[SelfTestState], str]]] = [
    ("Base de données", check_database),
    ("Traductions", check_translations),
    ("Communes", check_communes),
    ("Tri alphabétique", check_collation),
    ("Icône et style", check_icon_and_style),
    ("Trousseau", check_keyring),
    ("Fenêtre principale", check_main_window),
]


def run_checks(state: SelfTestState) -> list[CheckResult]:
    results = []
    for label, check in CHECKS:
        try:
            detail = check(state)
            results.append(CheckResult(label, True, detail))
        except CheckFailed as exc:
            results.append(CheckResult(label, False, str(exc)))
        except Exception as exc:  # anything else is a broken install too: say what
            log.exception("self-test check %r failed", label)
            results.append(CheckResult(label, False, f"{type(exc).__name__} : {exc}"))
    return results


def run_self_test(log_file: Path) -> int:
    """Run every check, print the report; 0 when all pass, 1 otherwise."""
    if needs_offscreen(os.environ, sys.platform):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    where = "application installée" if is_frozen() else "depuis les sources"
    _say(f"Carnet {__version__} : auto-vérification ({where}, {resource_path()})")
    with tempfile.TemporaryDirectory(
        prefix="carnet-auto-verification-", ignore_cleanup_errors=True
    ) as tmp:
        state = SelfTestState(Path(tmp), log_file, {"qt_app": app})
        try:
            results = run_checks(state)
        finally:
            for translator in state.values.get("translators", []):
                app.removeTranslator(translator)
            notebook = state.values.get("notebook")
            if notebook is not None:
                notebook.close()
    for result in results:
        _say(f"  [{'ok' if result.ok else 'ÉCHEC'}] {result.label} : {result.detail}")
    failed = [r for r in results if not r.ok]
    if failed:
        _say(
            f"Résultat : {len(failed)} vérification(s) sur {len(results)} en échec. Journal : {log_file}"
        )
        return 1
    _say(f"Résultat : les {len(results)} vérifications ont réussi.")
    return 0


def _say(line: str) -> None:
    """Print (when there is a console) and log: a windowed Windows build has no stdout."""
    log.info("self-test: %s", line.strip())
    if sys.stdout is not None:
        print(line, flush=True)
