"""A real browser (Debian's chromium, headless, driven by Playwright) on the hub served by
uvicorn on loopback: each role logs in and sees what it may, and only that. Screenshots go to
docs/screenshots/hub-*.png."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.server import ServerThread
from tests.hub.web.demo import PASSWORD, build_demo

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only: the pages are the same on both databases (tested in test_pages.py)."""
    target = tmp_path / "hub.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium absent en CI : scripts/setup.sh doit l'installer")
        pytest.skip("chromium absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _login(page, url: str, email: str) -> None:
    page.goto(url + "/connexion")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/tableau-de-bord")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"hub-{name}.png"), full_page=True)


def test_each_role_sees_its_own_scope(client, hub_db, settings, browser):
    demo = build_demo(client, hub_db)
    with ServerThread(settings, database=hub_db) as server:
        url = server.url
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="fr-FR")
        page = context.new_page()

        page.goto(url + "/tableau-de-bord")
        assert page.url.endswith("/connexion")  # no page without a login
        _shot(page, "1-connexion")
        page.fill("#email", demo.emails["admin"])
        page.fill("#password", "pas le bon")
        page.click("button[type=submit]")
        assert "incorrect" in page.inner_text(".alert")

        # Hub staff: the whole hub, its départements, every structure.
        _login(page, url, demo.emails["admin"])
        page.goto(url + "/tableau-de-bord?annee=2025&comparer=2024")
        assert page.inner_text("h1") == "Ensemble du hub"
        table = page.inner_text("#territoires")
        assert "Nord (59)" in table and "Somme (80)" in table
        assert "Structure : Espace numérique d'Amiens" in page.inner_text("nav.side")
        _shot(page, "2-equipe-tableau-de-bord")
        page.goto(url + "/carte?niveau=departement&code=59&annee=2025&maille=commune")
        assert page.locator("svg.map circle.mark").count() >= 2
        _shot(page, "3-carte-communes")
        page.goto(url + "/carte?niveau=hub&annee=2025&maille=epci")
        _shot(page, "4-carte-epci")
        page.goto(url + "/rapport?niveau=departement&code=80&annee=2025")
        _shot(page, "5-rapport")
        page.goto(url + "/lieux")
        page.click("text=Médiathèque Jean Lévy")
        page.fill("input[name=adresse]", "1 place Augustin Laurent")
        page.check("input[value='Aide aux démarches administratives']")
        page.check("input[value='Accompagnement individuel']")
        page.select_option("select[name=frais]", "Gratuit")
        page.click("form.form button[type=submit]")
        page.wait_for_selector("main >> text=enregistrées")  # the page after the save
        assert "enregistrées" in page.inner_text("main")
        page.goto(url + "/lieux")
        assert "Prêts à publier (1)" in page.inner_text("main")
        _shot(page, "6-lieux")
        context.close()

        # A coordinator: their structure only.
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="fr-FR")
        page = context.new_page()
        _login(page, url, demo.emails["coordinateur"])
        page.goto(url + "/tableau-de-bord?annee=2025")
        assert page.inner_text("h1") == "Médiathèque de Lille"
        assert "Amiens" not in page.inner_text("nav.side")
        _shot(page, "7-coordination")
        response = page.goto(url + "/tableau-de-bord?niveau=hub")
        assert response.status == 403 and "Accès refusé" in page.inner_text("h1")
        response = page.goto(
            url + f"/tableau-de-bord?niveau=structure&code={demo.structures['somme']}"
        )
        assert response.status == 403
        context.close()

        # A local authority (the Métropole): its communes, aggregates only; a small commune
        # is listed but its figures are secret.
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="fr-FR")
        page = context.new_page()
        _login(page, url, demo.emails["epci"])
        page.goto(url + "/tableau-de-bord?annee=2025")
        assert "Métropole Européenne de Lille" in page.inner_text("h1")
        roubaix = page.locator("#territoires tr", has_text="Roubaix").inner_text()
        assert roubaix.split("\t")[1:] == ["s", "s", "s", "s"]
        assert "Lieux" not in page.inner_text("header nav")
        _shot(page, "8-collectivite-epci")
        assert page.goto(url + "/tableau-de-bord?niveau=departement&code=59").status == 403
        assert page.goto(url + "/tableau-de-bord?niveau=commune&code=80021").status == 403
        assert page.goto(url + f"/lieux/{demo.venues['lille']}").status == 403
        context.close()

        # Roubaix itself: only secret figures.
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="fr-FR")
        page = context.new_page()
        _login(page, url, demo.emails["commune"])
        page.goto(url + "/tableau-de-bord?annee=2025")
        values = page.locator(".kpi-value").all_inner_texts()
        assert values and set(values) <= {"s", "0"}
        _shot(page, "9-collectivite-petite-commune")
        context.close()
