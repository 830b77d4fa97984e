"""Model-based test: several devices edit, delete and sync at random under random faults.

Three laptops of one mediator and one of another mediator share one real hub on loopback.
Hypothesis picks the steps (record, edit, delete, sync with a lost request or response, a
concurrent copy, a kill at a named point of the engine…); after every example all devices sync
without faults and the invariants of sync-protocol.md are checked.

``CARNET_SYNC_EXAMPLES`` sets the number of examples (200 by default, the CI figure); raise it
to search longer, e.g. ``CARNET_SYNC_EXAMPLES=5000 pytest tests/e2e/test_state_machine.py``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from app.sync.engine import SyncEngine
from tests.e2e.conftest import start_sqlite_hub
from tests.e2e.faults import CrashAt, SimulatedCrash
from tests.e2e.harness import Device, HubServer, NotebookTemplate, check_invariants

EXAMPLES = int(os.environ.get("CARNET_SYNC_EXAMPLES", "200"))
# Memory-backed files when the system has them: the test is about logic, not fsync latency.
FAST_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None

FAULTS = [
    None,
    None,
    ("push", "drop_request"),
    ("push", "drop_response"),
    ("push", "duplicate"),
    ("push", "reset"),
    ("pull", "drop_response"),
    ("pull", "drop_request"),
    *[("crash", point) for point in SyncEngine.CHECKPOINTS if not point.startswith("reconcile")],
]
NOTES = st.sampled_from(["", "mail", "CAF", "impôts en ligne", "Ameli", "sauvegarde photos"])
DURATIONS = st.sampled_from([15, 30, 45, 60, 90])


class SyncMachine(RuleBasedStateMachine):
    hub: HubServer
    template: NotebookTemplate

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="carnet-sm-", dir=FAST_DIR))
        self.devices: list[Device] = []
        self.created: dict[str, str] = {}  # session id -> device name that created it

    @initialize()
    def setup(self) -> None:
        self.hub.reset()
        first = self.hub.new_mediator("Camille Martin")
        other = self.hub.new_mediator("Sam Durand")
        for name, mediator in (("a", first), ("b", first), ("c", first), ("d", other)):
            device = Device.create(self.folder, name, template=self.template, max_batch_ops=4)
            device.enrol(self.hub, mediator)
            self.devices.append(device)

    def teardown(self) -> None:
        for device in self.devices:
            device.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ---- steps ---------------------------------------------------------------------------
    @rule(who=st.integers(0, 3), notes=NOTES, minutes=DURATIONS)
    def record(self, who: int, notes: str, minutes: int) -> None:
        device = self.devices[who]
        sid = device.record(notes=notes, duration_min=minutes)
        self.created[sid] = device.name

    def _live(self, device: Device) -> list[str]:
        return sorted(k for k, v in device.rows().items() if v["deleted_at"] is None)

    @rule(
        who=st.integers(0, 3),
        pick=st.integers(0, 1000),
        notes=NOTES,
        minutes=DURATIONS,
        which=st.sampled_from(["notes", "duration", "both"]),
    )
    def edit(self, who: int, pick: int, notes: str, minutes: int, which: str) -> None:
        device = self.devices[who]
        live = self._live(device)
        if not live:
            return
        sid = live[pick % len(live)]
        changes: dict[str, object] = {}
        if which in ("notes", "both"):
            changes["notes"] = notes
        if which in ("duration", "both"):
            changes["duration_min"] = minutes
        device.edit(sid, **changes)

    @rule(who=st.integers(0, 3), pick=st.integers(0, 1000))
    def delete(self, who: int, pick: int) -> None:
        device = self.devices[who]
        live = self._live(device)
        if live:
            device.delete(live[pick % len(live)])

    @rule(who=st.integers(0, 3), fault=st.sampled_from(FAULTS))
    def sync(self, who: int, fault: tuple[str, str] | None) -> None:
        device = self.devices[who]
        if fault is None:
            device.sync()
        elif fault[0] == "crash":
            device.restart(checkpoint=CrashAt(fault[1]))
            with contextlib.suppress(SimulatedCrash):
                device.sync()
            device.restart()  # the app starts again on the same database
        else:
            device.transport.plan(fault[0], fault[1])
            device.sync()

    @rule(
        who=st.integers(0, 3),
        pick=st.integers(0, 1000),
        notes=NOTES,
        when=st.sampled_from(["push", "pull"]),
        fault=st.sampled_from([None, "drop_response", "duplicate"]),
    )
    def edit_during_sync(
        self, who: int, pick: int, notes: str, when: str, fault: str | None
    ) -> None:
        """The user saves an edit while a sync is on the wire (the UI never waits for it)."""
        device = self.devices[who]
        live = self._live(device)
        if not live:
            return
        sid = live[pick % len(live)]
        device.transport.before[when] = lambda: device.edit(sid, notes=notes + " (pendant)")
        if fault is not None:
            device.transport.plan(when, fault)
        device.sync()
        device.transport.before.pop(when, None)

    @rule(who=st.integers(0, 3))
    def fail_twice_then_resume(self, who: int) -> None:
        """More faults than tries: the sync gives up (nothing lost), a later one resumes."""
        device = self.devices[who]
        device.restart(max_tries=2)
        device.transport.plan("push", "drop_response", "drop_response")
        device.transport.plan("pull", "drop_request", "drop_request")
        try:
            device.sync()
        except Exception as exc:
            assert getattr(exc, "retryable", False), exc
        device.restart()

    @precondition(lambda self: len(self.devices) == 4)
    @invariant()
    def other_mediator_never_leaks(self) -> None:
        mine = set(self.devices[3].rows())
        for device in self.devices[:3]:
            assert not (mine & set(device.rows())), "fiche d'un autre médiateur reçue"

    # ---- final check -----------------------------------------------------------------------
    def check_final(self) -> None:
        for _ in range(2):  # the first round pushes everything, the second brings it to all
            for device in self.devices:
                device.sync()
        check_invariants(self.hub, self.devices, entities=("accompagnement", "venue"))
        for sid, creator in self.created.items():
            device = next(d for d in self.devices if d.name == creator)
            on_hub = self.hub.records(device.mediator_id)
            states = {e.state for e in device.outbox() if e.entity_id == sid}
            assert sid in on_hub or states == {"dropped"}, (sid, states)


class CheckedSyncMachine(SyncMachine):
    def teardown(self) -> None:
        try:
            if self.devices:
                self.check_final()
        finally:
            super().teardown()


@pytest.fixture(scope="module")
def fast_hub(hub_template: Path) -> Iterator[HubServer]:
    folder = Path(tempfile.mkdtemp(prefix="carnet-hub-sm-", dir=FAST_DIR))
    server = start_sqlite_hub(hub_template, folder)
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_random_edits_syncs_and_faults_keep_every_promise(fast_hub, notebook_template):
    CheckedSyncMachine.hub = fast_hub
    CheckedSyncMachine.template = NotebookTemplate.__new__(NotebookTemplate)
    # the migrated notebook template, copied to memory-backed storage once
    fast_template = Path(tempfile.mkdtemp(prefix="carnet-modele-", dir=FAST_DIR)) / "modele.db"
    shutil.copyfile(notebook_template.path, fast_template)
    CheckedSyncMachine.template.path = fast_template
    # Client, hub loop and hub worker threads hand the GIL to each other on every request: a
    # short switch interval cuts that latency (the default 5 ms dominates a loopback call).
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)
    try:
        _run()
    finally:
        sys.setswitchinterval(previous)
        shutil.rmtree(fast_template.parent, ignore_errors=True)


def _run() -> None:
    run_state_machine_as_test(
        CheckedSyncMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
            print_blob=True,
        ),
    )
