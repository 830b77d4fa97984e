"""The training path JSON format: seed files, checks with French messages, round trip."""

from __future__ import annotations

import copy
import json

import pytest

from app.models.training_format import (
    FORMAT_NAME,
    PathFormatError,
    path_from_json,
    path_to_json,
)
from app.paths import resource_path


def seed_path_files():
    return sorted(resource_path("resources", "data", "parcours").glob("*.json"))


def _seed(name: str) -> dict:
    path = next(p for p in seed_path_files() if p.name == name)
    return json.loads(path.read_text(encoding="utf-8"))


def test_seed_files_are_valid_and_cover_both_audiences():
    files = seed_path_files()
    specs = [path_from_json(json.loads(p.read_text(encoding="utf-8"))) for p in files]
    titles = {s.title for s in specs}
    assert {
        "Débuter avec un smartphone",
        "Faire ses démarches en ligne en sécurité",
        "Mon Espace Santé",
        "Devenir facilitateur numérique",
    } <= titles
    assert {s.audience for s in specs} == {"beneficiaires", "mediateurs"}
    module_ids = [m.id for s in specs for m in s.modules]
    assert len(module_ids) == len(set(module_ids)), "module ids are unique across the catalogue"
    for spec in specs:
        assert len(spec.modules) >= 5
        assert all(m.objective and m.competences and m.themes for m in spec.modules)


def test_round_trip_keeps_everything():
    data = _seed("mon-espace-sante.json")
    spec = path_from_json(data)
    assert path_to_json(spec) == data
    assert spec.modules[0].position == 1 and spec.modules[-1].position == len(spec.modules)


def test_problems_are_listed_in_french():
    data = _seed("debuter-smartphone.json")
    bad = copy.deepcopy(data)
    bad["audience"] = "tout le monde"
    bad["modules"][0]["competences"] = [{"code": "9.9", "target_level": 9}]
    bad["modules"][1]["expected_duration_min"] = 0
    bad["modules"][2]["id"] = bad["modules"][3]["id"]
    with pytest.raises(PathFormatError) as info:
        path_from_json(bad)
    problems = info.value.problems
    assert any("public" in p for p in problems)
    assert any("compétence inconnue « 9.9 »" in p for p in problems)
    assert any("entre 1 et 8" in p for p in problems)
    assert any("Module 2" in p and "durée" in p for p in problems)
    assert any("en double" in p for p in problems)


def test_not_a_path_and_newer_format_are_refused_clearly():
    with pytest.raises(PathFormatError, match="pas un parcours"):
        path_from_json(["nope"])
    with pytest.raises(PathFormatError, match="pas un parcours"):
        path_from_json({"format": "autre.chose", "modules": []})
    newer = _seed("mon-espace-sante.json") | {"format_version": 2}
    with pytest.raises(PathFormatError, match="plus récente"):
        path_from_json(newer)
    with pytest.raises(PathFormatError, match="modules"):
        path_from_json({"format": FORMAT_NAME, "title": "x", "audience": "mediateurs"})


def test_lenient_check_keeps_a_theme_code_from_a_newer_list():
    data = _seed("mon-espace-sante.json")
    data["modules"][0]["themes"] = ["sante", "theme_de_2027"]
    with pytest.raises(PathFormatError, match="thématique inconnue"):
        path_from_json(data, strict=True)
    spec = path_from_json(data, strict=False)
    assert spec.modules[0].themes == ("sante", "theme_de_2027")
