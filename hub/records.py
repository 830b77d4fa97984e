"""The synced records as the hub sees them: field specs, payload validation and upgrades.

One spec per entity drives the table columns (hub/models.py), the validation of pushed payloads
(unknown national codes are refused with a French reason) and the payloads sent back on pull.
The columns are those of the desktop's ``app/models/entities.py`` (a test keeps them equal), so
the national fields are real columns for statistics.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from app.models import referentiels as ref
from app.models import training_format

# Fields every payload carries; they are not merged field by field.
META_FIELDS: Final = ("id", "created_at", "updated_at", "deleted_at", "version")
INSEE_RE: Final = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
POSTAL_RE: Final = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class FieldSpec:
    """``kind``: str, text, int, bool, date, code (one national code), codes (``|a|b|`` list of
    national codes), names (``|a|b|`` free names), json (a JSON object as text), document (a
    JSON list or object sent as JSON, stored as canonical text), ref (the id of another record
    of the same mediator)."""

    name: str
    kind: str
    label: str
    max_len: int | None = None
    required: bool = False
    codes: Mapping[str, str] | None = None
    ref: str | None = None
    default: Any = None
    min_value: int | None = None
    max_value: int | None = None
    pattern: re.Pattern[str] | None = None


def _f(name: str, kind: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name=name, kind=kind, label=label, **kw)


@dataclass(frozen=True)
class EntitySpec:
    """``append_only``: a record is written once and never edited nor deleted (progress
    events: devices merge by union). ``check``: a whole-record check run after the field
    checks (raises RecordError)."""

    name: str
    label: str
    fields: tuple[FieldSpec, ...]
    schema_version: int = 1
    append_only: bool = False
    check: Callable[[str, dict[str, Any]], None] | None = None

    @cached_property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


ACCOMPAGNEMENT = EntitySpec(
    "accompagnement",
    "accompagnement",
    (
        _f("kind", "code", "type", max_len=12, required=True, codes=ref.TYPES),
        _f("date", "date", "date", required=True),
        _f(
            "duration_min",
            "int",
            "durée",
            required=True,
            min_value=1,
            max_value=ref.DURATION_MAX_MINUTES,
        ),
        _f("place_type", "code", "type de lieu", max_len=16, required=True, codes=ref.PLACE_TYPES),
        _f("venue_id", "ref", "lieu d'activité", ref="venue"),
        _f("commune_insee", "str", "code INSEE de la commune", max_len=5, pattern=INSEE_RE),
        _f("commune_name", "str", "commune", max_len=100),
        _f("postal_code", "str", "code postal", max_len=5, pattern=POSTAL_RE),
        _f("themes", "codes", "thématiques", codes=ref.THEMES, default=""),
        _f("demarche_name", "str", "nom de la démarche", max_len=200),
        _f("materiels", "codes", "matériel", codes=ref.MATERIELS, default=""),
        _f("tags", "names", "étiquettes", max_len=80, default=""),
        _f("notes", "text", "notes", default=""),
        _f("autonomy", "code", "autonomie", max_len=32, codes=ref.AUTONOMIES),
        _f("oriented", "bool", "orientation"),
        _f("orientation", "code", "structure d'orientation", max_len=48, codes=ref.ORIENTATIONS),
        _f("beneficiary_id", "ref", "personne suivie", ref="beneficiary"),
        _f("genre", "code", "genre", max_len=16, codes=ref.GENRES),
        _f("age_bracket", "code", "tranche d'âge", max_len=32, codes=ref.TRANCHES_AGE),
        _f("statut", "code", "statut", max_len=16, codes=ref.STATUTS),
        _f("residence_insee", "str", "commune de résidence", max_len=5, pattern=INSEE_RE),
        _f("residence_name", "str", "nom de la commune de résidence", max_len=100),
        _f("workshop_title", "str", "titre de l'atelier", max_len=200),
        _f("workshop_level", "code", "niveau de l'atelier", max_len=16, codes=ref.NIVEAUX_ATELIER),
        _f("participants", "int", "participants", min_value=1, max_value=100_000),
        _f(
            "participants_returning",
            "int",
            "participants déjà accompagnés",
            min_value=0,
            max_value=100_000,
        ),
        _f("counters", "json", "compteurs de participants"),
    ),
)
VENUE = EntitySpec(
    "venue",
    "lieu",
    (
        _f("name", "str", "nom", max_len=200, required=True),
        _f("commune_insee", "str", "code INSEE de la commune", max_len=5, pattern=INSEE_RE),
        _f("commune_name", "str", "commune", max_len=100),
        _f("postal_code", "str", "code postal", max_len=5, pattern=POSTAL_RE),
        _f("itinerant", "bool", "itinérant", default=False),
    ),
)
BENEFICIARY = EntitySpec(
    "beneficiary",
    "personne suivie",
    (_f("code", "str", "code de suivi", max_len=12, required=True),),
)
TAG = EntitySpec(
    "tag",
    "étiquette",
    (
        _f("name", "str", "nom", max_len=80, required=True),
        _f("scope", "code", "portée", max_len=20, codes=ref.TAG_SCOPES, default="personnel"),
    ),
)


class RecordError(Exception):
    """A payload the hub refuses for good: ``code`` is stable, ``message`` is French."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _codes(values: tuple[str, ...]) -> dict[str, str]:
    return {v: v for v in values}


# Training (docs/parcours-format.md): the values of app/models/training.py.
SUBJECT_KINDS: Final = _codes(("person", "workshop", "self"))
EVENT_KINDS: Final = _codes(("enrolled", "started", "done", "assessed", "cancelled"))
PATH_ORIGINS: Final = _codes(("hub", "local"))
PATH_STATUSES: Final = _codes(("local_only", "proposed", "published"))

PROGRESS_EVENT = EntitySpec(
    "progress_event",
    "événement de progression",
    (
        _f("subject_kind", "code", "qui progresse", max_len=12, required=True, codes=SUBJECT_KINDS),
        _f("subject_id", "str", "code de suivi ou atelier", max_len=36, required=True),
        _f("group_id", "ref", "groupe d'atelier", ref="accompagnement"),
        _f("path_id", "str", "parcours", max_len=36, required=True),
        _f("module_id", "str", "module", max_len=36),
        _f("kind", "code", "type d'événement", max_len=12, required=True, codes=EVENT_KINDS),
        _f("cancels_id", "str", "événement annulé", max_len=36),
        _f("level_before", "json", "niveau avant"),
        _f("level_after", "json", "niveau après"),
        _f("session_id", "ref", "accompagnement", ref="accompagnement"),
        _f("occurred_on", "date", "date", required=True),
        _f("path_title", "str", "titre du parcours", max_len=200, required=True),
        _f("path_version", "int", "version du parcours", min_value=1, max_value=1_000_000),
        _f("path_module_count", "int", "nombre de modules", min_value=0, max_value=10_000),
        _f("module_title", "str", "titre du module", max_len=200),
        _f("module_position", "int", "position du module", min_value=0, max_value=10_000),
    ),
    append_only=True,
)


def _check_path(entity_id: str, values: dict[str, Any]) -> None:
    """A mediator's path follows the path format (the checks of the desktop's editor)."""
    document = {
        "id": entity_id,
        "title": values["title"],
        "audience": values["audience"],
        "description": values.get("description") or "",
        "version": values.get("path_version") or 1,
        "modules": json.loads(values["modules"]),
    }
    try:
        training_format.path_from_json(document, strict=True)
    except training_format.PathFormatError as err:
        raise RecordError("invalid_value", err.message) from None


TRAINING_PATH = EntitySpec(
    "training_path",
    "parcours",
    (
        _f("title", "str", "titre", max_len=200, required=True),
        _f(
            "audience",
            "code",
            "public",
            max_len=16,
            required=True,
            codes=training_format.AUDIENCES,
        ),
        _f("description", "text", "description", default=""),
        _f("path_version", "int", "version du parcours", min_value=1, max_value=1_000_000),
        _f("origin", "code", "origine", max_len=8, codes=PATH_ORIGINS, default="local"),
        _f("status", "code", "statut", max_len=12, codes=PATH_STATUSES, default="local_only"),
        _f("withdrawn", "bool", "retiré", default=False),
        _f("modules", "document", "modules", required=True),
    ),
    check=_check_path,
)

ENTITIES: Final[dict[str, EntitySpec]] = {
    s.name: s for s in (ACCOMPAGNEMENT, VENUE, BENEFICIARY, TAG, TRAINING_PATH, PROGRESS_EVENT)
}
SCHEMA_VERSIONS: Final[dict[str, int]] = {name: s.schema_version for name, s in ENTITIES.items()}


# ---- upgrades of older payload shapes ---------------------------------------------------------
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]


def _accompagnement_0_to_1(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 0 (the first exports) had a third session type, ``demarche``, and multi-valued
    fields as JSON lists. Version 1 folds the type into ``individuel`` plus the administrative
    theme (as the national tools did) and stores lists as ``|a|b|``."""
    out = dict(payload)
    for name in ("themes", "materiels", "tags"):
        value = out.get(name)
        if isinstance(value, list):
            out[name] = _join([str(v) for v in value])
    if out.get("kind") == ref.LEGACY_TYPE_DEMARCHE:
        out["kind"] = "individuel"
        themes = _split(out.get("themes"))
        if ref.ADMIN_THEME not in themes:
            themes.append(ref.ADMIN_THEME)
        out["themes"] = _join(
            [t for t in ref.THEMES if t in themes] + [t for t in themes if t not in ref.THEMES]
        )
    return out


UPGRADES: Final[dict[tuple[str, int], Upgrade]] = {
    ("accompagnement", 0): _accompagnement_0_to_1,
}


def upgrade_payload(entity: str, schema_version: int, payload: dict[str, Any]) -> dict[str, Any]:
    """Bring ``payload`` from ``schema_version`` to the hub's current version of ``entity``."""
    spec = ENTITIES[entity]
    if schema_version > spec.schema_version:
        raise RecordError(
            "schema_too_new",
            f"Ce hub ne connaît pas encore la version {schema_version} du format "
            f"« {spec.label} » (il connaît jusqu'à la {spec.schema_version}). "
            "Demandez à l'administrateur du hub de le mettre à jour ; la modification reste "
            "conservée sur l'appareil.",
        )
    version = schema_version
    while version < spec.schema_version:
        step = UPGRADES.get((entity, version))
        if step is None:
            raise RecordError(
                "schema_unsupported",
                f"La version {version} du format « {spec.label} » n'est plus prise en charge "
                "par ce hub.",
            )
        payload = step(payload)
        version += 1
    return payload


# ---- validation -------------------------------------------------------------------------------
def _split(text: Any) -> list[str]:
    return [c for c in str(text or "").split("|") if c]


def _join(items: list[str]) -> str:
    return "|" + "|".join(items) + "|" if items else ""


def _bad(field: FieldSpec, what: str) -> RecordError:
    return RecordError("invalid_value", f"Valeur refusée pour « {field.label} » : {what}.")


def parse_datetime(value: Any, label: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError("invalid_value", f"Date et heure attendues pour « {label} ».")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(
            "invalid_value", f"Date et heure illisibles pour « {label} » : « {value[:40]} »."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


Checker = Callable[[Any], Any]


def _missing(field: FieldSpec) -> RecordError:
    return RecordError("missing_field", f"Le champ « {field.label} » est obligatoire.")


def _text_checker(field: FieldSpec) -> Checker:
    """Checks shared by every text kind, then the kind's own (one closure per kind: a push
    checks some thirty thousand text values per thousand sessions)."""
    kind, max_len, codes, pattern = field.kind, field.max_len, field.codes, field.pattern
    limit = max_len if kind not in ("codes", "names") else None
    code_set = frozenset(codes or ())
    required = field.required

    def text(value: Any) -> str:
        if value.__class__ is not str:
            raise _bad(field, "du texte est attendu")
        if "\x00" in value:
            raise _bad(field, "caractère nul interdit")
        if limit is not None and len(value) > limit:
            raise _bad(field, f"au plus {limit} caractères")
        if required and not value.strip():
            raise _missing(field)
        return value

    def check_code(value: Any) -> Any:
        if text(value) not in code_set:
            raise RecordError(
                "unknown_code",
                f"Code national inconnu pour « {field.label} » : « {value[:60]} ».",
            )
        return value

    def check_codes(value: Any) -> Any:
        if text(value):
            unknown = [c for c in value.split("|") if c and c not in code_set]
            if unknown:
                raise RecordError(
                    "unknown_code",
                    f"Code national inconnu pour « {field.label} » : "
                    f"{', '.join('« ' + c[:60] + ' »' for c in unknown[:5])}.",
                )
        return value

    def check_names(value: Any) -> Any:
        if max_len and any(len(n) > max_len for n in text(value).split("|")):
            raise _bad(field, f"un nom fait au plus {max_len} caractères")
        return value

    def check_ref(value: Any) -> Any:
        if len(text(value)) > 36:
            raise _bad(field, "identifiant illisible")
        return value

    def check_json(value: Any) -> Any:
        if isinstance(value, dict):
            value = json.dumps(value, sort_keys=True, ensure_ascii=False)
        try:
            json.loads(text(value))
        except ValueError:
            raise _bad(field, "JSON illisible") from None
        return value

    if kind == "code":
        return check_code
    if kind == "codes":
        return check_codes
    if kind == "names":
        return check_names
    if kind == "ref":
        return check_ref
    if kind == "json":
        return check_json
    if pattern is not None:
        match = pattern.match

        def check_pattern(value: Any) -> Any:
            if text(value) and not match(value):
                raise _bad(field, f"« {value[:20]} » n'a pas le bon format")
            return value

        return check_pattern
    return text


def _int_checker(field: FieldSpec) -> Checker:
    low, high = field.min_value, field.max_value

    def check(value: Any) -> Any:
        if value.__class__ is not int:
            raise _bad(field, "un nombre entier est attendu")
        if low is not None and value < low:
            raise _bad(field, f"au moins {low}")
        if high is not None and value > high:
            raise _bad(field, f"au plus {high}")
        return value

    return check


def _bool_checker(field: FieldSpec) -> Checker:
    def check(value: Any) -> Any:
        if value.__class__ is not bool:
            raise _bad(field, "oui ou non est attendu")
        return value

    return check


def _date_checker(field: FieldSpec) -> Checker:
    def check(value: Any) -> Any:
        if value.__class__ is not str:
            raise _bad(field, "une date AAAA-MM-JJ est attendue")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _bad(field, f"date illisible « {value[:20]} »") from None

    return check


def canonical_document(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _document_checker(field: FieldSpec) -> Checker:
    def check(value: Any) -> Any:
        if not isinstance(value, list | dict):
            raise _bad(field, "une liste ou un objet JSON est attendu")
        return canonical_document(value)  # JSON escapes control characters

    return check


def _checker(field: FieldSpec) -> Checker:
    if field.kind == "document":
        return _document_checker(field)
    if field.kind == "int":
        return _int_checker(field)
    if field.kind == "bool":
        return _bool_checker(field)
    if field.kind == "date":
        return _date_checker(field)
    if field.kind in ("str", "text", "code", "ref", "codes", "names", "json"):
        return _text_checker(field)
    raise AssertionError(field.kind)


@dataclass(frozen=True)
class _Compiled:
    known: frozenset[str]
    fields: tuple[tuple[str, Checker, FieldSpec], ...]


_COMPILED: Final[dict[str, _Compiled]] = {
    name: _Compiled(
        frozenset(spec.field_names) | frozenset(META_FIELDS),
        tuple((f.name, _checker(f), f) for f in spec.fields),
    )
    for name, spec in ENTITIES.items()
}


def validate_payload(entity: str, entity_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Check an upgraded payload and return the column values to store (dates parsed, defaults
    filled). Refuses unknown fields, unknown national codes and wrong types. ``None`` is
    accepted for optional fields (the default is used when there is one)."""
    compiled = _COMPILED[entity]
    known = compiled.known
    if not known.issuperset(payload):
        unknown = sorted(k for k in payload if k not in known)
        raise RecordError(
            "unknown_field",
            f"Champ inconnu pour un {ENTITIES[entity].label} : "
            f"{', '.join(u[:40] for u in unknown[:5])}.",
        )
    if payload.get("id", entity_id) != entity_id:
        raise RecordError(
            "id_mismatch", "L'identifiant du contenu ne correspond pas à celui de l'opération."
        )
    values: dict[str, Any] = {}
    get = payload.get
    for name, check, field in compiled.fields:
        value = get(name)
        if value is None:
            if field.required:
                raise _missing(field)
            values[name] = field.default
        else:
            values[name] = check(value)
    values["created_at"] = parse_datetime(get("created_at"), "création")
    values["updated_at"] = parse_datetime(get("updated_at"), "modification")
    values["deleted_at"] = parse_datetime(get("deleted_at"), "suppression")
    record_check = ENTITIES[entity].check
    if record_check is not None:
        record_check(entity_id, values)
    return values


def _wire(value: Any) -> Any:
    if value is None or value.__class__ in _AS_IS:
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_AS_IS: Final = frozenset({str, int, bool, float})

_DOCUMENTS: Final[dict[str, frozenset[str]]] = {
    name: frozenset(f.name for f in spec.fields if f.kind == "document")
    for name, spec in ENTITIES.items()
}


def wire_payload(entity: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The payload sent to devices: the desktop row's columns, in the desktop's form."""
    documents = _DOCUMENTS[entity]
    out: dict[str, Any] = {"id": row["id"]}
    for name in ENTITIES[entity].field_names:
        value = row[name]
        if value is None or (value.__class__ in _AS_IS and name not in documents):
            out[name] = value  # most fields: text, numbers, flags (what _wire keeps as is)
        elif name in documents and isinstance(value, str):
            out[name] = json.loads(value)
        else:
            out[name] = _wire(value)
    out["created_at"] = _wire(row["created_at"])
    out["updated_at"] = _wire(row["updated_at"])
    out["deleted_at"] = _wire(row["deleted_at"])
    out["version"] = row["version"]
    return out


def comparable(entity: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Field values in a form that compares equal across storage round trips (for merges)."""
    spec = ENTITIES[entity]
    documents = _DOCUMENTS[entity]
    out = {name: _wire(values.get(name)) for name in spec.field_names}
    for name in documents:  # stored as text, sent as JSON: compare the canonical text
        if out[name] is not None and not isinstance(out[name], str):
            out[name] = canonical_document(out[name])
    return out
