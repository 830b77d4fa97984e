"""The device token lives in the OS keyring; without one, it stays in memory and we say so."""

from __future__ import annotations

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from app.sync.credentials import (
    SERVICE_NAME,
    KeyringTokenStore,
    MemoryTokenStore,
    NoKeyringError,
    open_token_store,
)


class InMemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in a dict (the tests' keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.secrets:
            raise keyring.errors.PasswordDeleteError(username)
        del self.secrets[(service, username)]


class LockedKeyring(InMemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("verrouillé")


class PlaintextKeyring(InMemoryKeyring):
    """Stands for keyrings.alt's PlaintextKeyring: refused by name."""


def test_token_per_profile_under_the_carnet_hub_service():
    backend = InMemoryKeyring()
    store = KeyringTokenStore(backend)
    store.set_token("profil-1", "jeton-1")
    store.set_token("profil-2", "jeton-2")
    assert store.get_token("profil-1") == "jeton-1"
    assert (SERVICE_NAME, "appareil:profil-2") in backend.secrets
    store.delete_token("profil-1")
    store.delete_token("profil-1")  # already gone: fine
    assert store.get_token("profil-1") is None and store.persistent


@pytest.mark.parametrize("backend", [null.Keyring(), fail.Keyring(), PlaintextKeyring()])
def test_no_usable_keyring_falls_back_to_memory_with_a_french_notice(backend):
    with pytest.raises(NoKeyringError) as info:
        KeyringTokenStore(backend)
    assert "en clair" in info.value.message
    store, notice = open_token_store(backend)
    assert isinstance(store, MemoryTokenStore) and not store.persistent
    assert notice is not None and "nouveau code" in notice
    store.set_token("p", "jeton-secret")
    assert store.get_token("p") == "jeton-secret" and "jeton-secret" not in repr(store)


def test_default_keyring_of_the_test_run_is_the_null_one():
    # tests/conftest.py sets PYTHON_KEYRING_BACKEND to keyring's null backend
    store, notice = open_token_store()
    assert isinstance(store, MemoryTokenStore) and notice


def test_locked_keyring_is_explained():
    store = KeyringTokenStore(LockedKeyring())
    with pytest.raises(NoKeyringError) as info:
        store.get_token("p")
    assert "verrouillé" in info.value.message


def test_working_keyring_is_used():
    store, notice = open_token_store(InMemoryKeyring())
    assert isinstance(store, KeyringTokenStore) and notice is None
