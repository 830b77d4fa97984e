"""``carnet-hub paths …``: the training catalogue and its reports, for hub staff (French output).

carnet-hub paths list                      the catalogue and the mediators' proposals
carnet-hub paths import FICHIER [--publier]
carnet-hub paths export ID [--sortie FICHIER]
carnet-hub paths publish ID                publish a catalogue path or a proposal
carnet-hub paths withdraw ID               devices keep it (and its history), flagged
carnet-hub paths followers [--json]        which mediators followed which training
carnet-hub paths indicators [ID] [--niveau departement] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hub import training
from hub.config import Settings
from hub.db import Database

AddCommand = Callable[[str, str, Callable[..., int]], argparse.ArgumentParser]


def _out(text: str = "") -> None:
    print(text, flush=True)


def _run(settings: Settings, action: Callable[[Database], int]) -> int:
    from hub.cli import CliError, _with_db

    def guarded(db: Database) -> int:
        try:
            return action(db)
        except training.TrainingError as err:
            raise CliError(err.message) from err

    return _with_db(settings, guarded)


def _dump(data: Any) -> None:
    _out(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_paths(settings: Settings, args: argparse.Namespace) -> int:
    action = {
        "list": _list,
        "import": _import,
        "export": _export,
        "publish": _publish,
        "withdraw": _withdraw,
        "followers": _followers,
        "indicators": _indicators,
    }[args.action]
    return _run(settings, lambda db: action(db, args))


def _needs_id(args: argparse.Namespace) -> str:
    from hub.cli import CliError

    if not args.target:
        raise CliError(f"Précisez le parcours : carnet-hub paths {args.action} IDENTIFIANT.")
    return str(args.target)


def _list(db: Database, args: argparse.Namespace) -> int:
    with db.session() as s:
        entries = training.list_paths(s)
    if args.json:
        _dump([e.as_json() for e in entries])
        return 0
    if not entries:
        _out("Aucun parcours dans le catalogue, aucune proposition.")
        return 0
    _out(f"{'Identifiant':<38} {'Titre':<44} {'Public':<12} {'V.':>3}  État")
    for e in entries:
        state = training.STATE_LABELS[e.state]
        if e.proposed_by:
            state += (
                f" ({e.proposed_by})" if e.state == "propose" else f", proposé par {e.proposed_by}"
            )
        _out(f"{e.id:<38} {e.title[:44]:<44} {e.audience:<12} {e.version:>3}  {state}")
    return 0


def _import(db: Database, args: argparse.Namespace) -> int:
    from hub.cli import CliError

    source = Path(_needs_id(args)).expanduser()
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise CliError(f"Fichier illisible : {source} ({exc.strerror or exc}).") from exc
    data = training.decode_path_file(raw, str(source))
    with db.write() as s:
        row = training.import_path(s, data)
        if args.publish:
            training.publish_path(s, row.id)
        path_id, title, version = row.id, row.title, row.path_version
    _out(f"Parcours importé : {title} (version {version}).")
    _out(f"Identifiant : {path_id}")
    if args.publish:
        _out("Publié : les appareils le recevront à leur prochaine synchronisation.")
    else:
        _out(f"Pour le publier : carnet-hub paths publish {path_id}")
    return 0


def _export(db: Database, args: argparse.Namespace) -> int:
    from hub.cli import CliError

    with db.session() as s:
        data = training.export_path(s, _needs_id(args))
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if not args.output:
        sys.stdout.write(text)
        return 0
    target = Path(args.output).expanduser()
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"Fichier non écrit : {target} ({exc.strerror or exc}).") from exc
    _out(f"Parcours exporté : {target}")
    return 0


def _publish(db: Database, args: argparse.Namespace) -> int:
    with db.write() as s:
        row = training.publish_path(s, _needs_id(args))
        title, version = row.title, row.path_version
        snapshot = training.catalogue.current(s).version
    _out(f"Parcours publié : {title} (version {version}).")
    _out(f"Catalogue : version {snapshot} ; les appareils la recevront à leur prochaine synchro.")
    return 0


def _withdraw(db: Database, args: argparse.Namespace) -> int:
    with db.write() as s:
        row = training.withdraw_path(s, _needs_id(args))
        title = row.title
    _out(f"Parcours retiré du catalogue : {title}.")
    _out("Les appareils le gardent, marqué retiré : l'historique des personnes reste lisible,")
    _out("mais plus personne ne peut s'y inscrire.")
    return 0


def _followers(db: Database, args: argparse.Namespace) -> int:
    with db.session() as s:
        rows = training.followers(s)
    if args.json:
        _dump([r.as_json() for r in rows])
        return 0
    if not rows:
        _out("Aucun médiateur n'a encore suivi de formation enregistrée dans Carnet.")
        return 0
    _out(f"{'Médiateur':<24} {'Structure':<24} {'Formation':<40} {'Modules':>8}  État")
    for r in rows:
        done = f"{r.modules_done}/{r.modules_total or '?'}"
        status = training.FOLLOW_STATUS[r.status]
        if r.last_on:
            status += f" (dernière activité le {r.last_on.strftime('%d/%m/%Y')})"
        _out(
            f"{r.mediator_name[:24]:<24} {(r.structure or '—')[:24]:<24} "
            f"{r.path_title[:40]:<40} {done:>8}  {status}"
        )
    return 0


def _figure(value: Any) -> str:
    if value is None:
        return "s"  # secret
    if isinstance(value, float):
        return f"{value:.0%}" if value <= 1 else f"{value:.2f}"
    return str(value)


def _indicators(db: Database, args: argparse.Namespace) -> int:
    with db.snapshot() as s:
        data = training.indicators(s, args.level, args.target)
    if args.json:
        _dump(data)
        return 0
    if not data["paths"]:
        _out("Aucune progression enregistrée pour l'instant.")
        return 0
    _out(
        "Agrégats seulement ; « s » = masqué (moins de 5 personnes, ou déductible des autres "
        "chiffres)."
    )
    for path in data["paths"]:
        _out("")
        _out(f"{path['title']} — {training.audience_label(path['audience'])}")
        _out(
            f"  {'Territoire':<36} {'Pers.':>6} {'Groupes':>8} {'Commencé':>9} {'Terminé':>8} "
            f"{'Taux':>5} {'Évalués':>8} {'Progrès':>8} {'Gain moy.':>9}"
        )
        for row in path["rows"]:
            gain = row["mean_gain"]
            _out(
                f"  {row['name'][:36]:<36} {_figure(row['people']):>6} "
                f"{_figure(row['workshop_groups']):>8} {_figure(row['started']):>9} "
                f"{_figure(row['completed']):>8} {_figure(row['completion_rate']):>5} "
                f"{_figure(row['assessed']):>8} {_figure(row['improved']):>8} "
                f"{('s' if gain is None else f'{gain:+.2f}'):>9}"
            )
    return 0


def add_commands(add: AddCommand) -> None:
    p = add("paths", "parcours de formation : catalogue, propositions, rapports", cmd_paths)
    p.add_argument(
        "action",
        choices=["list", "import", "export", "publish", "withdraw", "followers", "indicators"],
        help="list | import FICHIER | export ID | publish ID | withdraw ID | followers | "
        "indicators",
    )
    p.add_argument("target", nargs="?", metavar="ID|FICHIER", help="parcours ou fichier")
    p.add_argument("--publier", dest="publish", action="store_true", help="import : publier")
    p.add_argument("--sortie", dest="output", metavar="FICHIER", help="export : fichier écrit")
    p.add_argument(
        "--niveau",
        dest="level",
        default="departement",
        choices=list(training.LEVELS),
        help="indicators : niveau de territoire (departement)",
    )
    p.add_argument("--json", action="store_true", help="sortie JSON")
