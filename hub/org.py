"""Organisation and devices: structures, mediators, users, enrolment codes, tokens, epoch."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hub.errors import HubError, device_revoked, token_invalid
from hub.models import (
    CatalogueSnapshot,
    Conflict,
    Device,
    EnrolmentCode,
    HubMeta,
    HubUser,
    Mediator,
    Structure,
    UserStructure,
    utcnow,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
CODE_LENGTH = 8
STRUCTURE_KINDS = {"employeur": "Employeur", "lieu": "Lieu"}
USER_ROLES = {"admin": "Administrateur du hub", "coordinateur": "Coordinateur"}
# last_seen_at is written at most this often, so a sync probe stays a read.
LAST_SEEN_RESOLUTION = dt.timedelta(seconds=60)


class OrgError(Exception):
    """A refused operator action, with a French message."""


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---- epoch and hub facts ---------------------------------------------------------------------
def get_meta(db: Session, key: str) -> str | None:
    return db.scalar(select(HubMeta.value).where(HubMeta.key == key))


def set_meta(db: Session, key: str, value: str) -> None:
    row = db.get(HubMeta, key)
    if row is None:
        db.add(HubMeta(key=key, value=value))
    else:
        row.value = value
    db.flush()


def ensure_epoch(db: Session) -> str:
    epoch = get_meta(db, "epoch")
    if epoch is None:
        epoch = str(uuid.uuid4())
        set_meta(db, "epoch", epoch)
    return epoch


def new_epoch(db: Session) -> str:
    """A restore calls this: devices notice the change and reconcile."""
    epoch = str(uuid.uuid4())
    set_meta(db, "epoch", epoch)
    return epoch


# ---- structures, mediators, users -----------------------------------------------------------
def create_structure(
    db: Session,
    name: str,
    kind: str = "employeur",
    parent_id: str | None = None,
    siret: str | None = None,
    commune_insee: str | None = None,
) -> Structure:
    name = name.strip()
    if not name:
        raise OrgError("Donnez un nom à la structure.")
    if kind not in STRUCTURE_KINDS:
        raise OrgError(f"Type de structure inconnu : « {kind} » (employeur ou lieu).")
    if parent_id is not None and db.get(Structure, parent_id) is None:
        raise OrgError(f"Structure parente introuvable : {parent_id}.")
    if siret is not None and not (siret.isdigit() and len(siret) == 14):
        raise OrgError("Le SIRET compte 14 chiffres.")
    row = Structure(
        name=name, kind=kind, parent_id=parent_id, siret=siret, commune_insee=commune_insee
    )
    db.add(row)
    db.flush()
    return row


def find_structure(db: Session, ref: str) -> Structure:
    """By id, or by exact name when it is unique."""
    row = db.get(Structure, ref)
    if row is not None:
        return row
    rows = db.scalars(select(Structure).where(Structure.name == ref)).all()
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise OrgError(f"Structure introuvable : « {ref} ».")
    raise OrgError(f"Plusieurs structures s'appellent « {ref} » : donnez son identifiant.")


def create_mediator(
    db: Session, display_name: str, structure_id: str | None = None, email: str | None = None
) -> Mediator:
    display_name = display_name.strip()
    if not display_name:
        raise OrgError("Donnez le nom du médiateur ou de la médiatrice.")
    if structure_id is not None and db.get(Structure, structure_id) is None:
        raise OrgError(f"Structure introuvable : {structure_id}.")
    row = Mediator(display_name=display_name, structure_id=structure_id, email=email)
    db.add(row)
    db.flush()
    return row


def find_mediator(db: Session, ref: str) -> Mediator:
    """By id, by e-mail, or by exact name when it is unique."""
    row = db.get(Mediator, ref)
    if row is not None:
        return row
    rows = db.scalars(
        select(Mediator).where((Mediator.display_name == ref) | (Mediator.email == ref))
    ).all()
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise OrgError(f"Médiateur introuvable : « {ref} ».")
    raise OrgError(f"Plusieurs médiateurs correspondent à « {ref} » : donnez l'identifiant.")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt_hex, digest_hex = stored.split("$")
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def create_user(
    db: Session,
    email: str,
    display_name: str,
    password: str,
    role: str = "admin",
    structure_ids: list[str] | None = None,
) -> HubUser:
    email = email.strip().lower()
    if "@" not in email:
        raise OrgError("Adresse e-mail invalide.")
    if role not in USER_ROLES:
        raise OrgError(f"Rôle inconnu : « {role} » (admin ou coordinateur).")
    if len(password) < 10:
        raise OrgError("Le mot de passe doit compter au moins 10 caractères.")
    if db.scalar(select(HubUser.id).where(HubUser.email == email)) is not None:
        raise OrgError(f"Un compte existe déjà pour {email}.")
    user = HubUser(
        email=email,
        display_name=display_name.strip() or email,
        role=role,
        password_hash=hash_password(password),
    )
    db.add(user)
    db.flush()
    for sid in structure_ids or []:
        if db.get(Structure, sid) is None:
            raise OrgError(f"Structure introuvable : {sid}.")
        db.add(UserStructure(user_id=user.id, structure_id=sid))
    db.flush()
    return user


# ---- enrolment and tokens -------------------------------------------------------------------
def normalise_code(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def format_code(raw: str) -> str:
    return f"{raw[:4]}-{raw[4:]}"


def issue_enrolment_code(
    db: Session, mediator_id: str, ttl_seconds: int, now: dt.datetime | None = None
) -> tuple[str, EnrolmentCode]:
    """A new one-time code for a device of ``mediator_id``: (code as shown, row)."""
    mediator = db.get(Mediator, mediator_id)
    if mediator is None or mediator.disabled_at is not None:
        raise OrgError("Médiateur introuvable ou désactivé.")
    now = now or utcnow()
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row = EnrolmentCode(
        mediator_id=mediator_id,
        code_hash=sha256_hex(raw),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=ttl_seconds),
    )
    db.add(row)
    db.flush()
    return format_code(raw), row


@dataclass(frozen=True)
class Enrolled:
    device_id: str
    token: str
    mediator_id: str
    mediator_name: str


def _bad_code() -> HubError:
    return HubError(
        400,
        "enrolment_code_invalid",
        "Ce code d'inscription n'est pas valable : il est peut-être mal recopié, déjà utilisé "
        "ou expiré. Demandez un nouveau code à votre coordinateur.",
    )


def enrol_device(
    db: Session,
    code: str,
    device_name: str,
    app_version: str | None,
    now: dt.datetime | None = None,
) -> Enrolled:
    """Exchange a one-time code for a device token (the token is returned once, stored hashed)."""
    now = now or utcnow()
    raw = normalise_code(code)
    if len(raw) != CODE_LENGTH:
        raise _bad_code()
    row = db.scalar(select(EnrolmentCode).where(EnrolmentCode.code_hash == sha256_hex(raw)))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise _bad_code()
    mediator = db.get(Mediator, row.mediator_id)
    if mediator is None or mediator.disabled_at is not None:
        raise _bad_code()
    token = secrets.token_urlsafe(32)
    device = Device(
        mediator_id=mediator.id,
        name=device_name.strip()[:200] or "Appareil",
        token_hash=sha256_hex(token),
        app_version=(app_version or "")[:40] or None,
        created_at=now,
        last_seen_at=now,
    )
    db.add(device)
    db.flush()
    # One-time even under concurrent attempts: only one UPDATE finds used_at still empty.
    claimed = db.execute(
        update(EnrolmentCode)
        .where(EnrolmentCode.id == row.id, EnrolmentCode.used_at.is_(None))
        .values(used_at=now, device_id=device.id)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise _bad_code()
    return Enrolled(device.id, token, mediator.id, mediator.display_name)


@dataclass(frozen=True)
class DeviceContext:
    device_id: str
    mediator_id: str
    mediator_seq: int
    purged_seq: int


@dataclass(frozen=True)
class Authenticated:
    device: DeviceContext
    last_seen_at: dt.datetime | None
    epoch: str | None
    # The latest catalogue snapshot (version, ETag), read in the same query when asked for;
    # None when none is published (or not asked for).
    catalogue_head: tuple[int, str] | None = None


def authenticate(db: Session, token: str | None, catalogue: bool = False) -> Authenticated:
    """The device behind a bearer token, its last contact and the hub's epoch (and with
    ``catalogue`` the latest catalogue snapshot's version and ETag), in one query; 401 for an
    unknown or revoked device. Read only."""
    if not token:
        raise token_invalid()
    epoch = select(HubMeta.value).where(HubMeta.key == "epoch").scalar_subquery()
    columns = [
        Device.id,
        Device.mediator_id,
        Device.revoked_at,
        Device.last_seen_at,
        Mediator.seq,
        Mediator.purged_seq,
        Mediator.disabled_at,
        epoch.label("epoch"),
    ]
    if catalogue:
        latest = select(func.max(CatalogueSnapshot.version)).scalar_subquery()
        columns.append(latest.label("catalogue_version"))
        columns.append(
            select(CatalogueSnapshot.etag)
            .where(CatalogueSnapshot.version == latest)
            .scalar_subquery()
            .label("catalogue_etag")
        )
    row = db.execute(
        select(*columns)
        .join(Mediator, Mediator.id == Device.mediator_id)
        .where(Device.token_hash == sha256_hex(token))
    ).one_or_none()
    if row is None:
        raise token_invalid()
    if row.revoked_at is not None or row.disabled_at is not None:
        raise device_revoked()
    device = DeviceContext(row.id, row.mediator_id, row.seq, row.purged_seq)
    head = None
    if catalogue and row.catalogue_version is not None:
        head = (int(row.catalogue_version), str(row.catalogue_etag))
    return Authenticated(device, row.last_seen_at, row.epoch, head)


def revoke_device(db: Session, device_id: str, now: dt.datetime | None = None) -> Device:
    device = db.get(Device, device_id)
    if device is None:
        matches = db.scalars(select(Device).where(Device.id.startswith(device_id))).all()
        if len(matches) != 1:
            raise OrgError(f"Appareil introuvable : « {device_id} ».")
        device = matches[0]
    if device.revoked_at is None:
        device.revoked_at = now or utcnow()
        db.flush()
    return device


@dataclass(frozen=True)
class DeviceHealth:
    device_id: str
    device_name: str
    mediator_id: str
    mediator_name: str
    app_version: str | None
    created_at: dt.datetime
    last_seen_at: dt.datetime | None
    last_push_at: dt.datetime | None
    last_pull_at: dt.datetime | None
    revoked_at: dt.datetime | None
    pending_conflicts: int


def list_devices(db: Session) -> list[DeviceHealth]:
    conflicts = dict(
        db.execute(
            select(Conflict.mediator_id, func.count())
            .where(Conflict.resolved_at.is_(None))
            .group_by(Conflict.mediator_id)
        ).all()
    )
    rows = db.execute(
        select(Device, Mediator.display_name)
        .join(Mediator, Mediator.id == Device.mediator_id)
        .order_by(Mediator.display_name, Device.created_at)
    ).all()
    return [
        DeviceHealth(
            device_id=d.id,
            device_name=d.name,
            mediator_id=d.mediator_id,
            mediator_name=name,
            app_version=d.app_version,
            created_at=d.created_at,
            last_seen_at=d.last_seen_at,
            last_push_at=d.last_push_at,
            last_pull_at=d.last_pull_at,
            revoked_at=d.revoked_at,
            pending_conflicts=conflicts.get(d.mediator_id, 0),
        )
        for d, name in rows
    ]
