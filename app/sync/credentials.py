"""Where the device token lives: the operating system's keyring, never SQLite or a config file.

The token is stored with ``keyring`` under the service name « Carnet Hub » and one user name per
profile (``appareil:<profile key>``), so two profiles on one computer keep two tokens.

When no keyring exists (a headless Linux without a Secret Service, a minimal session), we raise
``NoKeyringError`` with a French explanation. The fallback we chose, and why:

* A plain-text file is forbidden: anyone who copies the data folder would own the device.
  ``keyrings.alt`` (on PyPI) offers exactly that (``PlaintextKeyring``) plus an
  ``EncryptedKeyring`` that asks for a master password at each start; a password the user types at
  each start protects nothing more than the enrolment code itself, and it adds a dependency with a
  terminal prompt that a desktop app cannot show. We use neither, and we refuse a plaintext
  backend even if the user configured one.
* The accepted fallback is ``MemoryTokenStore``: the token is kept in memory for this run only.
  Sync works until the app is closed; at the next start the device must be enrolled again with a
  fresh code (the previous token is useless once the process is gone, and the hub admin can revoke
  it). ``open_token_store`` returns that store with a notice for the UI that says so and how to get
  a real keyring (GNOME Keyring, KWallet or KeePassXC's Secret Service).
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE_NAME = "Carnet Hub"

NO_KEYRING_MESSAGE = (
    "Aucun trousseau sécurisé n'est disponible sur cet ordinateur (gestionnaire de mots de passe "
    "du système). Carnet n'enregistre jamais le jeton de l'appareil en clair : il le garde en "
    "mémoire jusqu'à la fermeture de Carnet. Au prochain démarrage, il faudra relier l'appareil "
    "au hub avec un nouveau code. Pour éviter cela, installez ou déverrouillez un trousseau "
    "(GNOME Keyring, KWallet, ou KeePassXC avec le service « Secret Service »)."
)


class NoKeyringError(RuntimeError):
    def __init__(self, message: str = NO_KEYRING_MESSAGE) -> None:
        super().__init__(message)
        self.message = message


class TokenStore(Protocol):
    persistent: bool

    def get_token(self, profile_key: str) -> str | None: ...

    def set_token(self, profile_key: str, token: str) -> None: ...

    def delete_token(self, profile_key: str) -> None: ...


def _username(profile_key: str) -> str:
    return f"appareil:{profile_key}"


def _is_forbidden_or_missing(backend: KeyringBackend) -> bool:
    """True for keyring's fail/null backends, for a plaintext file backend, and for a chainer
    whose only members are such backends."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return True
    name = f"{type(backend).__module__}.{type(backend).__qualname__}".lower()
    if "plaintext" in name:
        return True
    if isinstance(backend, chainer.ChainerBackend):
        members = list(getattr(backend, "backends", []))
        return all(_is_forbidden_or_missing(b) for b in members)
    return False


class KeyringTokenStore:
    """The token in the OS keyring. Raises NoKeyringError when there is none usable."""

    persistent = True

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend if backend is not None else keyring.get_keyring()
        if _is_forbidden_or_missing(self._backend):
            raise NoKeyringError()

    def get_token(self, profile_key: str) -> str | None:
        try:
            return self._backend.get_password(SERVICE_NAME, _username(profile_key))
        except keyring.errors.KeyringError as exc:
            raise NoKeyringError(
                "Le trousseau du système n'a pas pu être lu (il est peut-être verrouillé). "
                "Déverrouillez-le puis relancez la synchronisation."
            ) from exc

    def set_token(self, profile_key: str, token: str) -> None:
        try:
            self._backend.set_password(SERVICE_NAME, _username(profile_key), token)
        except keyring.errors.KeyringError as exc:
            raise NoKeyringError() from exc

    def delete_token(self, profile_key: str) -> None:
        try:
            self._backend.delete_password(SERVICE_NAME, _username(profile_key))
        except keyring.errors.PasswordDeleteError:
            pass  # already absent
        except keyring.errors.KeyringError as exc:
            raise NoKeyringError() from exc


class MemoryTokenStore:
    """The safe fallback: the token lives in this process only and dies with it."""

    persistent = False

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def get_token(self, profile_key: str) -> str | None:
        with self._lock:
            return self._tokens.get(profile_key)

    def set_token(self, profile_key: str, token: str) -> None:
        with self._lock:
            self._tokens[profile_key] = token

    def delete_token(self, profile_key: str) -> None:
        with self._lock:
            self._tokens.pop(profile_key, None)

    def __repr__(self) -> str:
        return f"MemoryTokenStore({len(self._tokens)} profil(s))"


def open_token_store(
    backend: KeyringBackend | None = None,
) -> tuple[KeyringTokenStore | MemoryTokenStore, str | None]:
    """The keyring store when there is a keyring; otherwise the in-memory store and the French
    notice to show the user (``None`` when the token will be kept across restarts)."""
    try:
        return KeyringTokenStore(backend), None
    except NoKeyringError as exc:
        log.warning("no usable keyring backend: the device token is kept in memory only")
        return MemoryTokenStore(), exc.message
