"""The profile registry remembers the profile opened last, writing its file only on a change."""

from __future__ import annotations

from pathlib import Path

from app.services.profiles import REGISTRY_NAME, ProfileRegistry


def test_the_last_profile_is_remembered_across_starts(tmp_path: Path):
    registry = ProfileRegistry(tmp_path)
    alice, bob = registry.create("Alice"), registry.create("Bob")
    registry.mark_used(bob.id)
    assert ProfileRegistry(tmp_path).last_used == bob.id
    registry.mark_used(alice.id)
    assert ProfileRegistry(tmp_path).last_used == alice.id


def test_reopening_the_last_profile_writes_nothing(tmp_path: Path):
    registry = ProfileRegistry(tmp_path)
    alice = registry.create("Alice")
    registry.mark_used(alice.id)
    path = tmp_path / REGISTRY_NAME
    before = path.stat()
    # A new start reopens the same profile: the file is neither rewritten nor replaced.
    ProfileRegistry(tmp_path).mark_used(alice.id)
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_missing_file_is_written_again(tmp_path: Path):
    registry = ProfileRegistry(tmp_path)
    alice = registry.create("Alice")
    registry.mark_used(alice.id)
    (tmp_path / REGISTRY_NAME).unlink()
    registry.mark_used(alice.id)
    reread = ProfileRegistry(tmp_path)
    assert reread.last_used == alice.id
    assert [p.name for p in reread.profiles] == ["Alice"]
