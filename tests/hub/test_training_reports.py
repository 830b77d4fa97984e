"""What hub staff learn from training, on SQLite and PostgreSQL: who followed which training,
completion and skill-gain indicators per path and territory (hand-computed, small counts
hidden), through the CLI (``carnet-hub paths …``) and the staff JSON API."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

import pytest

from app.models.ids import new_id
from hub import training
from hub.org import create_mediator, create_structure, create_user
from tests.hub.helpers import enrol, event_payload, op, push, session_payload

SANTE = "seed-mon-espace-sante"
FACILITATEUR = "seed-devenir-facilitateur"
PASSWORD = "mot-de-passe-solide"


@dataclass
class Territory:
    structure_lille: str
    structure_amiens: str
    lille: str  # mediator ids
    amiens: str


def _events(
    subject: str, path: str, modules: int, subject_kind: str = "person", **first: object
) -> list[dict]:
    """Enrolment (with ``first``) then ``modules`` modules done, on consecutive days."""
    title = "Devenir facilitateur" if path == FACILITATEUR else "Mon Espace Santé"
    common = {
        "path_id": path,
        "subject": subject,
        "subject_kind": subject_kind,
        "path_title": title,
        "path_module_count": 6,
    }
    out = [event_payload(kind="enrolled", module=None, occurred_on="2025-01-06", **common, **first)]
    for n in range(1, modules + 1):
        out.append(event_payload(module=n, occurred_on=f"2025-01-{6 + n:02d}", **common))
    return out


def _push_all(client, device, payloads: list[dict]) -> None:
    for start in range(0, len(payloads), 100):
        ops = [
            op(p, entity=p.pop("_entity", "progress_event")) for p in payloads[start : start + 100]
        ]
        results = push(client, device, ops).json()["results"]
        assert {r["status"] for r in results} == {"applied"}, results


@pytest.fixture
def territory(client, hub_db) -> Territory:
    """Two mediators: one in Lille (its sessions say so; its structure has no commune), one
    whose structure is in Amiens (no session linked)."""
    with hub_db.write() as s:
        training.seed_catalogue(s)
        lille = create_structure(s, "Centre social de Lille")
        amiens = create_structure(s, "Médiathèque d'Amiens", commune_insee="80021")
        ids = Territory(
            lille.id,
            amiens.id,
            create_mediator(s, "Camille Martin", lille.id).id,
            create_mediator(s, "Sam Durand", amiens.id).id,
        )
        create_user(s, "admin@hub.fr", "Équipe", PASSWORD)
        create_user(s, "coord@amiens.fr", "Coordination", PASSWORD, "coordinateur", [amiens.id])
    in_lille = enrol(client, hub_db, ids.lille)
    in_amiens = enrol(client, hub_db, ids.amiens)
    session = session_payload(commune_insee="59350", _entity="accompagnement")
    workshop = session_payload(
        kind="collectif", workshop_title="Mon Espace Santé", participants=8, genre=None,
        age_bracket=None, statut=None, autonomy=None, _entity="accompagnement",
    )  # fmt: skip
    lille_events: list[dict] = [session, workshop]
    for i in range(1, 6):  # five people complete the path, three of them assessed 1 → 3
        first = {"level_before": '{"4.2":1}'} if i <= 3 else {}
        events = _events(f"LIL-{i:03d}", SANTE, 5, session_id=session["id"], **first)
        if i <= 3:
            events[-1]["level_after"] = '{"4.2":3}'
        lille_events += events
    # A sixth did all five modules, but the last one was cancelled: not completed.
    lille_events += _events("LIL-006", SANTE, 5, session_id=session["id"])
    lille_events.append(
        event_payload(
            kind="cancelled", module=5, subject="LIL-006", cancels_id=lille_events[-1]["id"]
        )
    )
    for i in range(7, 11):  # four more did two modules
        lille_events += _events(f"LIL-{i:03d}", SANTE, 2, session_id=session["id"])
    lille_events.append(
        event_payload(kind="enrolled", module=None, subject_kind="workshop", subject=workshop["id"])
    )
    lille_events += _events("self", FACILITATEUR, 6, subject_kind="self")
    _push_all(client, in_lille, lille_events)
    amiens_events: list[dict] = []
    for i in range(1, 6):  # five people, completed, assessed 1 → 3 on 4.2
        events = _events(f"AMI-{i:03d}", SANTE, 5, level_before='{"4.2":1}')
        events[-1]["level_after"] = '{"4.2":3}'
        amiens_events += events
    amiens_events += _events("self", FACILITATEUR, 2, subject_kind="self")
    _push_all(client, in_amiens, amiens_events)
    return ids


def _rows(data: dict, path_id: str) -> dict[str, dict]:
    path = next(p for p in data["paths"] if p["path_id"] == path_id)
    return {row["code"] or row["level"]: row for row in path["rows"]}


def test_indicators_per_path_and_territory_hide_small_counts(hub_db, territory):
    with hub_db.snapshot() as s:
        data = training.indicators(s, "departement")
    rows = _rows(data, SANTE)
    assert list(rows) == ["hub", "59", "80"]
    hub, lille, amiens = rows["hub"], rows["59"], rows["80"]
    assert (lille["name"], amiens["name"]) == ("Nord (59)", "Somme (80)")
    # Completion: 10 of 15 people, 5 of 10 in the Nord, 5 of 5 in the Somme.
    assert (hub["people"], hub["started"], hub["completed"], hub["completion_rate"]) == (
        15,
        15,
        10,
        0.667,
    )
    assert (lille["people"], lille["completed"], lille["completion_rate"]) == (10, 5, 0.5)
    assert (amiens["people"], amiens["completed"], amiens["completion_rate"]) == (5, 5, 1.0)
    # Skill gain: 8 people assessed before and after, all gained 2 levels on 4.2.
    assert (hub["assessed"], hub["improved"], hub["mean_gain"]) == (8, 8, 2.0)
    assert hub["competences"] == {"4.2": {"assessed": 8, "improved": 8, "mean_gain": 2.0}}
    # Only 3 in the Nord: hidden; the Somme's 5 would give them away (8 − 5): hidden too.
    for row in (lille, amiens):
        assert (row["assessed"], row["improved"], row["mean_gain"]) == (None, None, None)
        assert row["competences"]["4.2"] == {"assessed": None, "improved": None, "mean_gain": None}
    # One workshop group in all: hidden, and the Somme's zero with it (else 1 − 0 = 1).
    assert {r["workshop_groups"] for r in rows.values()} == {None}
    # The mediators' own training: two people in all, nothing shown.
    facilitateur = _rows(data, FACILITATEUR)
    assert facilitateur["hub"]["people"] is None
    assert {r["people"] for r in facilitateur.values()} == {None}
    _assert_nothing_recoverable(data)
    # The commune level agrees with the département level (one solve for the whole tree).
    with hub_db.snapshot() as s:
        communes = _rows(training.indicators(s, "commune", SANTE), SANTE)
    assert list(communes) == ["hub", "59350", "80021"]
    assert communes["hub"] == hub
    assert (communes["59350"]["completed"], communes["80021"]["completed"]) == (5, 5)
    assert communes["80021"]["assessed"] is None


def _assert_nothing_recoverable(data: dict) -> None:
    """No visible count is 1–4, and no small count follows from visible ones."""
    for path in data["paths"]:
        rows = path["rows"]
        for row in rows:
            for key in ("people", "started", "completed", "assessed", "improved"):
                assert row[key] is None or row[key] == 0 or row[key] >= 5, (row, key)
            for part, total in (("started", "people"), ("completed", "people")):
                if row[part] is not None and row[total] is not None:
                    rest = row[total] - row[part]
                    assert rest == 0 or rest >= 5, (row, part)
        hub, children = rows[0], rows[1:]
        for key in ("people", "completed", "started"):
            hidden = [r for r in children if r[key] is None]
            if hub[key] is not None and len(hidden) == 1:
                rest = hub[key] - sum(r[key] for r in children if r[key] is not None)
                assert rest == 0 or rest >= 5, (path["title"], key)


def test_who_followed_which_training(hub_db, territory):
    with hub_db.session() as s:
        rows = [r.as_json() for r in training.followers(s)]
        amiens_only = training.followers(s, [territory.structure_amiens])
    assert [
        (r["mediator_name"], r["path_title"], r["status"], r["modules_done"]) for r in rows
    ] == [
        ("Camille Martin", "Devenir facilitateur numérique", "termine", 6),
        ("Sam Durand", "Devenir facilitateur numérique", "en_cours", 2),
    ]
    assert rows[0]["structure"] == "Centre social de Lille" and rows[0]["modules_total"] == 6
    assert rows[1]["first_on"] == "2025-01-06" and rows[1]["last_on"] == "2025-01-08"
    assert [r.mediator_name for r in amiens_only] == ["Sam Durand"]


# ---- the staff JSON API -------------------------------------------------------------------------
def _basic(email: str, password: str = PASSWORD) -> tuple[str, str]:
    return (email, password)


def test_staff_api_needs_a_hub_account_and_keeps_coordinators_to_their_structures(
    client, territory
):
    assert client.get("/api/v1/training/paths").status_code == 401
    wrong = client.get("/api/v1/training/paths", auth=_basic("admin@hub.fr", "mauvais"))
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "login_required"
    admin, coord = _basic("admin@hub.fr"), _basic("coord@amiens.fr")
    paths = client.get("/api/v1/training/paths", auth=coord).json()["paths"]
    assert {p["state"] for p in paths} == {"publie"} and len(paths) == 4
    followers = client.get("/api/v1/training/followers", auth=coord).json()["followers"]
    assert [f["mediator_name"] for f in followers] == ["Sam Durand"]
    # A coordinator's indicators cover their mediators only (5 people in Amiens).
    data = client.get("/api/v1/training/indicators", params={"level": "hub"}, auth=coord).json()
    assert _rows(data, SANTE)["hub"]["people"] == 5
    assert client.post(f"/api/v1/training/paths/{SANTE}/withdraw", auth=coord).status_code == 403
    # Hub staff manage the catalogue.
    r = client.post(f"/api/v1/training/paths/{SANTE}/withdraw", auth=admin)
    assert r.status_code == 200 and r.json()["state"] == "retire"
    r = client.get(f"/api/v1/training/paths/{SANTE}", auth=admin)
    assert r.json()["format"] == "carnet.parcours" and r.json()["id"] == SANTE
    document = {**r.json(), "id": "mes-rendez-vous", "title": "Mes rendez-vous"}
    document["modules"] = [{**m, "id": f"rdv-{i}"} for i, m in enumerate(document["modules"])]
    r = client.post("/api/v1/training/paths", params={"publish": "true"}, json=document, auth=admin)
    assert r.status_code == 200 and r.json()["state"] == "publie"
    bad = client.post("/api/v1/training/paths", json={**document, "modules": []}, auth=admin)
    assert bad.status_code == 400 and "au moins un module" in bad.json()["error"]["message"]
    missing = client.post("/api/v1/training/paths/inconnu/publish", auth=admin)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert (
        client.get("/api/v1/training/indicators", params={"level": "pays"}, auth=admin).status_code
        == 422
    )


def test_failed_logins_are_rate_limited(client, territory):
    codes = [
        client.get("/api/v1/training/paths", auth=_basic("admin@hub.fr", f"faux-{i}")).status_code
        for i in range(11)
    ]
    assert codes[:10] == [401] * 10 and codes[10] == 429


# ---- the CLI ------------------------------------------------------------------------------------
def test_paths_commands(cli, tmp_path, territory):
    code, out, _ = cli("paths", "list")
    assert code == 0 and "Mon Espace Santé" in out and out.count("publié") == 4
    code, out, _ = cli("paths", "export", SANTE, "--sortie", str(tmp_path / "sante.json"))
    assert code == 0 and "Parcours exporté" in out
    data = json.loads((tmp_path / "sante.json").read_text(encoding="utf-8"))
    data.update(id="sante-2", title="Mon Espace Santé, pas à pas")
    data["modules"] = [{**m, "id": new_id()} for m in data["modules"]]
    (tmp_path / "copie.json").write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = cli("paths", "import", str(tmp_path / "copie.json"))
    assert code == 0 and "paths publish sante-2" in out
    code, out, _ = cli("paths", "publish", "sante-2")
    assert code == 0 and "Catalogue : version 2" in out
    code, out, _ = cli("paths", "withdraw", "sante-2")
    assert code == 0 and "retiré" in out
    code, out, _ = cli("paths", "list")
    assert "retiré du catalogue" in out
    code, _, err = cli("paths", "publish", "inconnu")
    assert code == 1 and "Parcours introuvable" in err
    code, _, err = cli("paths", "import", str(tmp_path / "absent.json"))
    assert code == 1 and "Fichier illisible" in err
    code, out, _ = cli("paths", "followers")
    assert code == 0 and "Camille Martin" in out and "terminé" in out and "2/6" in out
    code, out, _ = cli("paths", "indicators", SANTE, "--niveau", "departement")
    assert code == 0 and "Somme (80)" in out and "100%" in out and " s " in out
    code, out, _ = cli("paths", "indicators", "--json", "--niveau", "hub")
    assert code == 0 and _rows(json.loads(out), SANTE)["hub"]["people"] == 15


def test_migrate_publishes_the_sample_paths_once(cli):
    code, out, _ = cli("migrate")
    assert code == 0 and "4 parcours d'exemple publiés" in out
    code, out, _ = cli("migrate")
    assert "parcours d'exemple" not in out


# ---- the hub's page ------------------------------------------------------------------------------
def _page_rows(page: str, path_id: str) -> dict[str, list[str]]:
    """A path's section of /parcours/indicateurs: its territory rows' cells by territory code
    ("" for the hub total), then its competence rows by code."""
    section = re.search(rf'<section [^>]*data-path="{path_id}">.*?</section>', page, re.S)
    assert section, page
    rows: dict[str, list[str]] = {}
    for code, cells in re.findall(
        r'<tr data-(?:level="\w+" data-code|competence)="([\w.]*)"[^>]*>(.*?)</tr>',
        section.group(0),
        re.S,
    ):
        rows[code] = [
            html.unescape(c).replace("\u202f", " ").strip()
            for c in re.findall(r'<td class="num">(.*?)</td>', cells)
        ]
    return rows


def _web_login(client, email: str) -> None:
    r = client.post("/connexion", data={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text


def test_the_indicators_page_shows_the_figures_and_hides_small_counts(client, territory):
    _web_login(client, "admin@hub.fr")
    page = client.get("/parcours")
    assert 'href="/parcours/indicateurs"' in page.text
    r = client.get("/parcours/indicateurs")
    assert r.status_code == 200
    rows = _page_rows(r.text, SANTE)
    # Inscrits, groupes, commencé, terminé, taux, évalués, progressé, gain (the JSON API's figures).
    assert rows[""] == ["15", "s", "15", "10", "67 %", "8", "8", "2,0"]
    assert rows["59"][:5] == ["10", "s", "10", "5", "50 %"]
    assert rows["59"][5:] == ["s", "s", ""] and rows["80"][5:] == ["s", "s", ""]
    assert rows["4.2"] == ["8", "8", "2,0"]
    assert "Nord (59)" in r.text and "Somme (80)" in r.text and "secret statistique" in r.text
    # The mediators' own training: two people in all, every figure hidden.
    assert set(_page_rows(r.text, FACILITATEUR)[""][:1]) == {"s"}
    # One path, by commune.
    r = client.get("/parcours/indicateurs", params={"niveau": "commune", "parcours": SANTE})
    assert r.status_code == 200 and f'data-path="{FACILITATEUR}"' not in r.text
    communes = _page_rows(r.text, SANTE)
    assert [code for code in communes if code and "." not in code] == ["59350", "80021"]
    assert communes["59350"][3] == "5" and communes["80021"][5] == "s"


def test_the_indicators_page_keeps_coordinators_to_their_structures(client, territory):
    _web_login(client, "coord@amiens.fr")
    r = client.get("/parcours/indicateurs")
    assert r.status_code == 200
    rows = _page_rows(r.text, SANTE)
    assert rows[""][:4] == ["5", "0", "5", "5"] and "59" not in rows
    assert "Nord (59)" not in r.text and "dans vos structures" in r.text


def test_the_indicators_page_refuses_bad_choices_in_french(client, territory):
    _web_login(client, "admin@hub.fr")
    r = client.get("/parcours/indicateurs", params={"niveau": "planete"})
    assert r.status_code == 400 and "Niveau de territoire inconnu" in r.text
    r = client.get("/parcours/indicateurs", params={"parcours": "inexistant"})
    assert r.status_code == 404 and "Parcours introuvable" in r.text
