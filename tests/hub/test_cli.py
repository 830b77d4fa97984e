"""The operator CLI, on SQLite and PostgreSQL: organisation, enrolment, devices, backup and
restore (a new epoch), health; and ``carnet-hub serve`` as a real process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from fastapi.testclient import TestClient

from hub.app import create_app
from hub.cli import enrolment_uri
from hub.server import free_port
from tests.hub.helpers import PROTOCOL, Enrolled, op, pull_all, push, session_payload


def _id(text: str) -> str:
    match = re.search(r"Identifiant : (\S+)", text)
    assert match, text
    return match.group(1)


def _enrol_with_code(client, code: str) -> Enrolled:
    r = client.post("/api/v1/enrol", json={"code": code, "device_name": "Portable Médiathèque"})
    assert r.status_code == 200, r.text
    d = r.json()
    return Enrolled(d["mediator_id"], d["device_id"], d["token"])


def test_organisation_enrolment_devices_revoke_health(cli, settings, tmp_path):
    code, out, _ = cli(
        "create-structure", "Centre social Albert Camus", "--siret", "12345678901234"
    )
    assert code == 0 and "Structure créée" in out
    code, out, _ = cli(
        "create-structure",
        "Médiathèque",
        "--kind",
        "lieu",
        "--parent",
        "Centre social Albert Camus",
    )
    assert code == 0
    code, out, _ = cli(
        "create-mediator",
        "Camille Martin",
        "--structure",
        "Centre social Albert Camus",
        "--email",
        "camille@example.org",
    )
    assert code == 0
    mediator_id = _id(out)
    qr = tmp_path / "qr" / "code.png"
    code, out, _ = cli(
        "enrol-code", "camille@example.org", "--qr", str(qr), "--hub-url", "https://hub.example.org"
    )
    assert code == 0, out
    enrol_code = re.search(r"Camille Martin : (\S+)", out).group(1)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", enrol_code)
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and qr.stat().st_size > 300
    assert "Valable une seule fois" in out

    app = create_app(settings)
    with TestClient(app, headers=PROTOCOL) as client:
        device = _enrol_with_code(client, enrol_code)
        assert device.mediator_id == mediator_id
        push(client, device, [op(session_payload())])

        code, out, _ = cli("devices")
        assert device.device_id in out and "Portable Médiathèque" in out and "actif" in out
        code, out, _ = cli("health")
        assert "Appareils : 1 actifs, 0 révoqués" in out
        assert "Conflits en attente de vérification : 0" in out
        assert "Camille Martin" in out and "à l'instant" in out

        code, out, _ = cli("revoke", device.device_id[:30])
        assert code == 0 and "Appareil révoqué" in out
        r = client.get("/api/v1/sync/status", headers=device.auth)
        assert r.status_code == 401 and r.json()["error"]["code"] == "device_revoked"
        code, out, _ = cli("health")
        assert "0 actifs, 1 révoqués" in out
        app.state.hub.db.dispose()


def test_refusals_are_explained_in_french(cli):
    code, _, err = cli("create-mediator", "Sam", "--structure", "Nulle part")
    assert code == 1 and "Structure introuvable" in err
    code, _, err = cli("enrol-code", "Personne")
    assert code == 1 and "Médiateur introuvable" in err
    code, _, err = cli("revoke", "inconnu")
    assert code == 1 and "Appareil introuvable" in err
    code, _, err = cli("create-structure", "X", "--siret", "123")
    assert code == 1 and "14 chiffres" in err
    code, _, err = cli("restore", "/nulle/part.db", "--oui")
    assert code == 1 and "introuvable" in err


def test_create_admin_and_coordinator(cli, monkeypatch, hub_db):
    from sqlalchemy import select

    from hub.models import HubUser, UserStructure
    from hub.org import check_password

    monkeypatch.setenv("CARNET_HUB_ADMIN_PASSWORD", "un mot de passe solide")
    code, out, _ = cli("create-admin", "Admin@Region.fr", "--name", "Région")
    assert code == 0 and "Administrateur créé : admin@region.fr" in out
    cli("create-structure", "Association Relais")
    code, out, _ = cli(
        "create-admin",
        "coord@relais.fr",
        "--role",
        "coordinateur",
        "--structure",
        "Association Relais",
    )
    assert code == 0 and "Coordinateur créé" in out
    code, _, err = cli("create-admin", "admin@region.fr")
    assert code == 1 and "existe déjà" in err
    monkeypatch.setenv("CARNET_HUB_ADMIN_PASSWORD", "court")
    code, _, err = cli("create-admin", "autre@region.fr")
    assert code == 1 and "10 caractères" in err
    with hub_db.session() as s:
        admin = s.scalar(select(HubUser).where(HubUser.email == "admin@region.fr"))
        assert admin.role == "admin" and "solide" not in admin.password_hash
        assert check_password("un mot de passe solide", admin.password_hash)
        assert not check_password("autre chose", admin.password_hash)
        assert len(s.scalars(select(UserStructure)).all()) == 1


def test_backup_then_restore_brings_data_back_with_a_new_epoch(cli, settings, tmp_path):
    cli("create-structure", "Structure")
    _, out, _ = cli("create-mediator", "Camille", "--structure", "Structure")
    mediator_id = _id(out)
    _, out, _ = cli("enrol-code", mediator_id)
    enrol_code = re.search(r"Camille : (\S+)", out).group(1)
    app = create_app(settings)
    with TestClient(app, headers=PROTOCOL) as client:
        device = _enrol_with_code(client, enrol_code)
        kept = session_payload(notes="avant la sauvegarde")
        push(client, device, [op(kept)])
        old_epoch = client.get("/api/v1/sync/status", headers=device.auth).json()["epoch"]
    app.state.hub.db.dispose()

    backup_file = tmp_path / "sauvegardes" / "hub.sauvegarde"
    code, out, _ = cli("backup", str(backup_file))
    assert code == 0 and "Sauvegarde écrite" in out and backup_file.stat().st_size > 0

    app = create_app(settings)
    with TestClient(app, headers=PROTOCOL) as client:
        lost = session_payload(notes="après la sauvegarde")
        push(client, device, [op(lost)])
        assert len(pull_all(client, device)[0]) == 2
    app.state.hub.db.dispose()

    code, out, _ = cli("restore", str(backup_file), "--oui")
    assert code == 0, out
    new_epoch = re.search(r"Nouvelle époque du hub : (\S+)\.", out).group(1)
    assert new_epoch != old_epoch

    app = create_app(settings)
    with TestClient(app, headers=PROTOCOL) as client:
        r = client.get("/api/v1/sync/status", headers=device.auth)
        assert r.status_code == 200  # the device's token was in the backup
        assert r.json()["epoch"] == new_epoch == r.headers["x-carnet-epoch"]
        changes, _ = pull_all(client, device)
        assert [c["entity_id"] for c in changes] == [kept["id"]]
        # The device re-checks its inventory and re-sends what the hub lost.
        items = [
            {"entity": "accompagnement", "entity_id": p["id"], "version": 1} for p in (kept, lost)
        ]
        missing = client.post(
            "/api/v1/sync/reconcile", json={"items": items}, headers=device.auth
        ).json()["missing"]
        assert missing == [lost["id"]]
        assert (
            push(client, device, [op(lost, base_version=1)]).json()["results"][0]["status"]
            == "applied"
        )
    app.state.hub.db.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(cli, tmp_path):
    junk = tmp_path / "pas-une-sauvegarde.db"
    junk.write_bytes(b"bonjour" * 100)
    code, _, err = cli("restore", str(junk), "--oui")
    assert code == 1 and "n'est pas une sauvegarde" in err


def test_migrate_command(cli):
    code, out, _ = cli("migrate")
    assert code == 0 and "Base déjà à jour" in out


def test_enrolment_uri():
    assert enrolment_uri("ABCD-EFGH", None) == "carnet://inscription?code=ABCD-EFGH"
    assert enrolment_uri("ABCD-EFGH", "https://hub.fr") == (
        "carnet://inscription?hub=https%3A%2F%2Fhub.fr&code=ABCD-EFGH"
    )


def test_serve_runs_with_no_configuration_but_a_data_dir(tmp_path):
    """``carnet-hub serve`` in a real process: creates its SQLite base, says where it lives,
    answers on loopback."""
    import httpx2

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARNET_HUB_")}
    env["CARNET_HUB_DATA_DIR"] = str(tmp_path / "donnees")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        answer = None
        while time.monotonic() < deadline:
            try:
                answer = httpx2.get(
                    f"http://127.0.0.1:{port}/api/v1/sync/status", headers=PROTOCOL, timeout=1
                )
                break
            except httpx2.TransportError:
                time.sleep(0.1)
        assert answer is not None, "le hub n'a pas répondu"
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "token_invalid"
        assert len(answer.headers.get_list("date")) == 1
        assert answer.headers["x-carnet-epoch"]
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=20)
    assert f"Données : {tmp_path / 'donnees' / 'hub.db'}" in output
    assert (tmp_path / "donnees" / "hub.db").exists()


def test_the_hub_process_serves_with_start_up_objects_frozen_and_larger_young_passes(
    monkeypatch,
):
    """hub.server.serve_forever (``carnet-hub serve``, and the benchmarks' hub): what the
    start made is out of the collector's passes, and the young generation is collected in
    larger passes while it serves (app/collector.py); both undone when it stops."""
    import gc

    import uvicorn

    from app.collector import BULK_THRESHOLD
    from hub.server import serve_forever, uvicorn_config

    seen = {}

    def run(self, sockets=None):
        seen["threshold"] = gc.get_threshold()[0]
        seen["frozen"] = gc.get_freeze_count()

    monkeypatch.setattr(uvicorn.Server, "run", run)
    before = gc.get_threshold()
    try:
        serve_forever(uvicorn_config(object(), "127.0.0.1", free_port()))
    finally:
        gc.unfreeze()
    assert seen["threshold"] >= BULK_THRESHOLD and seen["frozen"] > 0
    assert gc.get_threshold() == before
