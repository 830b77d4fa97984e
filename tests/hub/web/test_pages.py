"""The hub's pages in-process: login, roles and scopes, CSRF, rate limit, exports."""

from __future__ import annotations

import io
import re
import threading

import pytest
from sqlalchemy import text

from hub.org import get_meta
from tests.hub.web.demo import PASSWORD, build_demo


def login(client, email, password=PASSWORD):
    r = client.post(
        "/connexion", data={"email": email, "password": password}, follow_redirects=False
    )
    return r


@pytest.fixture
def demo(client, hub_db):
    return build_demo(client, hub_db)


def test_pages_need_a_login(client, demo):
    r = client.get("/tableau-de-bord", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/connexion"
    assert client.get("/export.csv", follow_redirects=False).status_code == 303


def test_wrong_password_and_rate_limit(client, demo):
    r = login(client, demo.emails["admin"], "mauvais-mot-de-passe")
    assert r.status_code == 401 and "incorrect" in r.text
    for _ in range(4):
        login(client, demo.emails["admin"], "mauvais-mot-de-passe")
    r = login(client, demo.emails["admin"])
    assert r.status_code == 429 and "Trop de tentatives" in r.text


def test_cookie_is_signed_httponly_and_lax(client, demo):
    r = login(client, demo.emails["admin"])
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    value = client.cookies.get("carnet_hub_session")
    client.cookies.clear()
    client.cookies.set("carnet_hub_session", value[:-3] + "AAA")
    assert client.get("/tableau-de-bord", follow_redirects=False).status_code == 303


def test_staff_sees_the_hub_and_a_structure(client, demo):
    login(client, demo.emails["admin"])
    r = client.get("/tableau-de-bord?annee=2025")
    assert r.status_code == 200
    assert "Ensemble du hub" in r.text and "Nord (59)" in r.text and "Somme (80)" in r.text
    r = client.get(f"/tableau-de-bord?niveau=structure&code={demo.structures['somme']}&annee=2025")
    assert r.status_code == 200 and "Espace numérique d&#39;Amiens" in r.text


def test_coordinator_is_kept_to_their_structures(client, demo):
    login(client, demo.emails["coordinateur"])
    r = client.get("/tableau-de-bord?annee=2025")
    assert r.status_code == 200 and "Médiathèque de Lille" in r.text
    assert client.get("/tableau-de-bord?niveau=hub").status_code == 403
    other = demo.structures["somme"]
    assert client.get(f"/tableau-de-bord?niveau=structure&code={other}").status_code == 403
    assert client.get(f"/lieux/{demo.venues['amiens']}").status_code == 403


def test_local_authority_sees_its_territory_only(client, demo):
    login(client, demo.emails["epci"])
    r = client.get("/tableau-de-bord?annee=2025")
    assert r.status_code == 200 and "Métropole Européenne de Lille" in r.text
    assert client.get("/tableau-de-bord?niveau=commune&code=59350&annee=2025").status_code == 200
    assert client.get("/tableau-de-bord?niveau=departement&code=59").status_code == 403
    assert client.get("/tableau-de-bord?niveau=commune&code=80021").status_code == 403
    assert client.get("/tableau-de-bord?niveau=hub").status_code == 403
    # Roubaix (3 sessions) is listed but secret.
    row = re.search(r"Roubaix.*?</tr>", r.text, re.S).group(0)
    assert ">s<" in row and ">3<" not in row


def test_small_commune_sees_only_secret_figures(client, demo):
    login(client, demo.emails["commune"])
    r = client.get("/tableau-de-bord?annee=2025")
    assert r.status_code == 200 and "Roubaix" in r.text
    values = re.findall(r'class="kpi-value">([^<]*)<', r.text)
    assert values and all(v in ("s", "0") for v in values), values


def test_csrf_is_required_on_forms(client, demo):
    login(client, demo.emails["admin"])
    r = client.post(f"/lieux/{demo.venues['lille']}", data={"adresse": "1 rue X", "csrf": "faux"})
    assert r.status_code == 403
    page = client.get(f"/lieux/{demo.venues['lille']}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = client.post(f"/lieux/{demo.venues['lille']}", data={"adresse": "1 rue X", "csrf": csrf})
    assert r.status_code == 200 and "enregistrées" in r.text


def test_exports_csv_and_xlsx_carry_the_secret(client, demo):
    from openpyxl import load_workbook

    login(client, demo.emails["epci"])
    r = client.get("/export.csv?niveau=epci&code=200093201&annee=2025")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert "Roubaix (59512);s;s;s;s" in text
    r = client.get("/export.xlsx?niveau=epci&code=200093201&annee=2025")
    wb = load_workbook(io.BytesIO(r.content))
    cells = [c.value for row in wb.active.iter_rows() for c in row]
    assert "Roubaix (59512)" in cells and "Personnes accompagnées" in cells


def test_report_and_map_pages(client, demo):
    login(client, demo.emails["admin"])
    r = client.get("/rapport?niveau=departement&code=80&annee=2025")
    assert r.status_code == 200 and "rapport d'activité 2025" in r.text and "<svg" in r.text
    r = client.get("/carte?niveau=departement&code=59&annee=2025&maille=commune")
    assert r.status_code == 200 and "Lille" in r.text and 'class="mark"' in r.text
    r = client.get("/carte?niveau=hub&annee=2025&maille=epci")
    assert r.status_code == 200 and "<svg" in r.text


def test_the_first_login_waits_for_another_writer(client, hub_db, demo):
    """The cookies' signing key is made at the first login, in a write transaction of its own:
    a push or the statistics drain writing at that moment makes the login wait, not fail."""
    with hub_db.session() as s:
        assert get_meta(s, "web_secret") is None
    writing, release = threading.Event(), threading.Event()

    def writer() -> None:
        with hub_db.write() as s:
            s.execute(text("UPDATE hub_meta SET value = value WHERE key = 'epoch'"))
            writing.set()
            release.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    assert writing.wait(5)
    threading.Timer(0.3, release.set).start()
    r = login(client, demo.emails["admin"])
    thread.join(5)
    assert r.status_code == 303, r.text
    with hub_db.session() as s:
        assert get_meta(s, "web_secret") is not None
    assert client.get("/tableau-de-bord").status_code == 200
