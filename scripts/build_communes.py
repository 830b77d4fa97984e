#!/usr/bin/env python3
"""Rebuild the offline commune list shipped in ``resources/data`` from the official geographic code.

Source: the npm package ``@etalab/decoupage-administratif`` (INSEE's Code officiel géographique,
DGCL's EPCI list, La Poste's postal codes, INSEE's legal populations), fetched with ``npm pack``
at a pinned version so that a rebuild is byte-identical. Usage::

    .venv/bin/python scripts/build_communes.py              # fetch with npm, write resources/data
    .venv/bin/python scripts/build_communes.py --tarball etalab-decoupage-administratif-6.0.0.tgz
    .venv/bin/python scripts/build_communes.py --out /tmp/communes   # write elsewhere

Outputs (see ``resources/data/README.md``): ``communes.tsv.gz``, ``territoires.tsv.gz``,
``SHA256SUMS``, ``LICENCE-communes.txt`` and ``README.md``. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

PACKAGE = "@etalab/decoupage-administratif"
# Pinned so that a rebuild is reproducible; bump both to take a newer millésime.
PACKAGE_VERSION = "6.0.0"
PACKAGE_INTEGRITY = "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="

COMMUNES_FILE = "communes.tsv.gz"
TERRITOIRES_FILE = "territoires.tsv.gz"
CHECKSUMS_FILE = "SHA256SUMS"
LICENCE_FILE = "LICENCE-communes.txt"
README_FILE = "README.md"

COMMUNES_COLUMNS = (
    "insee",
    "nom",
    "codes_postaux",
    "epci",
    "departement",
    "region",
    "population",
    "noms_rattaches",
)
TERRITOIRES_COLUMNS = ("niveau", "code", "nom", "region")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "resources" / "data"


class BuildError(Exception):
    pass


def fetch_tarball(version: str, dest: Path) -> Path:
    """``npm pack`` the package into ``dest`` and return the archive's path."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm est introuvable : installez Node.js/npm ou passez --tarball.")
    proc = subprocess.run(
        [npm, "pack", f"{PACKAGE}@{version}", "--json", "--pack-destination", str(dest)],
        cwd=dest,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        raise BuildError(f"npm pack a échoué :\n{proc.stderr.strip()}")
    return dest / json.loads(proc.stdout)[0]["filename"]


def check_integrity(tarball: Path, version: str) -> None:
    """At the pinned version, the archive must be the one whose hash is recorded above."""
    if version != PACKAGE_VERSION:
        return
    digest = hashlib.sha512(tarball.read_bytes()).digest()
    integrity = "sha512-" + base64.b64encode(digest).decode("ascii")
    if integrity != PACKAGE_INTEGRITY:
        raise BuildError(f"Empreinte inattendue pour {PACKAGE}@{version} : {integrity}")


def read_package(tarball: Path) -> dict[str, Any]:
    """Read the needed members straight from the archive (nothing is extracted to disk)."""
    wanted = {
        "package/package.json": "package",
        "package/LICENSE": "license",
        "package/data/communes.json": "communes",
        "package/data/epci.json": "epci",
        "package/data/departements.json": "departements",
        "package/data/regions.json": "regions",
    }
    found: dict[str, Any] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            key = wanted.get(member.name)
            if key is None or not member.isfile():
                continue
            stream = tar.extractfile(member)
            assert stream is not None
            raw = stream.read().decode("utf-8")
            found[key] = raw if key == "license" else json.loads(raw)
    missing = sorted(set(wanted.values()) - set(found))
    if missing:
        raise BuildError(f"Fichiers absents du paquet : {', '.join(missing)}")
    return found


def _fold(text: str) -> str:
    """Accent- and case-insensitive form, only used to drop duplicate attached names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def _check_field(value: str) -> str:
    if any(ch in value for ch in "\t\n\r|"):
        raise BuildError(f"Caractère interdit dans un champ : {value!r}")
    return value


def build_rows(data: dict[str, Any]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Return (commune rows, territory rows), both sorted, as tuples of strings."""
    all_communes: list[dict[str, Any]] = data["communes"]
    communes = [c for c in all_communes if c["type"] == "commune-actuelle"]

    epci_of: dict[str, str] = {}
    for epci in data["epci"]:
        for member in epci["membres"]:
            if member["code"] in epci_of:
                raise BuildError(f"Commune {member['code']} dans deux EPCI")
            epci_of[member["code"]] = epci["code"]

    # Communes déléguées and associées keep their own name on the ground ("Lomme", "Hellemmes"
    # for Lille): people still say them, so the search finds the current commune through them.
    attached: dict[str, set[str]] = defaultdict(set)
    for c in all_communes:
        if c["type"] in ("commune-deleguee", "commune-associee") and c.get("chefLieu"):
            attached[c["chefLieu"]].add(c["nom"])

    rows: list[tuple[str, ...]] = []
    for c in communes:
        own = _fold(c["nom"])
        names = sorted(n for n in attached.get(c["code"], ()) if _fold(n) != own)
        population = c.get("population")
        rows.append(
            (
                _check_field(c["code"]),
                _check_field(c["nom"]),
                " ".join(sorted(set(c.get("codesPostaux", ())))),
                epci_of.get(c["code"], ""),
                _check_field(c["departement"]),
                _check_field(c["region"]),
                "" if population is None else str(int(population)),
                "|".join(_check_field(n) for n in names),
            )
        )
    rows.sort()
    if len({r[0] for r in rows}) != len(rows):
        raise BuildError("Code INSEE en double")

    territories: list[tuple[str, ...]] = []
    for r in data["regions"]:
        territories.append(("region", r["code"], _check_field(r["nom"]), ""))
    for d in data["departements"]:
        territories.append(("departement", d["code"], _check_field(d["nom"]), d["region"]))
    for e in data["epci"]:
        territories.append(("epci", e["code"], _check_field(e["nom"]), ""))
    territories.sort()
    return rows, territories


def tsv_gz(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    """A gzip TSV with a header line; mtime 0 and no file name, so equal input → equal bytes."""
    lines = ["\t".join(columns)] + ["\t".join(row) for row in rows]
    text = "\n".join(lines) + "\n"
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def build_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return when.date().isoformat()


def licence_text(version: str, mit_text: str, date: str) -> str:
    return f"""Liste des communes de Carnet (communes.tsv.gz, territoires.tsv.gz)
=====================================================================

Source : paquet npm {PACKAGE} version {version}
(https://github.com/datagouv/decoupage-administratif), construit le {date}
par scripts/build_communes.py.

Le paquet assemble des données publiques :
- Code officiel géographique (COG) de l'INSEE : communes, départements, régions ;
- liste et composition des EPCI à fiscalité propre de la DGCL ;
- base officielle des codes postaux de La Poste ;
- populations légales de l'INSEE.

Données : Licence Ouverte / Open Licence (Etalab),
https://www.etalab.gouv.fr/licence-ouverte-open-licence
Mention de la source : INSEE, DGCL, La Poste, via {PACKAGE} {version}.

Code du paquet : licence MIT, dont voici le texte :

{mit_text.strip()}
"""


def readme_text(version: str, n_communes: int, n_territories: dict[str, int]) -> str:
    return f"""# Données de référence : communes et territoires

Fichiers produits par `scripts/build_communes.py` à partir du paquet npm `{PACKAGE}`
version **{version}** (Code officiel géographique de l'INSEE, EPCI de la DGCL, codes postaux
de La Poste). Ne pas les modifier à la main : les reconstruire.

| fichier | contenu |
|---|---|
| `{COMMUNES_FILE}` | {n_communes} communes actuelles (une par ligne, triées par code INSEE) |
| `{TERRITOIRES_FILE}` | noms des {n_territories["region"]} régions, {n_territories["departement"]} départements et {n_territories["epci"]} EPCI |
| `{CHECKSUMS_FILE}` | empreintes SHA-256 des deux fichiers ci-dessus (`sha256sum -c {CHECKSUMS_FILE}`) |
| `{LICENCE_FILE}` | source, version, licences (Licence Ouverte pour les données, MIT pour le paquet) |

Les deux fichiers sont du TSV UTF-8 compressé en gzip, avec une ligne d'en-tête.

`{COMMUNES_FILE}` : `{"`, `".join(COMMUNES_COLUMNS)}`
- `codes_postaux` : codes postaux séparés par une espace (Paris en a 21) ;
- `epci` : code SIREN de l'EPCI à fiscalité propre, vide pour les quelques communes hors EPCI
  (îles, collectivités d'outre-mer) ;
- `departement`, `region` : codes INSEE (`2A`, `971`, `32`…) ;
- `population` : population municipale légale, vide si inconnue ;
- `noms_rattaches` : noms des communes déléguées ou associées rattachées (séparés par `|`),
  pour retrouver « Lomme » ou « Hellemmes » dans Lille.

`{TERRITOIRES_FILE}` : `{"`, `".join(TERRITOIRES_COLUMNS)}` (`niveau` vaut `region`, `departement`
ou `epci` ; `region` n'est rempli que pour les départements).

Seules les communes de type « commune actuelle » sont gardées : ni les arrondissements
municipaux de Paris, Lyon et Marseille (la commune porte tous leurs codes postaux), ni les
communes déléguées ou associées (leur nom est dans `noms_rattaches`).

## Reconstruire

```bash
.venv/bin/python scripts/build_communes.py
```

Le script télécharge le paquet avec `npm pack` (Node.js et npm requis, ou `--tarball FICHIER.tgz`
hors ligne), vérifie son empreinte, puis réécrit ces fichiers. La version du paquet est figée
dans le script (`PACKAGE_VERSION`, `PACKAGE_INTEGRITY`) : à la même version, la reconstruction
donne des fichiers identiques octet pour octet (gzip sans date ni nom de fichier), ce que
vérifie `tests/models/test_communes.py`. Pour un nouveau millésime, changer ces deux constantes,
relancer le script et committer les fichiers régénérés.
"""


def write_outputs(out: Path, tarball: Path, date: str) -> dict[str, Any]:
    data = read_package(tarball)
    version = data["package"]["version"]
    check_integrity(tarball, version)
    rows, territories = build_rows(data)
    blobs = {
        COMMUNES_FILE: tsv_gz(COMMUNES_COLUMNS, rows),
        TERRITOIRES_FILE: tsv_gz(TERRITOIRES_COLUMNS, territories),
    }
    out.mkdir(parents=True, exist_ok=True)
    sums = []
    for name, blob in blobs.items():
        (out / name).write_bytes(blob)
        sums.append(f"{hashlib.sha256(blob).hexdigest()}  {name}\n")
    (out / CHECKSUMS_FILE).write_text("".join(sums), encoding="utf-8")
    (out / LICENCE_FILE).write_text(licence_text(version, data["license"], date), encoding="utf-8")
    counts = {
        level: sum(1 for t in territories if t[0] == level)
        for level in ("region", "departement", "epci")
    }
    (out / README_FILE).write_text(readme_text(version, len(rows), counts), encoding="utf-8")
    return {
        "version": version,
        "communes": len(rows),
        **counts,
        "bytes": {name: len(blob) for name, blob in blobs.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="dossier de sortie")
    parser.add_argument("--version", default=PACKAGE_VERSION, help="version du paquet npm")
    parser.add_argument("--tarball", type=Path, help="archive .tgz déjà téléchargée (hors ligne)")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="communes-") as tmp:
            tarball = args.tarball or fetch_tarball(args.version, Path(tmp))
            summary = write_outputs(args.out, tarball, build_date())
    except BuildError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
