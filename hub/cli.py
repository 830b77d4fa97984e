"""``carnet-hub``: run and operate a Carnet Hub (French output).

Every command accepts ``--data-dir`` (where the SQLite file and backups live; also
``CARNET_HUB_DATA_DIR``) and ``--database-url`` (also ``CARNET_HUB_DATABASE_URL``, e.g.
``postgresql+psycopg://carnet@localhost/carnet``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from hub import __version__
from hub.config import Settings
from hub.db import Database
from hub.migrate import DatabaseTooNewError, current_revision, upgrade
from hub.models import utcnow

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
PUBLIC_URL_ENV = "CARNET_HUB_PUBLIC_URL"
ADMIN_PASSWORD_ENV = "CARNET_HUB_ADMIN_PASSWORD"


class CliError(Exception):
    """A refused command: printed in French, exit code 1."""


def _print(text: str = "") -> None:
    print(text, flush=True)


def _when(value: dt.datetime | None, now: dt.datetime) -> str:
    """'il y a 3 h' — how long ago, in words an operator reads at a glance."""
    if value is None:
        return "jamais"
    seconds = int((now - value).total_seconds())
    if seconds < 0:
        return value.strftime("%d/%m/%Y %H:%M UTC")
    if seconds < 90:
        return "à l'instant"
    if seconds < 3600:
        return f"il y a {seconds // 60} min"
    if seconds < 48 * 3600:
        return f"il y a {seconds // 3600} h"
    return f"il y a {seconds // 86400} j"


def _database(settings: Settings, migrate: bool = True) -> Database:
    db = Database(settings.database_url)
    if migrate:
        try:
            upgrade(db.engine)
        except DatabaseTooNewError as exc:
            db.dispose()
            raise CliError(str(exc)) from exc
        _seed(db)
    return db


def _seed(db: Database) -> int:
    """A new hub's first catalogue: the sample training paths (once, on an empty catalogue)."""
    from hub.training import seed_catalogue

    with db.write() as s:
        return seed_catalogue(s)


# ---- commands -------------------------------------------------------------------------------
def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from hub.app import create_app
    from hub.server import serve_forever, uvicorn_config

    db = _database(settings)
    app = create_app(settings, database=db, migrate=False)
    _print(f"Carnet Hub {__version__} — « {settings.hub_name} »")
    _print(f"Données : {settings.describe_storage()}")
    _print(f"Adresse : http://{args.host}:{args.port}  (documentation de l'API : /docs)")
    _print("Arrêt : Ctrl+C")
    config = uvicorn_config(app, args.host, args.port, log_level=args.log_level)
    try:
        serve_forever(config)
    finally:
        db.dispose()
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    try:
        before = current_revision(db.engine)
        try:
            done = upgrade(db.engine)
        except DatabaseTooNewError as exc:
            raise CliError(str(exc)) from exc
        after = current_revision(db.engine)
        seeded = _seed(db)
    finally:
        db.dispose()
    if done:
        _print(f"Base mise à jour : {before or 'vide'} → {after}.")
    else:
        _print(f"Base déjà à jour (schéma {after}).")
    if seeded:
        _print(f"Catalogue de formation : {seeded} parcours d'exemple publiés.")
    _print(f"Données : {settings.describe_storage()}")
    return 0


def _with_db(settings: Settings, action: Callable[[Database], int]) -> int:
    db = _database(settings)
    try:
        return action(db)
    finally:
        db.dispose()


def cmd_create_admin(settings: Settings, args: argparse.Namespace) -> int:
    from hub.org import OrgError, create_user, find_structure

    password = os.environ.get(ADMIN_PASSWORD_ENV) or args.password
    if not password:
        if not sys.stdin.isatty():
            raise CliError(
                f"Mot de passe requis : utilisez --password ou la variable {ADMIN_PASSWORD_ENV}."
            )
        password = getpass.getpass("Mot de passe (10 caractères au moins) : ")
        if getpass.getpass("Confirmez : ") != password:
            raise CliError("Les deux mots de passe diffèrent ; rien n'a été créé.")

    def run(db: Database) -> int:
        try:
            with db.write() as s:
                ids = [find_structure(s, ref).id for ref in args.structure or []]
                user = create_user(s, args.email, args.name or args.email, password, args.role, ids)
                role = user.role
        except OrgError as exc:
            raise CliError(str(exc)) from exc
        label = "Administrateur" if role == "admin" else "Coordinateur"
        _print(f"{label} créé : {args.email.strip().lower()}")
        return 0

    return _with_db(settings, run)


def cmd_create_structure(settings: Settings, args: argparse.Namespace) -> int:
    from hub.org import OrgError, create_structure, find_structure

    def run(db: Database) -> int:
        try:
            with db.write() as s:
                parent = find_structure(s, args.parent).id if args.parent else None
                row = create_structure(s, args.name, args.kind, parent, args.siret, args.insee)
                sid = row.id
        except OrgError as exc:
            raise CliError(str(exc)) from exc
        _print(f"Structure créée : {args.name.strip()} ({args.kind})")
        _print(f"Identifiant : {sid}")
        return 0

    return _with_db(settings, run)


def cmd_create_mediator(settings: Settings, args: argparse.Namespace) -> int:
    from hub.org import OrgError, create_mediator, find_structure

    def run(db: Database) -> int:
        try:
            with db.write() as s:
                structure = find_structure(s, args.structure).id if args.structure else None
                row = create_mediator(s, args.name, structure, args.email)
                mid = row.id
        except OrgError as exc:
            raise CliError(str(exc)) from exc
        _print(f"Médiateur créé : {args.name.strip()}")
        _print(f"Identifiant : {mid}")
        _print(f"Pour inscrire son appareil : carnet-hub enrol-code {mid}")
        return 0

    return _with_db(settings, run)


def enrolment_uri(code: str, public_url: str | None) -> str:
    """What the QR code holds: the code, and the hub's address when it is known."""
    query = {"code": code}
    if public_url:
        query = {"hub": public_url, **query}
    return "carnet://inscription?" + urlencode(query)


def cmd_enrol_code(settings: Settings, args: argparse.Namespace) -> int:
    from hub.org import OrgError, find_mediator, issue_enrolment_code

    def run(db: Database) -> int:
        try:
            with db.write() as s:
                mediator = find_mediator(s, args.mediator)
                name = mediator.display_name
                code, row = issue_enrolment_code(s, mediator.id, int(args.hours * 3600))
                expires = row.expires_at
        except OrgError as exc:
            raise CliError(str(exc)) from exc
        _print(f"Code d'inscription pour {name} : {code}")
        _print(f"Valable une seule fois, jusqu'au {expires.strftime('%d/%m/%Y à %H:%M')} UTC.")
        public_url = args.hub_url or os.environ.get(PUBLIC_URL_ENV)
        if public_url:
            _print(f"Adresse du hub à saisir dans Carnet : {public_url}")
        if args.qr:
            import segno

            target = Path(args.qr).expanduser()
            qr = segno.make(enrolment_uri(code, public_url), error="m")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                qr.save(str(target), scale=8, border=4)
            except OSError as exc:
                raise CliError(
                    f"QR code non enregistré ({exc.strerror or exc}) ; le code ci-dessus reste "
                    "valable."
                ) from exc
            _print(f"QR code enregistré : {target}")
        return 0

    return _with_db(settings, run)


def cmd_devices(settings: Settings, args: argparse.Namespace) -> int:
    from hub.org import list_devices

    def run(db: Database) -> int:
        with db.session() as s:
            devices = list_devices(s)
        now = utcnow()
        if not devices:
            _print("Aucun appareil inscrit.")
            return 0
        _print(f"{'Appareil':<38} {'Médiateur':<24} {'Nom':<24} {'Dernier contact':<16} État")
        for d in devices:
            state = "révoqué" if d.revoked_at else "actif"
            _print(
                f"{d.device_id:<38} {d.mediator_name[:24]:<24} {d.device_name[:24]:<24} "
                f"{_when(d.last_seen_at, now):<16} {state}"
            )
        return 0

    return _with_db(settings, run)


def cmd_revoke(settings: Settings, args: argparse.Namespace) -> int:
    from hub.org import OrgError, revoke_device

    def run(db: Database) -> int:
        try:
            with db.write() as s:
                device = revoke_device(s, args.device)
                name, did = device.name, device.id
        except OrgError as exc:
            raise CliError(str(exc)) from exc
        _print(f"Appareil révoqué : {name} ({did}). Il ne peut plus se synchroniser ;")
        _print("ses données restent sur l'appareil. Un nouveau code permet de le réinscrire.")
        return 0

    return _with_db(settings, run)


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from hub.backup import BackupError, backup

    def run(db: Database) -> int:
        target = Path(args.file).expanduser()
        try:
            kind = backup(db, target)
        except (BackupError, OSError) as exc:
            raise CliError(f"Sauvegarde impossible : {exc}") from exc
        what = "copie de la base SQLite" if kind == "sqlite" else "export complet (JSON gzip)"
        _print(f"Sauvegarde écrite : {target} ({what}, {target.stat().st_size // 1024} Kio).")
        return 0

    return _with_db(settings, run)


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from hub.backup import BackupError, restore

    source = Path(args.file).expanduser()
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("La restauration remplace toutes les données du hub : ajoutez --oui.")
        answer = input(f"Remplacer toutes les données du hub par « {source} » ? Tapez « oui » : ")
        if answer.strip().lower() != "oui":
            _print("Restauration annulée ; rien n'a changé.")
            return 1
    db = Database(settings.database_url)
    try:
        epoch = restore(db, source)
    except (BackupError, OSError) as exc:
        raise CliError(f"Restauration impossible : {exc}") from exc
    finally:
        db.dispose()
    _print(f"Données restaurées depuis {source}.")
    _print(f"Nouvelle époque du hub : {epoch}.")
    _print("Les appareils vont le remarquer et renvoyer ce qui manque au hub.")
    return 0


def cmd_health(settings: Settings, args: argparse.Namespace) -> int:
    from hub.org import list_devices
    from hub.stats.maintain import backlog

    def run(db: Database) -> int:
        with db.session() as s:
            devices = list_devices(s)
            waiting, oldest = backlog(s)
        now = utcnow()
        active = [d for d in devices if d.revoked_at is None]
        stale = [
            d
            for d in active
            if d.last_seen_at is None or now - d.last_seen_at > dt.timedelta(days=7)
        ]
        conflicts: dict[str, int] = {d.mediator_id: d.pending_conflicts for d in devices}
        _print(f"Hub « {settings.hub_name} » — données : {settings.describe_storage()}")
        _print(
            f"Appareils : {len(active)} actifs, {len(devices) - len(active)} révoqués, "
            f"{len(stale)} sans contact depuis plus de 7 jours."
        )
        _print(f"Conflits en attente de vérification : {sum(conflicts.values())}")
        # Pushed sessions wait for the statistics' background drain (hub/stats/maintain.py).
        line = f"Séances reçues pas encore comptées dans les statistiques : {waiting}"
        if waiting:
            line += f" (la plus ancienne reçue {_when(oldest, now)})"
        _print(line)
        if active:
            _print("")
            _print(
                f"{'Médiateur':<24} {'Appareil':<24} {'Dernier contact':<16} "
                f"{'Dernier envoi':<16} Conflits"
            )
            for d in active:
                flag = "  ⚠" if d in stale else ""
                _print(
                    f"{d.mediator_name[:24]:<24} {d.device_name[:24]:<24} "
                    f"{_when(d.last_seen_at, now):<16} {_when(d.last_push_at, now):<16} "
                    f"{d.pending_conflicts}{flag}"
                )
        return 0

    return _with_db(settings, run)


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    from hub.pull import purge_tombstones

    def run(db: Database) -> int:
        with db.write() as s:
            count = purge_tombstones(s, args.days)
        _print(f"Suppressions purgées (reçues il y a plus de {args.days} jours) : {count}.")
        if count:
            _print("Les appareils restés hors ligne plus longtemps rechargeront tout au retour.")
        return 0

    return _with_db(settings, run)


# ---- parser ---------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    def storage_options(default: Any) -> argparse.ArgumentParser:
        options = argparse.ArgumentParser(add_help=False)
        options.add_argument(
            "--data-dir", default=default, help="dossier des données (base SQLite, sauvegardes)"
        )
        options.add_argument(
            "--database-url", default=default, help="base de données (sinon SQLite dans --data-dir)"
        )
        return options

    # Accepted before or after the command; after it, SUPPRESS keeps a value given before.
    common = storage_options(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="carnet-hub",
        description="Carnet Hub : le serveur régional de synchronisation de Carnet.",
        parents=[storage_options(None)],
    )
    parser.add_argument("--version", action="version", version=f"carnet-hub {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    def add(name: str, help_text: str, func: Callable[..., int]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(func=func)
        return p

    p = add("serve", "démarrer le hub", cmd_serve)
    p.add_argument("--host", default=DEFAULT_HOST, help=f"adresse d'écoute ({DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    p.add_argument("--log-level", default="info", choices=["warning", "info", "debug"])
    add("migrate", "créer ou mettre à jour la base de données", cmd_migrate)
    p = add("create-admin", "créer un compte administrateur (ou coordinateur)", cmd_create_admin)
    p.add_argument("email")
    p.add_argument("--name", help="nom affiché")
    p.add_argument("--password", help=f"mot de passe (sinon demandé, ou {ADMIN_PASSWORD_ENV})")
    p.add_argument("--role", default="admin", choices=["admin", "coordinateur"])
    p.add_argument("--structure", action="append", help="structure suivie (coordinateur)")
    p = add("create-structure", "créer une structure (employeur ou lieu)", cmd_create_structure)
    p.add_argument("name")
    p.add_argument("--kind", default="employeur", choices=["employeur", "lieu"])
    p.add_argument("--parent", help="structure parente (identifiant ou nom)")
    p.add_argument("--siret")
    p.add_argument("--insee", help="code INSEE de la commune")
    p = add("create-mediator", "créer un médiateur ou une médiatrice", cmd_create_mediator)
    p.add_argument("name")
    p.add_argument("--structure", help="structure employeuse (identifiant ou nom)")
    p.add_argument("--email")
    p = add("enrol-code", "émettre un code d'inscription à usage unique", cmd_enrol_code)
    p.add_argument("mediator", metavar="MEDIATEUR", help="identifiant, nom ou e-mail")
    p.add_argument("--qr", metavar="FICHIER.png", help="enregistrer aussi le QR code")
    p.add_argument("--hours", type=float, default=24.0, help="durée de validité (24 h)")
    p.add_argument("--hub-url", help=f"adresse publique du hub (ou {PUBLIC_URL_ENV})")
    add("devices", "lister les appareils inscrits", cmd_devices)
    p = add("revoke", "révoquer un appareil", cmd_revoke)
    p.add_argument("device", metavar="APPAREIL", help="identifiant (ou son début)")
    p = add("backup", "sauvegarder le hub dans un fichier", cmd_backup)
    p.add_argument("file", metavar="FICHIER")
    p = add("restore", "restaurer une sauvegarde (le hub change d'époque)", cmd_restore)
    p.add_argument("file", metavar="FICHIER")
    p.add_argument("--oui", dest="yes", action="store_true", help="ne pas demander confirmation")
    add("health", "état de la synchronisation : appareils, contacts, conflits", cmd_health)
    p = add("purge-tombstones", "purger les suppressions anciennes", cmd_purge)
    p.add_argument("--days", type=int, default=180, help="ancienneté minimale (180 jours)")
    from hub.training_cli import add_commands as add_training_commands

    add_training_commands(add)  # training paths: catalogue, proposals, reports
    from hub.web.commands import add_commands

    add_commands(add)  # accounts of the pages, partners' tokens, aggregates (hub/web)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings.from_env(data_dir=args.data_dir, database_url=args.database_url)
    func: Any = args.func
    try:
        return int(func(settings, args))
    except CliError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
