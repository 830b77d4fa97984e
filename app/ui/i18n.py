"""Qt translations: French is the shipped language, English (the source strings) the fallback."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.paths import resource_path

log = logging.getLogger(__name__)

SHIPPED_LANGUAGES = ("fr",)
DEFAULT_LANGUAGE = "fr"
CATALOGUE_NAME = "carnet"


def catalogue_path(language: str = DEFAULT_LANGUAGE):
    return resource_path("resources", "i18n", f"{CATALOGUE_NAME}_{language}.qm")


def choose_language(requested: str | None, system_locale: str | None = None) -> str:
    """``--lang`` wins; otherwise the system language when Carnet ships it, else French.

    English (the source strings) is used only when asked for: the mediators are French-speaking
    even on a machine left in English."""
    if requested:
        return requested.lower().split("_")[0].split("-")[0]
    system = (system_locale or QLocale.system().name()).lower().split("_")[0]
    return system if system in SHIPPED_LANGUAGES else DEFAULT_LANGUAGE


def install_translators(app: QCoreApplication, requested: str | None) -> list[QTranslator]:
    """Install Carnet's catalogue and Qt's own (buttons, context menus) for the chosen language.

    Returns the translators, which must outlive the application (Qt does not own them)."""
    language = choose_language(requested)
    installed: list[QTranslator] = []
    if language not in SHIPPED_LANGUAGES:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
        return installed
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    ours = QTranslator(app)
    if ours.load(str(catalogue_path(language))):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.warning("translation catalogue missing: %s", catalogue_path(language))
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qtbase = QTranslator(app)
    if qtbase.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qtbase)
        installed.append(qtbase)
    return installed
