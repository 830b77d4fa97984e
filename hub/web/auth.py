"""Logins of the hub's pages: accounts, roles, signed session cookies, CSRF tokens.

Roles: ``admin`` (hub staff: the whole hub), ``coordinateur`` (their structures),
``collectivite`` (a local authority: its commune, EPCI or département, aggregates only).
Passwords are hashed with scrypt (hub/org.py). The session cookie holds the user id, an expiry
and the CSRF token, signed with HMAC-SHA256 under a secret kept in ``hub_meta``; it is
HttpOnly, SameSite=Lax, and Secure when the hub is reached over HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.db import Database
from hub.models import HubUser, Structure, UserStructure
from hub.org import OrgError, check_password, create_user, get_meta, set_meta
from hub.stats.territory import Territories
from hub.web.schema import UserTerritory

COOKIE = "carnet_hub_session"
SESSION_SECONDS = 8 * 3600
WEB_SECRET_KEY = "web_secret"  # hub_meta key of the cookies' signing key
ROLES = {
    "admin": "Équipe du hub",
    "coordinateur": "Coordination de structures",
    "collectivite": "Collectivité",
}
TERRITORY_LEVELS = {"commune": "Commune", "epci": "EPCI", "departement": "Département"}
# Constant-time-ish answer for unknown e-mails: check against a fixed hash.
_DUMMY_HASH = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 64


class AuthError(Exception):
    """A refused login or account operation (French message)."""


@dataclass(frozen=True)
class WebUser:
    id: str
    email: str
    name: str
    role: str
    structures: tuple[str, ...]
    territory: tuple[str, str] | None  # (level, code) for a collectivité

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


def load_user(db: Session, user_id: str) -> WebUser | None:
    user = db.get(HubUser, user_id)
    if user is None or user.disabled_at is not None or user.role not in ROLES:
        return None
    structures = tuple(
        sorted(
            db.scalars(select(UserStructure.structure_id).where(UserStructure.user_id == user.id))
        )
    )
    territory_row = db.get(UserTerritory, user.id)
    territory = (territory_row.level, territory_row.code) if territory_row else None
    return WebUser(user.id, user.email, user.display_name, user.role, structures, territory)


def authenticate_password(db: Session, email: str, password: str) -> WebUser | None:
    user = db.scalar(select(HubUser).where(HubUser.email == email.strip().lower()))
    if user is None:
        check_password(password, _DUMMY_HASH)
        return None
    if not check_password(password, user.password_hash):
        return None
    return load_user(db, user.id)


def parse_territory(text: str, territories: Territories) -> tuple[str, str]:
    """``commune:59350``, ``epci:200093201`` or ``departement:59``."""
    level, _, code = text.partition(":")
    level, code = level.strip().lower(), code.strip().upper()
    if level not in TERRITORY_LEVELS or not code:
        raise AuthError(
            "Territoire attendu sous la forme commune:CODE_INSEE, epci:SIREN ou "
            "departement:CODE (par exemple commune:59350)."
        )
    if level == "commune" and territories.commune(code) is None:
        raise AuthError(f"Commune inconnue : « {code} » (code INSEE attendu).")
    if level == "epci" and territories.index.epci_name(code) is None:
        raise AuthError(f"EPCI inconnu : « {code} » (numéro SIREN attendu).")
    if level == "departement" and territories.index.departement_name(code) is None:
        raise AuthError(f"Département inconnu : « {code} ».")
    return level, code


def create_web_user(
    db: Session,
    email: str,
    name: str,
    password: str,
    role: str,
    structure_ids: list[str],
    territory: tuple[str, str] | None,
) -> HubUser:
    if role not in ROLES:
        raise AuthError(f"Rôle inconnu : « {role} » (admin, coordinateur ou collectivite).")
    if role == "collectivite" and territory is None:
        raise AuthError("Un compte de collectivité a besoin de son territoire (--territoire).")
    if role == "coordinateur" and not structure_ids:
        raise AuthError("Un compte de coordination a besoin d'au moins une structure.")
    # hub/org.py checks the e-mail, the password length and the structures.
    stored_role = "admin" if role == "collectivite" else role
    try:
        user = create_user(db, email, name, password, stored_role, structure_ids)
    except OrgError as exc:
        raise AuthError(str(exc)) from exc
    user.role = role
    if territory is not None:
        db.add(UserTerritory(user_id=user.id, level=territory[0], code=territory[1]))
    db.flush()
    return user


def structure_names(db: Session, ids: tuple[str, ...]) -> dict[str, str]:
    rows = db.execute(select(Structure.id, Structure.name).where(Structure.id.in_(ids))).all()
    return dict((r[0], r[1]) for r in rows)


# ---- signed cookies -----------------------------------------------------------------------
def read_web_secret(db: Session) -> bytes | None:
    """The key signing the pages' session cookies; None until the first login creates it."""
    secret = get_meta(db, WEB_SECRET_KEY)
    return bytes.fromhex(secret) if secret is not None else None


def ensure_web_secret(database: Database) -> bytes:
    """The signing key, created on first use in a write transaction of its own. (Created from
    a read transaction, the write failed at once on SQLite — "database is locked" — whenever
    another connection had written since that transaction began: a push, the statistics
    drain.)"""
    with database.session() as db:
        found = read_web_secret(db)
    if found is not None:
        return found
    try:
        with database.write() as db:
            secret = get_meta(db, WEB_SECRET_KEY)
            if secret is None:
                secret = secrets.token_hex(32)
                set_meta(db, WEB_SECRET_KEY, secret)
    except IntegrityError:  # another process created it meanwhile (PostgreSQL)
        with database.session() as db:
            secret = get_meta(db, WEB_SECRET_KEY)
        if secret is None:
            raise
    return bytes.fromhex(secret)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_session(secret: bytes, user_id: str, now: float | None = None) -> tuple[str, str]:
    """(cookie value, CSRF token) of a new session."""
    csrf = secrets.token_urlsafe(24)
    body = json.dumps(
        {"u": user_id, "x": int((now or time.time()) + SESSION_SECONDS), "c": csrf},
        separators=(",", ":"),
    ).encode()
    sig = hmac.new(secret, body, hashlib.sha256).digest()
    return f"{_b64(body)}.{_b64(sig)}", csrf


def read_session(
    secret: bytes, value: str | None, now: float | None = None
) -> tuple[str, str] | None:
    """(user id, CSRF token) of a valid, unexpired cookie."""
    if not value or "." not in value:
        return None
    body_text, _, sig_text = value.partition(".")
    try:
        body = _unb64(body_text)
        sig = _unb64(sig_text)
    except (ValueError, TypeError):
        return None
    if not hmac.compare_digest(sig, hmac.new(secret, body, hashlib.sha256).digest()):
        return None
    try:
        data = json.loads(body)
        if int(data["x"]) < (now or time.time()):
            return None
        return str(data["u"]), str(data["c"])
    except (ValueError, KeyError, TypeError):
        return None
