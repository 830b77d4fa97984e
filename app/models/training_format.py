"""The JSON format of a training path (docs/parcours-format.md), its checks and its plain objects.

One format everywhere: a seed file in ``resources/data/parcours/``, a file exported or imported by a
mediator, an entry of the hub's catalogue snapshot (``{"version", "paths": [...]}``) and the body
hub staff import. Qt-free and database-free, so that the hub validates with the same code.

``strict`` checking (a file a person chose, a path typed in the editor) refuses unknown national
codes; the lenient checking used for the hub's snapshot keeps a theme code this version of Carnet
does not know yet (the lists only grow: a newer hub may send a 2026 theme to an older app).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from app.models import referentiels as ref

FORMAT_NAME = "carnet.parcours"
FORMAT_VERSION = 1
AUDIENCES: dict[str, str] = {
    "beneficiaires": "Personnes accompagnées",
    "mediateurs": "Médiateurs et médiatrices",
}
LEVEL_MIN, LEVEL_MAX = 1, 8
TITLE_MAX = 200
DURATION_MAX_MIN = 23 * 60 + 59
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$")
_COMPETENCE_RE = re.compile(r"^[1-9]\.[1-9]$")


class PathFormatError(ValueError):
    """A path that does not follow the format; ``message`` is French and says what to fix."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or [message]


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    objective: str = ""
    expected_duration_min: int = 60
    themes: tuple[str, ...] = ()
    competences: tuple[tuple[str, int], ...] = ()  # (CRCN code, target level), by code
    id: str = ""  # empty: a new module, the service gives it an id
    position: int = 0

    @property
    def competence_targets(self) -> dict[str, int]:
        return dict(self.competences)


@dataclass(frozen=True)
class PathSpec:
    """A path as the catalogue holds it. ``origin``/``status``/``withdrawn`` describe the local
    copy; the file format carries only ``withdrawn`` (in a hub snapshot)."""

    title: str
    audience: str
    description: str = ""
    modules: tuple[ModuleSpec, ...] = ()
    id: str = ""
    version: int = 1
    origin: str = "local"
    status: str = "local_only"
    withdrawn: bool = False

    @property
    def total_duration_min(self) -> int:
        return sum(m.expected_duration_min for m in self.modules)

    @property
    def editable(self) -> bool:
        """Local paths can be edited until the hub publishes them (then the hub owns them)."""
        return self.origin == "local" and self.status != "published" and not self.withdrawn

    def module(self, module_id: str) -> ModuleSpec | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def competence_targets(self) -> dict[str, int]:
        """Highest target level of each competence over the path's modules."""
        targets: dict[str, int] = {}
        for module in self.modules:
            for code, level in module.competences:
                targets[code] = max(level, targets.get(code, 0))
        return targets


# ---- checks ----------------------------------------------------------------------------------


def path_problems(spec: PathSpec, strict: bool = True) -> list[str]:
    """French sentences, one per problem; empty when the path is valid."""
    problems: list[str] = []
    name = f"« {spec.title.strip()} »" if spec.title.strip() else "sans titre"
    if not spec.title.strip():
        problems.append("Le parcours doit avoir un titre.")
    elif len(spec.title) > TITLE_MAX:
        problems.append(f"Le titre du parcours {name} dépasse {TITLE_MAX} caractères.")
    if spec.id and not _ID_RE.match(spec.id):
        problems.append(
            f"L'identifiant du parcours {name} n'est pas valide (lettres, chiffres, « . », "
            "« - », « _ », 36 caractères au plus)."
        )
    if spec.audience not in AUDIENCES:
        problems.append(
            f"Le public du parcours {name} doit être « beneficiaires » ou « mediateurs »."
        )
    if not isinstance(spec.version, int) or spec.version < 1:
        problems.append(f"La version du parcours {name} doit être un entier positif.")
    if not spec.modules:
        problems.append(f"Le parcours {name} doit compter au moins un module.")
    seen_ids: set[str] = set()
    for index, module in enumerate(spec.modules, start=1):
        problems.extend(_module_problems(module, index, strict))
        if module.id:
            if module.id in seen_ids:
                problems.append(f"Module {index} : l'identifiant « {module.id} » est en double.")
            seen_ids.add(module.id)
    return problems


def _module_problems(module: ModuleSpec, index: int, strict: bool) -> list[str]:
    where = f"Module {index}"
    problems: list[str] = []
    if not module.title.strip():
        problems.append(f"{where} : le titre est obligatoire.")
    elif len(module.title) > TITLE_MAX:
        problems.append(f"{where} : le titre dépasse {TITLE_MAX} caractères.")
    if module.id and not _ID_RE.match(module.id):
        problems.append(f"{where} : l'identifiant « {module.id} » n'est pas valide.")
    duration = module.expected_duration_min
    if isinstance(duration, bool) or not isinstance(duration, int):
        problems.append(f"{where} : la durée prévue doit être un nombre de minutes.")
    elif not 1 <= duration <= DURATION_MAX_MIN:
        problems.append(f"{where} : la durée prévue doit être entre 1 minute et 23 h 59.")
    unknown_themes = [t for t in module.themes if t not in ref.THEMES]
    if strict and unknown_themes:
        problems.append(f"{where} : thématique inconnue : {', '.join(unknown_themes)}.")
    codes = [code for code, _ in module.competences]
    if len(set(codes)) != len(codes):
        problems.append(f"{where} : une compétence est citée deux fois.")
    for code, level in module.competences:
        known = code in ref.CRCN_COMPETENCES if strict else bool(_COMPETENCE_RE.match(code))
        if not known:
            problems.append(f"{where} : compétence inconnue « {code} » (attendu 1.1 à 5.2).")
        if isinstance(level, bool) or not isinstance(level, int):
            problems.append(f"{where} : le niveau visé de {code} doit être un entier de 1 à 8.")
        elif not LEVEL_MIN <= level <= LEVEL_MAX:
            problems.append(f"{where} : le niveau visé de {code} doit être entre 1 et 8.")
    return problems


def check_path(spec: PathSpec, strict: bool = True) -> PathSpec:
    problems = path_problems(spec, strict)
    if problems:
        raise PathFormatError(
            "Ce parcours ne peut pas être enregistré :\n• " + "\n• ".join(problems), problems
        )
    return spec


# ---- JSON ------------------------------------------------------------------------------------


def _text(data: dict[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None:
        raise PathFormatError(f"Le champ « {key} » manque.")
    if not isinstance(value, str):
        raise PathFormatError(f"Le champ « {key} » doit être un texte.")
    return value


def _module_from_json(data: Any, index: int) -> ModuleSpec:
    if not isinstance(data, dict):
        raise PathFormatError(f"Module {index} : un objet JSON est attendu.")
    themes = data.get("themes") or []
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        raise PathFormatError(f"Module {index} : « themes » doit être une liste de codes.")
    competences_raw = data.get("competences") or []
    if not isinstance(competences_raw, list):
        raise PathFormatError(f"Module {index} : « competences » doit être une liste.")
    competences: list[tuple[str, int]] = []
    for item in competences_raw:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise PathFormatError(
                f'Module {index} : chaque compétence s\'écrit {{"code": "1.1", "target_level": 2}}.'
            )
        competences.append((item["code"], item.get("target_level")))  # type: ignore[arg-type]
    try:
        return ModuleSpec(
            id=_text(data, "id", ""),
            title=_text(data, "title"),
            objective=_text(data, "objective", ""),
            expected_duration_min=data.get("expected_duration_min"),  # type: ignore[arg-type]
            themes=tuple(themes),
            competences=tuple(sorted(competences)),
            position=index,
        )
    except PathFormatError as err:
        raise PathFormatError(f"Module {index} : {err.message}") from err


def path_from_json(data: Any, strict: bool = True) -> PathSpec:
    """A checked PathSpec from a decoded JSON object; raises PathFormatError (French)."""
    if not isinstance(data, dict):
        raise PathFormatError("Ce fichier n'est pas un parcours Carnet (objet JSON attendu).")
    if "format" in data and data["format"] != FORMAT_NAME:
        raise PathFormatError(
            f"Ce fichier n'est pas un parcours Carnet (format « {FORMAT_NAME} »)."
        )
    format_version = data.get("format_version", FORMAT_VERSION)
    if not isinstance(format_version, int) or format_version > FORMAT_VERSION:
        raise PathFormatError(
            "Ce parcours a été écrit par une version plus récente de Carnet : "
            "mettez Carnet à jour pour l'ouvrir."
        )
    modules_raw = data.get("modules")
    if not isinstance(modules_raw, list):
        raise PathFormatError("Le champ « modules » (liste des modules) manque.")
    version = data.get("version", 1)
    spec = PathSpec(
        id=_text(data, "id", ""),
        title=_text(data, "title"),
        audience=_text(data, "audience"),
        description=_text(data, "description", ""),
        version=version,
        withdrawn=bool(data.get("withdrawn", False)),
        modules=tuple(_module_from_json(m, i) for i, m in enumerate(modules_raw, start=1)),
        origin="hub",
        status="published",
    )
    return check_path(spec, strict)


def path_to_json(spec: PathSpec, with_header: bool = True) -> dict[str, Any]:
    """The file form of a path (``with_header=False``: the form inside a catalogue snapshot)."""
    data: dict[str, Any] = {}
    if with_header:
        data.update({"format": FORMAT_NAME, "format_version": FORMAT_VERSION})
    data.update(
        {
            "id": spec.id,
            "title": spec.title,
            "audience": spec.audience,
            "description": spec.description,
            "version": spec.version,
            "modules": [
                {
                    "id": m.id,
                    "title": m.title,
                    "objective": m.objective,
                    "expected_duration_min": m.expected_duration_min,
                    "themes": list(m.themes),
                    "competences": [
                        {"code": code, "target_level": level} for code, level in m.competences
                    ],
                }
                for m in spec.modules
            ],
        }
    )
    if not with_header and spec.withdrawn:
        data["withdrawn"] = True
    return data


def renumbered(spec: PathSpec) -> PathSpec:
    """Positions 1..n in the order of ``modules``."""
    return replace(
        spec, modules=tuple(replace(m, position=i) for i, m in enumerate(spec.modules, start=1))
    )
