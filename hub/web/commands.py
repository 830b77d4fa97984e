"""``carnet-hub`` commands of the statistics side: accounts of the pages, partners' tokens,
rebuilding the aggregates or counting the sessions waiting for them."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
import time
from collections.abc import Callable
from typing import Any

from hub.config import Settings

PASSWORD_ENV = "CARNET_HUB_USER_PASSWORD"


def _fail(message: str) -> Any:
    from hub.cli import CliError

    return CliError(message)


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    from hub.cli import _print, _with_db
    from hub.org import OrgError, find_structure
    from hub.stats.territory import shared_territories
    from hub.web.auth import ROLES, AuthError, create_web_user, parse_territory

    password = os.environ.get(PASSWORD_ENV) or args.password
    if not password:
        if not sys.stdin.isatty():
            raise _fail(f"Mot de passe requis : utilisez --password ou la variable {PASSWORD_ENV}.")
        password = getpass.getpass("Mot de passe (10 caractères au moins) : ")
        if getpass.getpass("Confirmez : ") != password:
            raise _fail("Les deux mots de passe diffèrent ; rien n'a été créé.")

    def run(db: Any) -> int:
        try:
            territory = (
                parse_territory(args.territoire, shared_territories()) if args.territoire else None
            )
            with db.write() as s:
                ids = [find_structure(s, ref).id for ref in args.structure or []]
                create_web_user(
                    s, args.email, args.name or args.email, password, args.role, ids, territory
                )
        except (OrgError, AuthError) as exc:
            raise _fail(str(exc)) from exc
        _print(f"Compte créé : {args.email.strip().lower()} ({ROLES[args.role]})")
        return 0

    return int(_with_db(settings, run))


def cmd_partner_token(settings: Settings, args: argparse.Namespace) -> int:
    from hub.cli import _print, _with_db
    from hub.org import sha256_hex
    from hub.stats.territory import shared_territories
    from hub.web.auth import AuthError, parse_territory
    from hub.web.schema import PartnerToken

    try:
        level, code = (
            parse_territory(args.territoire, shared_territories())
            if args.territoire
            else ("hub", "")
        )
    except AuthError as exc:
        raise _fail(str(exc)) from exc
    token = secrets.token_urlsafe(32)

    def run(db: Any) -> int:
        with db.write() as s:
            s.add(
                PartnerToken(
                    name=args.name.strip(), token_hash=sha256_hex(token), level=level, code=code
                )
            )
        _print(f"Jeton créé pour « {args.name.strip()} » (affiché une seule fois) :")
        _print(token)
        _print("Utilisation : Authorization: Bearer <jeton> sur /partenaires/v1/indicateurs")
        return 0

    return int(_with_db(settings, run))


def cmd_rebuild(settings: Settings, args: argparse.Namespace) -> int:
    from hub.cli import _print, _with_db
    from hub.stats.maintain import rebuild

    def run(db: Any) -> int:
        with db.write() as s:
            counted = rebuild(s)
        _print(f"Agrégats recalculés à partir de {counted} séances.")
        return 0

    return int(_with_db(settings, run))


def cmd_drain(settings: Settings, args: argparse.Namespace) -> int:
    from hub.cli import _print, _with_db
    from hub.stats.maintain import backlog, drain

    def run(db: Any) -> int:
        started = time.perf_counter()
        counted = drain(db)
        elapsed = time.perf_counter() - started
        with db.session() as s:
            left, _oldest = backlog(s)
        _print(f"Séances comptées dans les statistiques : {counted} ({elapsed:.1f} s).")
        if left:
            _print(f"Reçues pendant ce temps, en attente : {left}.")
        return 0

    return int(_with_db(settings, run))


def add_commands(add: Callable[[str, str, Callable[..., int]], argparse.ArgumentParser]) -> None:
    p = add(
        "create-user",
        "créer un compte des pages (équipe, coordination, collectivité)",
        cmd_create_user,
    )
    p.add_argument("email")
    p.add_argument("--name", help="nom affiché")
    p.add_argument("--password", help=f"mot de passe (sinon demandé, ou {PASSWORD_ENV})")
    p.add_argument("--role", default="admin", choices=["admin", "coordinateur", "collectivite"])
    p.add_argument("--structure", action="append", help="structure suivie (coordinateur)")
    p.add_argument(
        "--territoire", help="commune:INSEE, epci:SIREN ou departement:CODE (collectivité)"
    )
    p = add(
        "partner-token", "créer un jeton d'accès en lecture pour un partenaire", cmd_partner_token
    )
    p.add_argument("name", help="nom du partenaire")
    p.add_argument("--territoire", help="limiter à un territoire (sinon tout le hub)")
    add(
        "rebuild-aggregates",
        "recalculer les agrégats statistiques à partir des séances",
        cmd_rebuild,
    )
    add(
        "drain-aggregates",
        "compter maintenant dans les statistiques les séances reçues qui attendent",
        cmd_drain,
    )
