"""The shipped commune list, its search, and the script that rebuilds it."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import json
import shutil
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path
from types import ModuleType

import pytest

from app.models.communes import (
    Commune,
    CommuneDataError,
    CommuneIndex,
    label,
    matching_postal_code,
    normalize,
)
from app.paths import resource_path

DATA_DIR = resource_path("resources", "data")
BUILD_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_communes.py"
SHIPPED = ("communes.tsv.gz", "territoires.tsv.gz")
HAUTS_DE_FRANCE = {"02": "Aisne", "59": "Nord", "60": "Oise", "62": "Pas-de-Calais", "80": "Somme"}


@pytest.fixture(scope="module")
def index() -> CommuneIndex:
    return CommuneIndex().load()


def names(results: list[Commune]) -> list[str]:
    return [c.name for c in results]


def load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_communes", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------- the file


def test_nothing_is_read_before_first_use():
    fresh = CommuneIndex()
    assert not fresh.loaded
    assert fresh.search("lille")[0].insee == "59350"
    assert fresh.loaded


def test_load_time_is_sane():
    # A sanity bound only (the figure itself is measured in bench/).
    started = time.perf_counter()
    CommuneIndex().load()
    assert time.perf_counter() - started < 2.0


def test_the_file_holds_every_current_commune(index):
    assert 34_500 <= len(index) <= 35_500
    communes = index.all()
    assert [c.insee for c in communes] == sorted(c.insee for c in communes)
    assert len({c.insee for c in communes}) == len(communes)
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert f"{len(index)} communes actuelles" in readme


def test_every_hauts_de_france_departement_is_there(index):
    assert index.region_name("32") == "Hauts-de-France"
    communes = index.all()
    for code, name in HAUTS_DE_FRANCE.items():
        assert index.departement_name(code) == name
        assert index.departement_region(code) == "32"
        in_dep = [c for c in communes if c.departement == code]
        assert len(in_dep) > 300, code
        assert all(c.region == "32" for c in in_dep)
        assert all(c.postal_codes and c.epci for c in in_dep)


def test_every_code_points_at_a_known_territory(index):
    for c in index.all():
        assert index.departement_name(c.departement), c
        assert index.region_name(c.region), c
        assert index.departement_region(c.departement) == c.region, c
        if c.epci is not None:
            assert c.epci_name == index.epci_name(c.epci), c
    assert len(index.departements()) == 109
    assert "2A" in index.departements() and "976" in index.departements()
    assert len(index.regions()) >= 18


def test_a_commune_carries_its_territories(index):
    lille = index.get("59350")
    assert lille is not None
    assert lille.name == "Lille"
    assert "59000" in lille.postal_codes and "59160" in lille.postal_codes
    assert lille.epci == "200093201"
    assert lille.epci_name == "Métropole Européenne de Lille"
    assert (lille.departement, lille.region) == ("59", "32")
    assert lille.population is not None and lille.population > 200_000
    assert "Lomme" in lille.attached_names
    assert index.get("59350") is lille  # built once, then shared


def test_shipped_files_match_their_recorded_checksums():
    # Any change to the data must go through the build script, which rewrites SHA256SUMS.
    recorded = {}
    for line in (DATA_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        recorded[name] = digest
    assert set(recorded) == set(SHIPPED)
    for name in SHIPPED:
        assert hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest() == recorded[name]


# ------------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    "query",
    [
        "saint etienne",
        "Saint-Étienne",
        "SAINT-ETIENNE",
        "st etienne",
        "St-Étienne",
        "etienne saint",
    ],
)
def test_name_search_ignores_accents_case_hyphens_and_abbreviations(index, query):
    assert index.search(query)[0].insee == "42218"


def test_apostrophes_and_ligatures_do_not_matter(index):
    assert index.search("l'hay les roses")[0].name == "L'Haÿ-les-Roses"
    assert index.search("lhay")[0].name == "L'Haÿ-les-Roses"
    assert index.search("coeuvres")[0].name == "Cœuvres-et-Valsery"
    assert index.search("Cœuvres")[0].name == "Cœuvres-et-Valsery"


def test_exact_name_then_prefix_then_word_then_substring(index):
    results = index.search("lille", limit=50)
    assert results[0].name == "Lille"
    assert results[1].name == "Lillers"  # the larger of the prefix matches

    def tier(c: Commune) -> int:
        key = normalize(c.name)
        if key.replace(" ", "") == "lille":
            return 0
        if key.replace(" ", "").startswith("lille"):
            return 1
        if f" {key}".find(" lille") >= 0:
            return 2
        assert "lille" in key.replace(" ", "")
        return 3

    tiers = [tier(c) for c in results]
    assert tiers == sorted(tiers)
    assert {1, 2, 3} <= set(tiers)
    prefix = [c.population or 0 for c in results if tier(c) == 1]
    assert prefix == sorted(prefix, reverse=True)


def test_a_one_letter_name_is_found_first(index):
    assert index.search("y")[0].insee == "80829"  # the commune of Y (Somme)


def test_st_alone_can_still_be_the_start_of_a_name(index):
    found = names(index.search("st", limit=5))
    assert "Strasbourg" in found and "Saint-Étienne" in found


def test_attached_commune_names_find_the_current_commune(index):
    assert index.search("Lomme")[0].insee == "59350"
    assert index.search("hellemmes")[0].insee == "59350"


def test_postal_code_exact_and_prefix(index):
    assert index.search("59000")[0].insee == "59350"
    assert index.search("59 000")[0].insee == "59350"
    results = index.search("62", limit=30)
    assert len(results) == 30
    assert all(any(p.startswith("62") for p in c.postal_codes) for c in results)
    populations = [c.population or 0 for c in results]
    assert populations == sorted(populations, reverse=True)


def test_a_postal_code_shows_in_the_label(index):
    paris = index.search("75011")[0]
    assert paris.insee == "75056"
    assert label(paris) == "Paris (75001)"
    assert matching_postal_code(paris, "75011") == "75011"
    assert label(paris, matching_postal_code(paris, "75011")) == "Paris (75011)"
    assert matching_postal_code(paris, "lille") is None
    kerguelen = index.get("98412")
    assert kerguelen is not None and kerguelen.postal_codes == ()
    assert label(kerguelen) == "Archipel des Kerguelen"


def test_insee_code_search(index):
    # 59350 is Lille's INSEE code and also a postal code: the postal code comes first.
    results = index.search("59350")
    assert "59350" in results[0].postal_codes
    assert "Lille" in [c.name for c in results[:3]]
    assert index.search("2A004")[0].name == "Ajaccio"
    assert index.search("2a004")[0].name == "Ajaccio"
    assert index.get("2a004") == index.get("2A004")
    assert index.get("99999") is None


def test_name_and_code_together(index):
    results = index.search("saint denis 93")
    assert results[0].insee == "93066"
    assert all(any(p.startswith("93") for p in c.postal_codes) for c in results)
    assert index.search("Lille (59000)")[0].insee == "59350"  # a label typed back


@pytest.mark.parametrize("query", ["", "   ", "xyzzy", "-'", "lille 13", "00000"])
def test_no_match_gives_an_empty_list(index, query):
    assert index.search(query) == []


def test_limit(index):
    assert len(index.search("saint", limit=7)) == 7
    assert index.search("lille", limit=0) == []


def test_normalize():
    assert normalize("Saint-Étienne") == "saint etienne"
    assert normalize("  L'Haÿ-les-Roses ") == "l hay les roses"
    assert normalize("Œuilly") == "oeuilly"


def test_concurrent_first_use_gives_the_same_answers():
    fresh = CommuneIndex()
    results: list[list[Commune]] = []
    threads = [
        threading.Thread(target=lambda: results.append(fresh.search("nord"))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r == results[0] and r for r in results)


# ------------------------------------------------------------------------------- bad files


def test_missing_or_damaged_file_gives_a_french_message(tmp_path):
    with pytest.raises(CommuneDataError) as missing:
        CommuneIndex(tmp_path).load()
    assert "réinstallez Carnet" in missing.value.message
    shutil.copy(DATA_DIR / "territoires.tsv.gz", tmp_path)
    (tmp_path / "communes.tsv.gz").write_bytes(b"pas un gzip")
    with pytest.raises(CommuneDataError) as damaged:
        CommuneIndex(tmp_path).search("lille")
    assert "illisible" in damaged.value.message
    (tmp_path / "communes.tsv.gz").write_bytes(gzip.compress(b"code\tnom\n"))
    with pytest.raises(CommuneDataError) as wrong:
        CommuneIndex(tmp_path).load()
    assert "format attendu" in wrong.value.message


# ------------------------------------------------------------------------------- build script


def _fake_package(path: Path, version: str) -> Path:
    """A tiny archive shaped like the npm package, with made-up communes."""
    communes = [
        {"code": "99002", "nom": "Bourg-Neuf", "type": "commune-actuelle", "departement": "99",
         "region": "98", "codesPostaux": ["99200", "99100"], "population": 1200},
        {"code": "99001", "nom": "Saint-Aubin", "type": "commune-actuelle", "departement": "99",
         "region": "98", "codesPostaux": ["99100"], "population": 300},
        {"code": "99003", "nom": "Île-Perdue", "type": "commune-actuelle", "departement": "99",
         "region": "98"},
        {"code": "99004", "nom": "Vieux-Bourg", "type": "commune-deleguee", "departement": "99",
         "region": "98", "chefLieu": "99002"},
        {"code": "99005", "nom": "Bourg-Neuf", "type": "commune-deleguee", "departement": "99",
         "region": "98", "chefLieu": "99002"},
        {"code": "99101", "nom": "Bourg-Neuf 1er", "type": "arrondissement-municipal",
         "departement": "99", "region": "98", "codesPostaux": ["99201"]},
    ]  # fmt: skip
    members = {
        "package/package.json": {"name": "@etalab/decoupage-administratif", "version": version},
        "package/LICENSE": "MIT License\n\nCopyright (c) Etalab\n",
        "package/data/communes.json": communes,
        "package/data/epci.json": [
            {
                "code": "200000001",
                "nom": "CC du Test",
                "membres": [{"code": "99001"}, {"code": "99002"}],
            }
        ],
        "package/data/departements.json": [{"code": "99", "nom": "Essai", "region": "98"}],
        "package/data/regions.json": [{"code": "98", "nom": "Région d'essai"}],
    }
    tarball = path / "package.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        for name, content in members.items():
            raw = (content if isinstance(content, str) else json.dumps(content)).encode()
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return tarball


def test_build_script_filters_sorts_and_is_deterministic(tmp_path, capsys):
    build = load_build_script()
    tarball = _fake_package(tmp_path, "0.0.0-essai")
    assert build.main(["--tarball", str(tarball), "--out", str(tmp_path / "a")]) == 0
    assert build.main(["--tarball", str(tarball), "--out", str(tmp_path / "b")]) == 0
    for name in (*SHIPPED, "SHA256SUMS", "README.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    lines = gzip.decompress((tmp_path / "a" / "communes.tsv.gz").read_bytes()).decode().splitlines()
    assert lines == [
        "insee\tnom\tcodes_postaux\tepci\tdepartement\tregion\tpopulation\tnoms_rattaches",
        "99001\tSaint-Aubin\t99100\t200000001\t99\t98\t300\t",
        "99002\tBourg-Neuf\t99100 99200\t200000001\t99\t98\t1200\tVieux-Bourg",
        "99003\tÎle-Perdue\t\t\t99\t98\t\t",
    ]
    built = CommuneIndex(tmp_path / "a")
    assert names(built.search("99100")) == ["Bourg-Neuf", "Saint-Aubin"]
    assert names(built.search("vieux bourg")) == ["Bourg-Neuf"]
    assert built.get("99003") == Commune("99003", "Île-Perdue", (), None, None, "99", "98")
    assert built.departement_name("99") == "Essai"
    licence = (tmp_path / "a" / "LICENCE-communes.txt").read_text(encoding="utf-8")
    assert "0.0.0-essai" in licence and "Copyright (c) Etalab" in licence


def test_build_script_refuses_an_archive_that_is_not_the_pinned_one(tmp_path, capsys):
    build = load_build_script()
    tarball = _fake_package(tmp_path, build.PACKAGE_VERSION)
    assert build.main(["--tarball", str(tarball), "--out", str(tmp_path / "out")]) == 1
    assert "Empreinte inattendue" in capsys.readouterr().err
    assert not (tmp_path / "out" / "communes.tsv.gz").exists()


def _npm_registry_reachable() -> str | None:
    """Why the rebuild test cannot run here, or None if it can."""
    npm = shutil.which("npm")
    if npm is None:
        return "npm n'est pas installé"
    build = load_build_script()
    try:
        proc = subprocess.run(
            [npm, "view", f"{build.PACKAGE}@{build.PACKAGE_VERSION}", "version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "le registre npm ne répond pas"
    if proc.returncode != 0 or proc.stdout.strip() != build.PACKAGE_VERSION:
        return f"registre npm injoignable : {proc.stderr.strip()[:200]}"
    return None


@pytest.mark.network
def test_rebuild_from_npm_is_byte_identical(tmp_path):
    reason = _npm_registry_reachable()
    if reason:
        pytest.skip(reason)
    proc = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for name in SHIPPED:
        rebuilt, shipped = (tmp_path / name).read_bytes(), (DATA_DIR / name).read_bytes()
        # Content first (the meaningful check), then bytes (same zlib → same stream).
        assert gzip.decompress(rebuilt) == gzip.decompress(shipped), name
        assert rebuilt == shipped, name
    for name in ("SHA256SUMS", "README.md"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name

    def without_date(path: Path) -> list[str]:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [line for line in lines if "construit le" not in line]

    licence = "LICENCE-communes.txt"
    assert without_date(tmp_path / licence) == without_date(DATA_DIR / licence)


def test_exact_postal_code_ranks_before_a_same_insee_code(index):
    results = index.search("59100")
    assert results[0].name == "Roubaix"
    assert any(c.insee == "59100" for c in results)


# ------------------------------------------------------------------------------- compact index


@pytest.fixture(scope="module")
def file_rows() -> list[list[str]]:
    """The rows of the shipped file, read directly (the eager way)."""
    text = gzip.decompress((DATA_DIR / "communes.tsv.gz").read_bytes()).decode("utf-8")
    return [line.split("\t") for line in text.splitlines()[1:]]


def test_communes_built_on_demand_equal_the_file_rows(index, file_rows):
    territories = gzip.decompress((DATA_DIR / "territoires.tsv.gz").read_bytes()).decode("utf-8")
    epci_names = {
        code: name
        for level, code, name, _ in (line.split("\t") for line in territories.splitlines()[1:])
        if level == "epci"
    }
    expected = [
        Commune(
            insee=insee,
            name=name,
            postal_codes=tuple(postal.split()),
            epci=epci or None,
            epci_name=epci_names[epci] if epci else None,
            departement=dep,
            region=reg,
            population=int(pop) if pop else None,
            attached_names=tuple(attached.split("|")) if attached else (),
        )
        for insee, name, postal, epci, dep, reg, pop, attached in file_rows
    ]
    assert index.all() == expected
    assert [index.get(c.insee) for c in expected[::997]] == expected[::997]


@pytest.fixture(scope="module")
def name_keys(file_rows) -> list[list[tuple[int, str]]]:
    """Per row: (0, its normalised name), then (1, each normalised attached name)."""
    return [
        [(0, normalize(name))] + [(1, normalize(a)) for a in attached.split("|") if attached]
        for _, name, *_, attached in file_rows
    ]


def _reference_ranking(file_rows, keys, words: list[str]) -> list[str]:
    """INSEE codes of the communes matching ``words``, best first, by the documented rules
    applied naively to every name: tier 0 exact, 1 prefix, 2 every word a word prefix,
    3 substring (from 3 letters); rank 2 × tier, + 1 for an attached name; "st"/"ste" also
    spelled out; ties by larger population, then name, then file order."""
    variants = [words, [{"st": "saint", "ste": "sainte"}.get(w, w) for w in words]]
    found = []
    for row, (fields, row_keys) in enumerate(zip(file_rows, keys, strict=True)):
        ranks = []
        for attached, key in row_keys:
            compact, spaced = key.replace(" ", ""), " " + key
            for tokens in variants:
                whole = "".join(tokens)
                if compact == whole:
                    ranks.append(attached)
                elif compact.startswith(whole):
                    ranks.append(2 + attached)
                elif all(f" {t}" in spaced for t in tokens):
                    ranks.append(4 + attached)
                elif len(whole) >= 3 and whole in compact:
                    ranks.append(6 + attached)
        if ranks:
            found.append((min(ranks), -int(fields[6] or 0), fields[1], row))
    return [file_rows[row][0] for *_, row in sorted(found)]


@pytest.mark.parametrize(
    "query",
    ["lille", "saint etienne", "st etienne", "st", "ste", "a", "la", "e", "sur mer", "mont",
     "sai", "y", "lomme", "hellemmes lille", "en campagne", "de la", "val d", "lhay", "xyzzy"],
)  # fmt: skip
def test_ranking_matches_the_documented_rules(index, file_rows, name_keys, query):
    expected = _reference_ranking(file_rows, name_keys, normalize(query).split())
    for limit in (1, 12, 200):
        assert [c.insee for c in index.search(query, limit)] == expected[:limit], limit


def test_words_of_one_query_must_match_the_same_attached_name(index):
    # Petit-Caux has both "Intraville" and "Saint-Martin-en-Campagne" attached.
    assert index.search("intraville")[0].insee == "76618"
    assert index.search("martin en campagne")[0].insee == "76618"
    assert all(c.insee != "76618" for c in index.search("intra campa", limit=100))


def test_a_name_and_a_code_filter_each_other(index):
    found = {c.insee for c in index.search("saint 62", limit=1000)}
    assert len(found) > 40
    assert found == {
        c.insee
        for c in index.all()
        if any(p.startswith("62") for p in c.postal_codes)
        and any("saint" in normalize(n).replace(" ", "") for n in (c.name, *c.attached_names))
    }
    assert index.search("lille 75") == []


def _write_communes(path: Path, body: str | bytes) -> CommuneIndex:
    shutil.copy(DATA_DIR / "territoires.tsv.gz", path)
    header = b"insee\tnom\tcodes_postaux\tepci\tdepartement\tregion\tpopulation\tnoms_rattaches\n"
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    (path / "communes.tsv.gz").write_bytes(gzip.compress(header + raw))
    return CommuneIndex(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("59350\tLille\t59000\t\t59\t32\t1\n", "format attendu"),  # 7 fields
        ("59350\tLille\t59000\t\t59\t32\t1\t\t\n", "format attendu"),  # 9 fields
        ("59350\tLille\t59000\t\t59\t32\t1\t\n\n", "format attendu"),  # blank line
        ("5935\tLille\t59000\t\t59\t32\t1\t\n", "format attendu"),  # INSEE code
        ("59350\tLille\t5900\t\t59\t32\t1\t\n", "format attendu"),  # postal code
        ("59350\tLille\t59000  59160\t\t59\t32\t1\t\n", "format attendu"),  # two spaces
        ("59350\tLille\t 59000\t\t59\t32\t1\t\n", "format attendu"),  # leading space
        ("59350\tLille\t59000\x0b59160\t\t59\t32\t1\t\n", "format attendu"),  # not a space
        ("59350\tLille\t59000\t\t59\t32\tbeaucoup\t\n", "format attendu"),  # population
        (b"59350\tLi\xffle\t59000\t\t59\t32\t1\t\n", "illisible"),  # not UTF-8
    ],
)
def test_a_malformed_row_gives_a_french_message(tmp_path, body, message):
    with pytest.raises(CommuneDataError) as error:
        _write_communes(tmp_path, body).load()
    assert message in error.value.message
    assert "réinstallez Carnet" in error.value.message


def test_a_small_file_without_final_newline_or_rows(tmp_path):
    (tmp_path / "a").mkdir()
    index = _write_communes(tmp_path / "a", "59350\tLille\t59000 59160\t\t59\t32\t\tLomme")
    assert len(index) == 1
    assert index.get("59350") == Commune(
        "59350", "Lille", ("59000", "59160"), None, None, "59", "32", None, ("Lomme",)
    )
    assert names(index.search("lomme")) == names(index.search("59160")) == ["Lille"]
    (tmp_path / "b").mkdir()
    empty = _write_communes(tmp_path / "b", "")
    assert len(empty) == 0 and empty.search("lille") == [] and empty.search("59") == []


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmRSS is read from /proc")
def test_the_loaded_index_is_small_in_memory():
    # Budget of the desktop app: the preloaded index may add at most 12 MB (it took 42 MB
    # when every commune was an object with its search keys).
    script = (
        "import gc\n"
        "from app.models.communes import CommuneIndex\n"
        "def rss():\n"
        "    with open('/proc/self/status') as status:\n"
        "        return next(int(l.split()[1]) for l in status if l.startswith('VmRSS:'))\n"
        "index = CommuneIndex()\n"
        "gc.collect()\n"
        "before = rss()\n"
        "index.load()\n"
        "gc.collect()\n"
        "print((rss() - before) / 1024)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=BUILD_SCRIPT.parents[1],
        timeout=120,
        check=True,
    )
    assert float(proc.stdout) <= 12.0
