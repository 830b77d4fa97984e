"""The training paths' pages in-process, on SQLite and PostgreSQL: the catalogue, the editor
(each save a new version, a new catalogue snapshot and ETag), a path file's import (French
errors, nothing stored) and export, publish / withdraw / refuse, roles and CSRF."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from hub import training
from hub.models import CataloguePath
from hub.org import create_structure
from hub.web.auth import create_web_user
from tests.hub.helpers import (
    Enrolled,
    enrol,
    event_payload,
    local_path_payload,
    new_mediator,
    op,
    push,
)
from tests.hub.web.demo import PASSWORD

SANTE = "seed-mon-espace-sante"
SMARTPHONE = "seed-debuter-smartphone"


@dataclass
class Accounts:
    device: Enrolled  # a mediator's device, to read the catalogue as devices do
    admin: str = "equipe@hub.test"
    coordinator: str = "coord@nord.test"
    authority: str = "mairie@roubaix.test"


@pytest.fixture
def hub(client, hub_db, device) -> Accounts:
    """Hub staff, a coordinator, a local authority; the sample catalogue."""
    with hub_db.write() as s:
        nord = create_structure(s, "Médiathèque de Lille", commune_insee="59350")
        create_web_user(s, Accounts.admin, "Équipe du hub", PASSWORD, "admin", [], None)
        create_web_user(
            s, Accounts.coordinator, "Coordination Nord", PASSWORD, "coordinateur", [nord.id], None
        )
        create_web_user(
            s,
            Accounts.authority,
            "Ville de Roubaix",
            PASSWORD,
            "collectivite",
            [],
            ("commune", "59512"),
        )
        training.seed_catalogue(s)
    return Accounts(device)


def login(client, email: str) -> str:
    """Logs in; returns the session's CSRF token (read from a page's form)."""
    r = client.post("/connexion", data={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)


def catalogue(client, hub: Accounts) -> tuple[int, str, dict[str, Any]]:
    """The catalogue as devices get it: (version, ETag, paths by id)."""
    r = client.get("/api/v1/catalogue", headers=hub.device.auth)
    assert r.status_code == 200
    body = r.json()
    return body["version"], r.headers["etag"], {p["id"]: p for p in body["paths"]}


def editor_fields(page: str) -> list[tuple[str, str]]:
    """The fields a browser would post from the editor's page (save button)."""
    fields: list[tuple[str, str]] = []
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        fields.append((name.group(1), _unescape(value.group(1) if value else "")))
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        fields.append((name, _unescape(body)))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        fields.append((name, chosen.group(1) if chosen else ""))
    return fields


def _unescape(text: str) -> str:
    return html.unescape(text)


def post_form(client, url: str, fields: list[tuple[str, str]], **kw: Any):
    """Posts fields as a browser does (a name may come several times)."""
    return client.post(
        url,
        content=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        **kw,
    )


def with_values(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The fields with some values typed in (a field not on the page is added)."""
    names = {k for k, _ in fields}
    return [(k, values.get(k, v)) for k, v in fields] + [
        (k, v) for k, v in values.items() if k not in names
    ]


def test_staff_sees_the_catalogue_with_versions_states_and_followers(client, hub, hub_db):
    mediator = new_mediator(hub_db, "Inès Lefebvre")
    device = enrol(client, hub_db, mediator)
    event = event_payload(
        path_id="seed-devenir-facilitateur", subject_kind="self", subject="self", module=1
    )
    push(client, device, [op(event, entity="progress_event")])
    login(client, hub.admin)
    r = client.get("/parcours")
    assert r.status_code == 200
    row = re.search(r'<tr data-path="seed-devenir-facilitateur">.*?</tr>', r.text, re.S).group(0)
    assert "Médiateurs et médiatrices" in row and "Publié" in row and "1 médiateur" in row
    sante = re.search(rf'<tr data-path="{SANTE}">.*?</tr>', r.text, re.S).group(0)
    assert ">5<" in sante and "Personnes accompagnées" in sante  # five modules
    assert 'href="/parcours/nouveau"' in r.text and 'href="/parcours"' in r.text  # top menu


def test_a_path_page_shows_its_modules(client, hub):
    login(client, hub.admin)
    r = client.get(f"/parcours/{SANTE}")
    assert r.status_code == 200
    assert r.text.count('class="card module"') == 5
    assert "Niveau " in r.text and "Objectif :" in r.text and "Santé" in r.text
    assert f'action="/parcours/{SANTE}/retirer"' in r.text


def test_create_then_edit_makes_new_versions_and_a_new_etag(client, hub, hub_db):
    csrf = login(client, hub.admin)
    version, etag, _ = catalogue(client, hub)
    # Build the form as a browser would: one module, then « add a module ».
    page = client.get("/parcours/nouveau").text
    fields = with_values(
        editor_fields(page),
        title="Prendre rendez-vous en ligne",
        m0_title="Trouver le bon site",
        m0_objective="Reconnaître le site officiel.",
        m0_duration="45",
        **{"m0_c_1.1": "2"},
    )
    fields.append(("m0_themes", "sante"))
    page = post_form(client, "/parcours/nouveau", [*fields, ("action", "add")]).text
    assert page.count('class="card module-edit"') == 2 and "Reconnaître le site" in page
    fields = with_values(
        editor_fields(page), m1_title="Réserver", m1_duration="60", **{"m1_c_4.2": "3"}
    )
    r = post_form(
        client, "/parcours/nouveau", [*fields, ("action", "save")], follow_redirects=False
    )
    assert r.status_code == 303, r.text
    path_id = r.headers["location"].split("/")[2].split("?")[0]
    r = client.get(r.headers["location"])
    assert "Parcours enregistré (version 1). Publié" in r.text

    new_version, new_etag, paths = catalogue(client, hub)
    assert (new_version, new_etag != etag) == (version + 1, True)
    created = paths[path_id]
    assert [m["title"] for m in created["modules"]] == ["Trouver le bon site", "Réserver"]
    assert created["modules"][0]["competences"] == [{"code": "1.1", "target_level": 2}]
    assert created["modules"][0]["themes"] == ["sante"]
    assert created["modules"][1]["competences"] == [{"code": "4.2", "target_level": 3}]
    module_ids = [m["id"] for m in created["modules"]]

    # Edit: move module 2 up, rename; ids are kept, the version goes up, a new ETag.
    page = client.get(f"/parcours/{path_id}/modifier").text
    page = post_form(
        client, f"/parcours/{path_id}/modifier", [*editor_fields(page), ("action", "up:1")]
    ).text
    fields = with_values(editor_fields(page), m0_title="Réserver un créneau")
    r = post_form(client, f"/parcours/{path_id}/modifier", [*fields, ("action", "save")])
    assert r.status_code == 200 and "version 2" in r.text
    third_version, third_etag, paths = catalogue(client, hub)
    assert third_version == new_version + 1 and third_etag != new_etag
    edited = paths[path_id]
    assert edited["version"] == 2
    assert [m["id"] for m in edited["modules"]] == module_ids[::-1]
    assert edited["modules"][0]["title"] == "Réserver un créneau"
    # Saving again without a change stores nothing.
    page = client.get(f"/parcours/{path_id}/modifier").text
    r = post_form(
        client, f"/parcours/{path_id}/modifier", [*editor_fields(page), ("action", "save")]
    )
    assert "Aucune modification" in r.text
    assert catalogue(client, hub)[0] == third_version
    assert csrf


def test_the_editor_refuses_in_french_and_keeps_what_was_typed(client, hub, hub_db):
    login(client, hub.admin)
    page = client.get(f"/parcours/{SMARTPHONE}/modifier").text
    fields = with_values(editor_fields(page), m0_duration="deux heures", m1_title="")
    r = post_form(client, f"/parcours/{SMARTPHONE}/modifier", [*fields, ("action", "save")])
    assert r.status_code == 400
    assert "Module 1 : la durée prévue doit être un nombre de minutes." in r.text
    assert "Module 2 : le titre est obligatoire." in r.text
    assert 'value="deux heures"' in r.text  # nothing typed is lost
    with hub_db.session() as s:
        assert training.export_path(s, SMARTPHONE)["version"] == 1
    # Another save in between: warned, then the second save wins.
    stale = client.get(f"/parcours/{SMARTPHONE}/modifier").text
    with hub_db.write() as s:
        data = training.export_path(s, SMARTPHONE)
        data["description"] = "Changé ailleurs."
        training.import_path(s, data)
    fields = with_values(editor_fields(stale), title="Débuter avec son smartphone")
    r = post_form(client, f"/parcours/{SMARTPHONE}/modifier", [*fields, ("action", "save")])
    assert r.status_code == 409 and "modifié par quelqu'un d'autre" in html.unescape(r.text)
    r = post_form(
        client, f"/parcours/{SMARTPHONE}/modifier", [*editor_fields(r.text), ("action", "save")]
    )
    assert r.status_code == 200 and "Débuter avec son smartphone" in r.text


def test_import_a_good_file_and_export_round_trips(client, hub, hub_db):
    csrf = login(client, hub.admin)
    r = client.get(f"/parcours/{SANTE}/export.json")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    exported = r.json()
    assert exported["format"] == "carnet.parcours" and len(exported["modules"]) == 5
    copy = {
        **exported,
        "id": "sante-en-atelier",
        "title": "Mon Espace Santé en atelier",
        "modules": [{**m, "id": ""} for m in exported["modules"]],
    }
    version, etag, _ = catalogue(client, hub)
    r = client.post(
        "/parcours/importer",
        data={"csrf": csrf, "publier": "1"},
        files={"fichier": ("sante.json", json.dumps(copy).encode(), "application/json")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/parcours/sante-en-atelier")
    assert "Parcours importé (version 1). Publié" in client.get(r.headers["location"]).text
    new_version, new_etag, paths = catalogue(client, hub)
    assert new_version == version + 1 and new_etag != etag
    assert [m["id"] for m in paths["sante-en-atelier"]["modules"]] == [
        f"sante-en-atelier-{i:02d}" for i in range(1, 6)
    ]
    # Export of the import = the file, with the ids the hub gave.
    again = client.get("/parcours/sante-en-atelier/export.json").json()
    assert again == {**copy, "modules": paths["sante-en-atelier"]["modules"]}
    # An exported file imported back unchanged changes nothing.
    r = client.post(
        "/parcours/importer",
        data={"csrf": csrf},
        files={"fichier": ("x.json", json.dumps(again).encode("utf-8-sig"), "application/json")},
    )
    assert r.status_code == 200 and "version 1" in r.text
    assert catalogue(client, hub)[0] == new_version


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"title": "x", ', "n'est pas du JSON valide : mauvais.json (ligne 1, colonne"),
        ("\xe9".encode("latin-1"), "n'est pas un texte UTF-8"),
        (b'{"format": "autre"}', "n'est pas un parcours Carnet"),
        (
            json.dumps(
                {
                    "format": "carnet.parcours",
                    "title": "Sans public",
                    "audience": "tous",
                    "modules": [
                        {"title": "", "expected_duration_min": 30, "themes": ["astrologie"]}
                    ],
                }
            ).encode(),
            "thématique inconnue : astrologie",
        ),
    ],
)
def test_a_bad_file_gets_french_errors_and_nothing_is_stored(
    client, hub, hub_db, content, expected
):
    csrf = login(client, hub.admin)
    with hub_db.session() as s:
        before = s.scalar(select(func.count()).select_from(CataloguePath))
    version = catalogue(client, hub)[0]
    r = client.post(
        "/parcours/importer",
        data={"csrf": csrf, "publier": "1"},
        files={"fichier": ("mauvais.json", content, "application/json")},
    )
    text = html.unescape(r.text)
    assert r.status_code == 400 and "Rien n'a été importé" in text and expected in text
    assert 'enctype="multipart/form-data"' in r.text  # the form is shown again beside them
    with hub_db.session() as s:
        assert s.scalar(select(func.count()).select_from(CataloguePath)) == before
    assert catalogue(client, hub)[0] == version


def test_all_problems_of_a_file_are_listed(client, hub):
    csrf = login(client, hub.admin)
    bad = {
        "format": "carnet.parcours",
        "title": "",
        "audience": "tous",
        "modules": [{"title": "", "expected_duration_min": 0}],
    }
    r = client.post(
        "/parcours/importer",
        data={"csrf": csrf},
        files={"fichier": ("p.json", json.dumps(bad).encode(), "application/json")},
    )
    items = re.findall(r"<li>([^<]+)</li>", r.text)
    assert "Le parcours doit avoir un titre." in items
    assert "Module 1 : le titre est obligatoire." in items
    assert "Module 1 : la durée prévue doit être entre 1 minute et 23 h 59." in items


def test_a_proposal_is_published_for_everyone_or_refused(client, hub, hub_db, device):
    first, second = local_path_payload(), local_path_payload(title="Sauvegarder ses photos")
    push(client, device, [op(p, entity="training_path") for p in (first, second)])
    csrf = login(client, hub.admin)
    r = client.get("/parcours")
    proposals = re.search(r'<section class="card" id="propositions">.*?</section>', r.text, re.S)
    assert proposals and "Camille Martin" in proposals.group(0)
    assert "Réserver un rendez-vous en ligne" in proposals.group(0)
    assert client.get(f"/parcours/{first['id']}").status_code == 200

    version = catalogue(client, hub)[0]
    r = client.post(f"/parcours/{first['id']}/publier", data={"csrf": csrf})
    assert "Parcours publié" in r.text
    new_version, _, paths = catalogue(client, hub)
    assert new_version == version + 1 and paths[first["id"]]["title"] == first["title"]

    r = client.post(f"/parcours/{second['id']}/refuser", data={"csrf": csrf})
    assert r.status_code == 200 and "Proposition refusée" in r.text
    assert 'id="propositions"' not in r.text and "Sauvegarder ses photos" not in r.text
    assert catalogue(client, hub)[0] == new_version
    # The mediator changes it: it is back for review.
    push(
        client,
        device,
        [op({**second, "description": "Revu."}, entity="training_path", base_version=1)],
    )
    assert "Sauvegarder ses photos" in client.get("/parcours").text


def test_withdraw_and_publish_again(client, hub):
    csrf = login(client, hub.admin)
    version = catalogue(client, hub)[0]
    r = client.post(f"/parcours/{SANTE}/retirer", data={"csrf": csrf})
    assert r.status_code == 200 and "Parcours retiré du catalogue" in r.text
    assert "Remettre au catalogue" in r.text
    new_version, _, paths = catalogue(client, hub)
    assert new_version == version + 1 and paths[SANTE]["withdrawn"] is True
    client.post(f"/parcours/{SANTE}/publier", data={"csrf": csrf})
    assert "withdrawn" not in catalogue(client, hub)[2][SANTE]


def test_csrf_is_required(client, hub):
    login(client, hub.admin)
    version = catalogue(client, hub)[0]
    assert client.post(f"/parcours/{SANTE}/retirer", data={"csrf": "faux"}).status_code == 403
    assert client.post(f"/parcours/{SANTE}/retirer").status_code == 403
    page = client.get(f"/parcours/{SANTE}/modifier").text
    fields = with_values(editor_fields(page), csrf="faux", title="Piraté")
    assert post_form(client, f"/parcours/{SANTE}/modifier", fields).status_code == 403
    r = client.post(
        "/parcours/importer",
        data={"csrf": "faux"},
        files={"fichier": ("p.json", b"{}", "application/json")},
    )
    assert r.status_code == 403
    assert (
        catalogue(client, hub)[0] == version
        and catalogue(client, hub)[2][SANTE]["title"] != "Piraté"
    )


def test_a_coordinator_reads_but_cannot_edit(client, hub):
    csrf = login(client, hub.coordinator)
    r = client.get("/parcours")
    assert r.status_code == 200 and "Lecture seule" in r.text
    assert 'href="/parcours/nouveau"' not in r.text
    r = client.get(f"/parcours/{SANTE}")
    assert r.status_code == 200 and "/modifier" not in r.text and "/retirer" not in r.text
    assert client.get(f"/parcours/{SANTE}/export.json").status_code == 200
    version = catalogue(client, hub)[0]
    for url in ("/parcours/nouveau", f"/parcours/{SANTE}/modifier", "/parcours/importer"):
        assert client.get(url).status_code == 403, url
    for action in ("retirer", "publier", "modifier"):
        r = client.post(f"/parcours/{SANTE}/{action}", data={"csrf": csrf, "title": "x"})
        assert r.status_code == 403, action
    assert catalogue(client, hub)[0] == version


def test_a_local_authority_does_not_see_the_paths(client, hub):
    login(client, hub.authority)
    assert 'href="/parcours"' not in client.get("/tableau-de-bord").text
    for url in ("/parcours", f"/parcours/{SANTE}", f"/parcours/{SANTE}/export.json"):
        assert client.get(url).status_code == 403, url
    client.cookies.clear()
    r = client.get("/parcours", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/connexion"
