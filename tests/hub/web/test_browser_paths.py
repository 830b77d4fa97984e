"""The training paths' pages in a real browser (Debian's chromium, headless, Playwright) on the
hub served by uvicorn on loopback: hub staff create a path through the editor and find it in the
catalogue, a bad file is refused beside the import form, a proposal waits for review; a
coordinator reads only, a local authority is kept out; the indicators per path and territory.
Screenshots: docs/screenshots/hub-parcours-*.png."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from hub import training
from hub.org import create_structure
from hub.server import ServerThread
from hub.web.auth import create_web_user
from tests.hub.helpers import event_payload, local_path_payload, op, push
from tests.hub.web.demo import PASSWORD
from tests.hub.web.test_browser import (
    ARGS,
    CHROMIUM,
    _login,
    _shot,
    database_url,  # noqa: F401  (SQLite only)
)

VIEWPORT = {"width": 1360, "height": 900}
SANTE, SMARTPHONE = "seed-mon-espace-sante", "seed-debuter-smartphone"


@pytest.fixture
def browser_fr() -> Iterator[Any]:
    """Debian's chromium in French (chromium-l10n): the file picker's own texts too."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium absent en CI : scripts/setup.sh doit l'installer")
        pytest.skip("chromium absent (apt-get install chromium chromium-l10n)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[*ARGS, "--lang=fr"],
            env={**os.environ, "LANGUAGE": "fr", "LANG": "fr_FR.UTF-8"},
        )
        try:
            yield browser
        finally:
            browser.close()


def _accounts(hub_db) -> None:
    with hub_db.write() as s:
        nord = create_structure(s, "Médiathèque de Lille", commune_insee="59350")
        create_web_user(s, "equipe@hub.test", "Équipe du hub", PASSWORD, "admin", [], None)
        create_web_user(
            s, "coord@nord.test", "Coordination Nord", PASSWORD, "coordinateur", [nord.id], None
        )
        create_web_user(
            s, "mel@lille.test", "Métropole de Lille", PASSWORD, "collectivite", [],
            ("epci", "200093201"),
        )  # fmt: skip
        training.seed_catalogue(s)


def test_staff_create_a_path_and_find_it_in_the_catalogue(
    client,
    hub_db,
    settings,
    device,
    browser_fr,
):
    browser = browser_fr
    _accounts(hub_db)
    # A mediator follows the facilitators' path, enrols people (six on one path, two on
    # another: a secret count) and proposes a path of their own.
    events = [
        event_payload(path_id="seed-devenir-facilitateur", subject_kind="self", subject="self")
    ]
    events += [event_payload(path_id=SANTE, subject=f"KRT-{k}") for k in range(6)]
    events += [event_payload(path_id=SMARTPHONE, subject=f"KRT-{k}") for k in range(2)]
    push(client, device, [op(e, entity="progress_event") for e in events])
    proposal = local_path_payload(title="Prendre rendez-vous chez le médecin en ligne")
    push(client, device, [op(proposal, entity="training_path")])
    with hub_db.write() as s:  # an edit not published yet
        edited = training.export_path(s, "seed-demarches-securite")
        edited["description"] += " Nouvelle séance sur les arnaques par SMS."
        training.import_path(s, edited)

    with ServerThread(settings, database=hub_db) as server:
        url = server.url
        context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        page = context.new_page()
        _login(page, url, "equipe@hub.test")
        page.click("header nav >> text=Parcours")
        page.wait_for_url(url + "/parcours")
        assert "Prendre rendez-vous chez le médecin" in page.inner_text("#propositions")
        row = page.locator('tr[data-path="seed-devenir-facilitateur"]').inner_text()
        assert "Publié" in row and "1 médiateur" in row
        assert page.locator(f'tr[data-path="{SANTE}"]').inner_text().endswith("6 personnes")
        assert page.locator(f'tr[data-path="{SMARTPHONE}"]').inner_text().endswith("s")

        # The indicators per path and territory: six people shown, two hidden.
        page.click("text=Indicateurs par territoire")
        page.wait_for_url(url + "/parcours/indicateurs")
        total = f'section[data-path="{SANTE}"] tr[data-level="hub"] td'
        assert page.locator(total).first.inner_text() == "6"
        hidden = f'section[data-path="{SMARTPHONE}"] tr[data-level="hub"] td'
        assert page.locator(hidden).first.inner_text() == "s"
        page.select_option("select[name=niveau]", "commune")
        page.click("button:has-text('Afficher')")
        page.wait_for_url("**niveau=commune**")
        assert page.locator(f'section[data-path="{SANTE}"] tr[data-level="commune"]').count() >= 1
        _shot(page, "parcours-6-indicateurs")
        page.goto(url + "/parcours")

        page.click("text=Mon Espace Santé")
        page.wait_for_url(url + f"/parcours/{SANTE}")
        assert page.locator("li.module").count() == 5
        assert "Niveau" in page.inner_text("ol.modules")
        _shot(page, "parcours-2-parcours")

        # A new path through the editor: two modules, competences and themes.
        page.goto(url + "/parcours")
        page.click("text=Nouveau parcours")
        page.fill("#title", "Sauvegarder ses photos et ses documents")
        page.select_option("#audience", "beneficiaires")
        page.fill(
            "#description",
            "Deux séances pour ne plus perdre ses souvenirs : le cloud, une clé USB, et "
            "l'habitude de sauvegarder.",
        )
        page.fill("#m0_title", "Où sont mes photos ?")
        page.fill("#m0_objective", "Retrouver ses photos sur le téléphone et l'ordinateur.")
        page.fill("#m0_duration", "60")
        page.click("#module-1 details.choices >> nth=0 >> summary")
        page.select_option('select[name="m0_c_1.2"]', "1")
        page.select_option('select[name="m0_c_5.2"]', "2")
        page.click("#module-1 details.choices >> nth=1 >> summary")
        page.check('#module-1 input[value="gere_ses_contenus_numeriques"]')
        page.click("text=+ Ajouter un module")
        page.wait_for_selector("#m1_title")  # the form posted and came back with the module
        assert page.locator("fieldset.module-edit").count() == 2
        assert page.input_value("#m0_title") == "Où sont mes photos ?"  # kept
        page.fill("#m1_title", "Sauvegarder dans le cloud")
        page.fill("#m1_objective", "Activer la sauvegarde automatique et vérifier qu'elle marche.")
        page.fill("#m1_duration", "90")
        page.click("#module-2 details.choices >> nth=0 >> summary")
        page.select_option('select[name="m1_c_4.1"]', "2")
        page.select_option('select[name="m1_c_1.2"]', "2")
        page.click("#module-2 details.choices >> nth=1 >> summary")
        page.check('#module-2 input[value="gere_ses_contenus_numeriques"]')
        page.check('#module-2 input[value="securite_numerique"]')
        _shot(page, "parcours-3-editeur")
        page.locator(".form-bar button.primary").click()
        page.wait_for_url(url + "/parcours/*?fait=enregistre")
        assert "Publié : les appareils le recevront" in page.inner_text(".ok")
        assert page.locator("li.module").count() == 2
        _shot(page, "parcours-4-enregistre")

        page.click("header nav >> text=Parcours")
        catalogue = page.inner_text("#catalogue")
        assert "Sauvegarder ses photos et ses documents" in catalogue
        _shot(page, "parcours-1-catalogue")

        # A bad file: French errors beside the form, nothing imported.
        page.goto(url + "/parcours/importer")
        bad = {
            "format": "carnet.parcours",
            "title": "Atelier tablette",
            "audience": "tous",
            "modules": [{"title": "", "expected_duration_min": 30, "themes": ["astrologie"]}],
        }
        page.set_input_files(
            "#fichier",
            files=[
                {
                    "name": "atelier-tablette.json",
                    "mimeType": "application/json",
                    "buffer": json.dumps(bad).encode(),
                }
            ],
        )
        page.click("form.import-form button.primary")
        errors = page.inner_text("#erreurs")
        assert (
            "Rien n'a été importé de « atelier-tablette.json »" in errors
            and "thématique inconnue : astrologie" in errors
        )
        _shot(page, "parcours-5-import-erreurs")
        context.close()

        # A coordinator reads the catalogue; a local authority does not see it.
        context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        page = context.new_page()
        _login(page, url, "coord@nord.test")
        page.click("header nav >> text=Parcours")
        page.wait_for_url(url + "/parcours")  # read the new page, not the one it replaces
        assert "Lecture seule" in page.inner_text("main")
        assert page.locator("text=Nouveau parcours").count() == 0
        assert page.goto(url + "/parcours/nouveau").status == 403
        context.close()
        context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        page = context.new_page()
        _login(page, url, "mel@lille.test")
        assert "Parcours" not in page.inner_text("header nav")
        assert page.goto(url + "/parcours").status == 403
        context.close()
