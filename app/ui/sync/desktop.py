"""The desktop's side of the sync engine, without Qt: what the sync controller runs on its worker.

``DesktopSync`` wraps one profile's ``SyncEngine`` (app/sync) with what only the desktop needs:
the enrolment details shown in the panel (device name, since when), a quick probe of the hub with
short timeouts, "Se déconnecter du hub", and the answers to a review item, named as the panel
names them (keep mine, keep the hub's, dismiss); the engine tells the hub at the next sync.

This module imports ``requests``, ``keyring`` and SQLAlchemy: it is loaded on the worker thread,
never on the path to the first window.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from app.models.base import utcnow
from app.models.entities import SyncState
from app.sync.credentials import TokenStore
from app.sync.engine import (
    CLOCK_SKEW_LIMIT,
    K_DEVICE_ID,
    K_DEVICE_NAME,
    K_HUB_NAME,
    K_HUB_URL,
    K_LAST_ERROR,
    EnrolmentInfo,
    ProgressCallback,
    SyncEngine,
    SyncIssueInfo,
    SyncReport,
    SyncStatus,
    clock_warning,
)
from app.sync.errors import SyncError
from app.sync.transport import HttpTransport

if TYPE_CHECKING:
    from app.services.notebook import Notebook
    from app.ui.sync.runtime import SyncRuntime

log = logging.getLogger(__name__)

# sync_state keys of the desktop (the engine's own keys are in app/sync/engine.py)
K_ENROLLED_AT = "desktop_enrolled_at"
K_LAST_HUB_URL = "desktop_last_hub_url"  # offered again after "Se déconnecter du hub"


@dataclass(frozen=True)
class Enrolment:
    """What the panel shows about the link with the hub."""

    hub_url: str
    hub_name: str
    device_name: str
    mediator_name: str
    enrolled_at: dt.datetime | None


@dataclass(frozen=True)
class SyncSnapshot:
    """The sync state read from the notebook, for the status indicator and the panel."""

    status: SyncStatus
    enrolment: Enrolment | None
    last_hub_url: str | None
    token_notice: str | None  # set when the token cannot outlive this run (no keyring)

    @property
    def clock_warning(self) -> str | None:
        skew = self.status.clock_skew_s
        if skew is None or abs(skew) <= CLOCK_SKEW_LIMIT.total_seconds():
            return None
        return clock_warning(skew)


class DesktopSync:
    def __init__(self, notebook: Notebook, profile_key: str, runtime: SyncRuntime) -> None:
        self._notebook = notebook
        self._sf = notebook.session_factory
        self.profile_key = profile_key
        self._runtime = runtime
        self._tokens: TokenStore
        self._tokens, self.token_notice = runtime.token_store()
        self.http = HttpTransport(timeout=runtime.transport_timeout, ca_bundle=runtime.ca_bundle)
        self._probe_http = HttpTransport(timeout=runtime.probe_timeout, ca_bundle=runtime.ca_bundle)
        self.engine = self._new_engine(self.http)
        self._prober: SyncEngine | None = None

    def _new_engine(self, transport: HttpTransport) -> SyncEngine:
        return SyncEngine(
            self._sf,
            transport,
            self.profile_key,
            token_store=self._tokens,
            **self._runtime.engine_options,
        )

    # ---- reading -----------------------------------------------------------------------------
    def snapshot(self) -> SyncSnapshot:
        status = self.engine.status()
        with self._sf() as db:
            state = {s.key: s.value for s in db.scalars(select(SyncState))}
        enrolment = None
        if status.enrolled:
            since = state.get(K_ENROLLED_AT)
            enrolment = Enrolment(
                hub_url=status.hub_url or "",
                hub_name=status.hub_name or "",
                device_name=state.get(K_DEVICE_NAME, ""),
                mediator_name=status.mediator_name or "",
                enrolled_at=dt.datetime.fromisoformat(since) if since else None,
            )
        notice = self.engine.token_notice or self.token_notice
        if status.token_persistent:
            notice = None
        return SyncSnapshot(
            status=status,
            enrolment=enrolment,
            last_hub_url=status.hub_url or state.get(K_LAST_HUB_URL),
            token_notice=notice,
        )

    def issues(self) -> list[SyncIssueInfo]:
        return self.engine.issues()

    # ---- network (one at a time: the controller's worker runs these in turn) ---------------
    def enrol(self, hub_url: str, code: str, device_name: str) -> EnrolmentInfo:
        info = self.engine.enrol(hub_url, code, device_name)
        self._prober = None  # it may hold the previous token
        with self._sf.begin() as db:
            _set(db, {K_ENROLLED_AT: utcnow().isoformat(), K_LAST_HUB_URL: info.hub_url})
        log.info("device linked to its hub (token kept %s)", _where(info.token_persistent))
        return info

    def sync(self, progress: ProgressCallback | None = None) -> SyncReport:
        return self.engine.sync_once(progress)

    def probe(self) -> bool:
        """Is the hub reachable? One cheap authenticated request with short timeouts (a second
        engine on the probe transport). False when it cannot be reached; the typed errors of a
        hub that answers "no" (device revoked, Carnet too old) are raised."""
        if self._prober is None:
            self._prober = self._new_engine(self._probe_http)
        return self._prober.probe()

    def cancel(self) -> None:
        """Stop a running sync at its next safe point (thread-safe)."""
        self.engine.cancel()

    def close(self) -> None:
        self.http.close()
        self._probe_http.close()

    # ---- review items ------------------------------------------------------------------------
    def keep_mine(self, issue_id: int) -> None:
        """The device's values of the conflicting fields go to the hub as a new change."""
        try:
            self.engine.resolve_issue(issue_id, "keep_mine")
        except KeyError as exc:
            raise SyncError(
                "Cette fiche n'existe plus sur cet ordinateur : il n'y a plus rien à réappliquer.",
                "record_missing",
            ) from exc

    def keep_hub(self, issue_id: int) -> None:
        """The hub's values stay (the row already holds them); the hub hears of it at the next
        sync, which settles its conflict."""
        self.engine.resolve_issue(issue_id, "dismiss")

    def dismiss(self, issue_id: int) -> None:
        self.engine.resolve_issue(issue_id, "dismiss")

    # ---- the link with the hub ---------------------------------------------------------------
    def disconnect(self) -> None:
        """Forget the hub: the token leaves the keyring, the notebook forgets the hub's address.
        Pending changes stay queued and go up after the device is linked again. The mediator,
        the epoch and the pull cursor are kept, so that linking again resumes where it was."""
        self._tokens.delete_token(self.profile_key)
        with self._sf.begin() as db:
            db.execute(
                delete(SyncState).where(
                    SyncState.key.in_(
                        (K_HUB_URL, K_DEVICE_ID, K_DEVICE_NAME, K_HUB_NAME, K_ENROLLED_AT)
                    )
                )
            )
            _set(db, {K_LAST_ERROR: ""})
        # A fresh engine: the old one keeps the token in its transport.
        self.http.configure(None, None)
        self.engine = self._new_engine(self.http)
        self._prober = None
        log.info("device unlinked from its hub")


def _set(db: Any, values: dict[str, str]) -> None:
    for key, value in values.items():
        row = db.get(SyncState, key)
        if row is None:
            db.add(SyncState(key=key, value=value))
        else:
            row.value = value


def _where(persistent: bool) -> str:
    return "in the system keyring" if persistent else "in memory only"
