"""Venues in the national open-data schema (checked against its rules) and the partners'
read-only API (tokens, territory, the same secrecy as the pages)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from hub.web.exports import REQUIRED, SCHEMA_FIELDS, schema_problems
from tests.hub.web.demo import build_demo
from tests.hub.web.test_pages import login


@pytest.fixture
def demo(client, hub_db):
    return build_demo(client, hub_db)


def _complete(client, venue_id: str, **fields) -> None:
    page = client.get(f"/lieux/{venue_id}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    data = {"csrf": csrf, **fields}
    r = client.post(f"/lieux/{venue_id}", data=data)
    assert r.status_code == 200, r.text


def test_schema_rules():
    good = {
        "id": "x", "pivot": "21590350100017", "nom": "Médiathèque", "commune": "Lille",
        "code_postal": "59000", "adresse": "1 place Augustin Laurent", "date_maj": "2025-01-02",
        "services": "Aide aux démarches administratives|Utilisation sécurisée du numérique",
    }  # fmt: skip
    assert schema_problems(good) == []
    assert "champ obligatoire vide : adresse" in schema_problems({**good, "adresse": ""})
    assert any("pivot" in p for p in schema_problems({**good, "pivot": "123"}))
    assert any("services" in p for p in schema_problems({**good, "services": "Jardinage"}))
    assert any("code_postal" in p for p in schema_problems({**good, "code_postal": "590"}))
    assert any("date_maj" in p for p in schema_problems({**good, "date_maj": "02/01/2025"}))


def test_venues_export_only_complete_records_in_the_schema(client, demo):
    login(client, demo.emails["admin"])
    assert client.get("/lieux.json").json() == []  # no address yet: nothing publishable
    page = client.get("/lieux").text
    assert "À compléter (2)" in page and "adresse" in page
    _complete(
        client,
        demo.venues["lille"],
        adresse="1 place Augustin Laurent",
        services="Aide aux démarches administratives",
        modalites="Accompagnement individuel",
        frais="Gratuit",
    )
    records = client.get("/lieux.json").json()
    assert [r["nom"] for r in records] == ["Médiathèque Jean Lévy"]
    record = records[0]
    assert set(record) <= set(SCHEMA_FIELDS) and all(record.get(k) for k in REQUIRED)
    assert record["pivot"] == "21590350100017"  # the structure's SIRET
    assert record["code_insee"] == "59350" and record["itinerance"] == "Fixe"
    assert schema_problems(record) == []
    rows = list(csv.DictReader(io.StringIO(client.get("/lieux.csv").content.decode("utf-8"))))
    assert tuple(rows[0]) == SCHEMA_FIELDS and rows[0]["adresse"] == "1 place Augustin Laurent"
    # A wrong SIRET is refused with a French message and changes nothing.
    page = client.get(f"/lieux/{demo.venues['lille']}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = client.post(f"/lieux/{demo.venues['lille']}", data={"csrf": csrf, "pivot": "12"})
    assert r.status_code == 400 and "14 chiffres" in r.text
    assert client.get("/lieux.json").json()[0]["pivot"] == "21590350100017"


def test_partner_api_needs_a_token_and_keeps_the_secret(client, hub_db, demo, capsys):
    from hub.cli import main

    url = hub_db.url
    assert (
        main(
            [
                "--database-url",
                url,
                "partner-token",
                "Conseil départemental",
                "--territoire",
                "departement:59",
            ]
        )
        == 0
    )
    token = capsys.readouterr().out.splitlines()[1].strip()
    client.cookies.clear()
    assert client.get("/partenaires/v1/indicateurs?annee=2025").status_code == 401
    auth = {"Authorization": f"Bearer {token}"}
    r = client.get("/partenaires/v1/indicateurs?annee=2025", headers=auth)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["territoire"]["code"] == "59" and data["indicateurs"]["activities"] > 0
    mel = client.get(
        "/partenaires/v1/indicateurs?annee=2025&niveau=epci&code=200093201", headers=auth
    ).json()
    roubaix = next(t for t in mel["territoires"] if t["code"] == "59512")
    assert roubaix["activites"] is None and roubaix["accompagnements"] is None
    r = client.get(
        "/partenaires/v1/indicateurs?annee=2025&niveau=departement&code=80", headers=auth
    )
    assert r.status_code == 403
    assert (
        client.get("/partenaires/v1/indicateurs?annee=2025&niveau=hub", headers=auth).status_code
        == 403
    )
    # The same figures as the pages.
    login(client, demo.emails["admin"])
    page = client.get("/export.csv?niveau=departement&code=59&annee=2025").content.decode(
        "utf-8-sig"
    )
    assert f"Activités;{data['indicateurs']['activities']}" in page


def test_cli_creates_users_of_each_role(hub_db, capsys):
    from hub.cli import main

    url = hub_db.url
    base = ["--database-url", url, "create-user"]
    assert (
        main(
            [
                *base,
                "maire@ville.test",
                "--role",
                "collectivite",
                "--territoire",
                "commune:59350",
                "--password",
                "un-long-mot-de-passe",
            ]
        )
        == 0
    )
    assert "Collectivité" in capsys.readouterr().out
    assert (
        main(
            [*base, "x@ville.test", "--role", "collectivite", "--password", "un-long-mot-de-passe"]
        )
        == 1
    )
    assert "territoire" in capsys.readouterr().err
    assert (
        main(
            [
                *base,
                "y@ville.test",
                "--role",
                "collectivite",
                "--territoire",
                "commune:99999",
                "--password",
                "un-long-mot-de-passe",
            ]
        )
        == 1
    )
    assert "Commune inconnue" in capsys.readouterr().err
    assert main(["--database-url", url, "rebuild-aggregates"]) == 0
    assert "Agrégats recalculés" in capsys.readouterr().out
