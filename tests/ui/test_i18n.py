"""French translations: complete, built reproducibly, loaded at start; English on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from app.ui.i18n import catalogue_path, choose_language, install_translators
from tests.ui.helpers import load_script

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def i18n_script():
    return load_script("i18n")


def test_every_source_string_has_a_french_translation(i18n_script):
    missing = i18n_script.untranslated()
    assert missing == [], f"{len(missing)} texte(s) sans traduction : {missing[:10]}"


def test_ts_is_up_to_date_and_qm_rebuilds_identically(i18n_script):
    assert i18n_script.check() == []


def test_choose_language():
    assert choose_language("en") == "en"
    assert choose_language("fr_FR") == "fr"
    assert choose_language(None, "fr_BE") == "fr"
    # French is the shipped language: a machine left in English still gets French.
    assert choose_language(None, "en_US") == "fr"
    assert choose_language(None, "C") == "fr"


def test_french_is_installed_and_english_on_request(qapp):
    assert catalogue_path("fr").exists()
    translators = install_translators(qapp, "fr")
    try:
        assert translators, "the French catalogue did not load"
        assert QCoreApplication.translate("MainWindow", "New session") == "Nouvelle séance"
        assert QCoreApplication.translate("MainWindow", "%n session(s)", None, 1) == "1 séance"
        assert QCoreApplication.translate("MainWindow", "%n session(s)", None, 3) == "3 séances"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
    assert install_translators(qapp, "en") == []
    assert QCoreApplication.translate("MainWindow", "New session") == "New session"
