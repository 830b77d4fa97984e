"""Profiles on a shared computer: each mediator has their own database (and hub enrolment),
optionally locked by a PIN. The registry is a small JSON file at the root of the data folder.

Read at every start, before the window: the hashing and id modules load only when a PIN is set
or checked, or a profile created."""

from __future__ import annotations

import json
import os
from pathlib import Path

REGISTRY_NAME = "profils.json"
DB_NAME = "carnet.db"
_PBKDF2_ROUNDS = 200_000


class Profile:
    """One profile of the registry, as stored in its JSON file.

    A plain class rather than a dataclass: the registry loads before the window, and the
    ``dataclasses`` module (about 3.5 ms) and each dataclass (about 1.4 ms) would be paid by
    every start."""

    __slots__ = ("id", "name", "pin_salt", "pin_hash")

    def __init__(
        self,
        id: str,  # the JSON file's key
        name: str,
        pin_salt: str | None = None,
        pin_hash: str | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.pin_salt = pin_salt
        self.pin_hash = pin_hash

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)

    def as_dict(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Profile) and self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable, so not hashable

    def __repr__(self) -> str:
        return f"Profile(id={self.id!r}, name={self.name!r}, pin={self.has_pin})"


def _hash_pin(pin: str, salt: str) -> str:
    import hashlib

    return hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), _PBKDF2_ROUNDS).hex()


class ProfileRegistry:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._path = data_dir / REGISTRY_NAME
        self._profiles: list[Profile] = []
        self.last_used: str | None = None
        self._load()

    def _load(self) -> None:
        if not self._path.exists():
            return
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            self._profiles = [Profile(**p) for p in data.get("profiles", [])]
            self.last_used = data.get("last_used")
        except (ValueError, TypeError, OSError):
            # A damaged registry must not hide the databases: rebuild it from the folders.
            self._profiles = [
                Profile(id=p.name, name=p.name)
                for p in sorted((self.data_dir / "profils").glob("*"))
                if (p / DB_NAME).exists()
            ]

    def _save(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp")
        payload = {"profiles": [p.as_dict() for p in self._profiles], "last_used": self.last_used}
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self._path)

    @property
    def profiles(self) -> list[Profile]:
        return list(self._profiles)

    def get(self, profile_id: str) -> Profile | None:
        return next((p for p in self._profiles if p.id == profile_id), None)

    def create(self, name: str) -> Profile:
        from app.models.ids import new_id

        profile = Profile(id=new_id(), name=name.strip() or "Profil")
        self._profiles.append(profile)
        self._save()
        return profile

    def rename(self, profile_id: str, name: str) -> None:
        profile = self.get(profile_id)
        if profile:
            profile.name = name.strip() or profile.name
            self._save()

    def db_path(self, profile_id: str) -> Path:
        return self.data_dir / "profils" / profile_id / DB_NAME

    def set_pin(self, profile_id: str, pin: str | None) -> None:
        profile = self.get(profile_id)
        if profile is None:
            raise KeyError(profile_id)
        if pin:
            if not pin.isdigit() or not 4 <= len(pin) <= 8:
                raise ValueError("Le code PIN compte de 4 à 8 chiffres.")
            import secrets

            profile.pin_salt = secrets.token_hex(16)
            profile.pin_hash = _hash_pin(pin, profile.pin_salt)
        else:
            profile.pin_salt = profile.pin_hash = None
        self._save()

    def check_pin(self, profile_id: str, pin: str) -> bool:
        profile = self.get(profile_id)
        if profile is None or not profile.has_pin:
            return True
        import hmac

        assert profile.pin_salt and profile.pin_hash
        return hmac.compare_digest(_hash_pin(pin, profile.pin_salt), profile.pin_hash)

    def mark_used(self, profile_id: str) -> None:
        """Remember the profile opened last; nothing is written when it already is (each start
        reopens the last profile)."""
        if profile_id == self.last_used and self._path.exists():
            return
        self.last_used = profile_id
        self._save()
