"""The client sync engine: push the outbox, then pull the hub's changes (docs/protocole-sync.md).

What a mediator saved is never lost and never counted twice:

* **Push.** Pending outbox entries are grouped by record (several local edits of one record travel
  as one op: its latest state, based on the last hub version this device held exactly). A batch
  (≤ 1000 ops, ≤ 256 KB gzip) is *stored* before it is sent; on a transport error, a timeout or a
  crash it is sent again byte for byte, and the hub answers ``duplicate`` for what it already
  applied. Entries are marked acknowledged only from the hub's results, in one local transaction;
  the row's version follows the hub only if the row did not change meanwhile (no newer outbox
  entry and the version sent, in bulk for the common case; else the content hash).
  Rejections, conflicts and edits of deleted records become review items (``sync_issue``).
* **Pull.** Pages in the hub's commit order; each page *and* its cursor are applied in one local
  transaction; a row with local changes not yet acknowledged is never overwritten; hub changes
  write no outbox entry (they are not echoed back), and the hub does not send back what this
  device pushed as it holds it (``own=skip``, except in a full re-pull). ``cursor_expired`` starts a full re-pull that
  finally drops the synced rows the hub no longer has.
* **Restore.** A new hub epoch triggers a reconcile: the hub says which of our records it lacks or
  holds in an older version, we queue them again, and pull everything from 0.
* No DB transaction is ever open across network I/O; ``cancel()`` stops at the next safe point
  and any later ``sync_once()`` (even from a fresh process) resumes where it stopped.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from app import __version__
from app.collector import fewer_collections
from app.models.base import Base, utcnow
from app.models.beneficiary_merge import BeneficiaryMerger
from app.models.bulk import insert_rows
from app.models.entities import Beneficiary, BeneficiaryAlias, OutboxEntry, SyncState
from app.models.ids import new_id
from app.models.indexing import deferred_indexing
from app.models.payloads import (
    SYNCED_ENTITIES,
    SyncedModel,
    apply_payload,
    content_hash,
    outbox_entry,
    payload_values,
    record_payload,
)
from app.models.sync_tables import SyncBase, SyncBatch, SyncDeferred, SyncIssue
from app.models.training import (
    CATALOGUE_ETAG_KEY,
    TrainingPath,
    apply_catalogue_snapshot,
    catalogue_state,
)
from app.models.training_format import PathFormatError
from app.sync import wire
from app.sync.credentials import MemoryTokenStore, NoKeyringError, TokenStore, open_token_store
from app.sync.errors import (
    CursorExpired,
    NotEnrolled,
    RateLimited,
    SyncBusy,
    SyncCancelled,
    SyncError,
    TransportError,
)
from app.sync.transport import Backoff, Transport, normalize_hub_url

log = logging.getLogger(__name__)

T = TypeVar("T")

CLOCK_SKEW_LIMIT = dt.timedelta(minutes=10)

# outbox states
PENDING = "pending"
INFLIGHT = "inflight"
ACKED = "acked"
CONFLICT = "conflict"
GONE = "gone"
REJECTED = "rejected"
DROPPED = "dropped"  # created then deleted before any sync: nothing to send
UNSENT = (PENDING, INFLIGHT)
_SENT = (INFLIGHT, ACKED, CONFLICT, GONE, REJECTED)  # entries that left for the hub once

# sync_issue.resolution of a conflict where the user kept the hub's values: "keep_hub" until
# the hub has been told, then "keep_hub_sent".
KEEP_HUB = "keep_hub"
KEEP_HUB_SENT = "keep_hub_sent"

# sync_state keys
K_HUB_URL = "hub_url"
K_DEVICE_ID = "device_id"
K_DEVICE_NAME = "device_name"
K_MEDIATOR_ID = "mediator_id"
K_MEDIATOR_NAME = "mediator_name"
K_HUB_NAME = "hub_name"
K_EPOCH = "epoch"
K_CURSOR = "cursor"
K_PASS = "pull_pass"
K_REPULL = "full_repull"
K_LAST_SYNC = "last_sync_at"
K_LAST_ERROR = "last_error"
K_CLOCK_SKEW = "clock_skew_s"
K_CATALOGUE = "catalogue_json"

REASONS = {
    CONFLICT: (
        "Cette fiche a aussi été modifiée sur un autre appareil, sur les mêmes champs. La "
        "version du hub a été gardée ; la vôtre est conservée ici pour que vous choisissiez."
    ),
    GONE: (
        "Cette fiche avait été supprimée sur un autre appareil : la suppression l'emporte. "
        "Votre modification est conservée ici."
    ),
    REJECTED: "Le hub a refusé cette modification.",
    DROPPED: "Créée puis supprimée avant toute synchronisation : rien à envoyer au hub.",
}

ADVICE = {
    CONFLICT: (
        "Comparez les deux versions : gardez celle du hub (rien à faire) ou réappliquez la vôtre."
    ),
    GONE: "Si la fiche doit exister, saisissez-la à nouveau.",
    REJECTED: "Corrigez la fiche puis synchronisez à nouveau, ou ignorez ce message.",
}


@dataclass(frozen=True)
class SyncProgress:
    phase: str  # push | pull | reconcile | catalogue
    done: int
    total: int | None
    message: str


ProgressCallback = Callable[[SyncProgress], None]


@dataclass
class SyncReport:
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    batches: int = 0
    retries: int = 0
    applied: int = 0
    duplicate: int = 0
    conflicts: int = 0
    gone: int = 0
    rejected: int = 0
    pulled: int = 0
    skipped_pending: int = 0
    epoch_changed: bool = False
    requeued: int = 0
    cursor_reset: bool = False
    clock_skew_s: float | None = None
    clock_warning: str | None = None
    catalogue_updated: bool = False
    catalogue_error: str | None = None
    merged: int = 0  # duplicate beneficiaries (one code, two ids) merged into the canonical one
    repointed: int = 0  # sessions moved from a merged duplicate to the canonical beneficiary

    @property
    def acknowledged(self) -> int:
        return self.applied + self.duplicate


@dataclass(frozen=True)
class EnrolmentInfo:
    hub_url: str
    hub_name: str
    device_id: str
    mediator_id: str
    mediator_name: str
    token_persistent: bool
    notice: str | None = None


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    hub_url: str | None
    hub_name: str | None
    mediator_name: str | None
    device_id: str | None
    token_available: bool
    token_persistent: bool
    pending: int
    open_issues: int
    last_sync_at: dt.datetime | None
    last_error: str | None
    clock_skew_s: float | None


@dataclass(frozen=True)
class SyncIssueInfo:
    id: int
    kind: str  # rejected | conflict | gone
    entity: str
    entity_id: str
    code: str | None
    reason: str
    advice: str
    local_payload: dict[str, Any]
    hub_payload: dict[str, Any] | None
    fields: list[str]  # the conflicting fields, when the hub named them
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str | None


@dataclass
class _Batch:
    batch_id: str
    body: str
    ops: list[wire.PushOp] = field(default_factory=list)


class SyncEngine:
    """One profile's sync with its hub. Safe to run on a worker thread; one sync at a time.

    ``checkpoint(name)`` is called at the named points of ``CHECKPOINTS`` (the fault harness
    raises from there to simulate a process killed at that point).
    """

    CHECKPOINTS = (
        "push.batch_stored",
        "push.response_received",
        "push.results_applied",
        "pull.page_received",
        "pull.page_applied",
        "reconcile.answered",
    )

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        transport: Transport,
        profile_key: str,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        token_store: TokenStore | None = None,
        checkpoint: Callable[[str], None] | None = None,
        max_tries: int = 4,
        backoff: Backoff | None = None,
        pull_limit: int = wire.PULL_LIMIT_MAX,
        max_batch_ops: int = wire.MAX_OPS_PER_BATCH,
        max_batch_bytes: int = wire.MAX_BATCH_GZIP_BYTES,
        app_version: str = __version__,
    ) -> None:
        self._sf = session_factory
        self._transport = transport
        self.profile_key = profile_key
        self._clock = clock
        self.token_notice: str | None = None
        if token_store is None:
            token_store, self.token_notice = open_token_store()
        self._tokens: TokenStore = token_store
        self._checkpoint_hook = checkpoint
        self.max_tries = max(1, max_tries)
        self._backoff = backoff or Backoff()
        self.pull_limit = max(1, min(pull_limit, wire.PULL_LIMIT_MAX))
        self.max_batch_ops = max(1, min(max_batch_ops, wire.MAX_OPS_PER_BATCH))
        self.max_batch_bytes = max_batch_bytes
        self.app_version = app_version
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._deferred_cursor: tuple[int, int] | None = None  # (from, to): see _pull_all
        self._configured = False
        self._hub_catalogue: str | None = None  # the catalogue ETag the last pull announced
        self._known_epoch: str | None = None  # the hub epoch held, once read in a sync
        self._held_catalogue: str | None = None  # the catalogue ETag held, read at its start
        # The hub's counter this device's pushes have carried its cursor to, without anything
        # else in between (None: broken, pull), and the catalogue ETag the pushes announced.
        self._chain: int | None = None
        self._pushed_catalogue: str | None = None

    # ==== public API =============================================================================
    def enrol(self, hub_url: str, code: str, device_name: str) -> EnrolmentInfo:
        """Exchange a one-time enrolment code for this device's token (kept in the keyring)."""
        url = normalize_hub_url(hub_url)
        with self._exclusive():
            answer = self._transport.enrol(
                url,
                wire.EnrolRequest(
                    code=code.strip().upper(),
                    device_name=device_name.strip() or "Carnet",
                    app_version=self.app_version,
                ),
            )
            with self._sf() as db:
                known_mediator = _get(db, K_MEDIATOR_ID)
            if known_mediator and known_mediator != answer.mediator_id:
                raise SyncError(
                    "Ce carnet appartient à un autre médiateur que celui de ce code d'enrôlement. "
                    "Ouvrez le bon profil, ou demandez un code pour le bon médiateur.",
                    "mediator_mismatch",
                )
            try:
                self._tokens.set_token(self.profile_key, answer.token)
            except NoKeyringError as exc:
                self._tokens = MemoryTokenStore()
                self._tokens.set_token(self.profile_key, answer.token)
                self.token_notice = exc.message
            with self._sf.begin() as db:
                values = {
                    K_HUB_URL: url,
                    K_DEVICE_ID: answer.device_id,
                    K_DEVICE_NAME: device_name.strip(),
                    K_MEDIATOR_ID: answer.mediator_id,
                    K_MEDIATOR_NAME: answer.mediator_name,
                    K_HUB_NAME: answer.hub_name,
                }
                # A device re-enrolled after a hub change keeps its old epoch: the next sync
                # sees the difference and reconciles.
                if _get(db, K_EPOCH) is None:
                    values[K_EPOCH] = answer.epoch
                    values[K_CURSOR] = "0"
                values[K_LAST_ERROR] = ""
                _set_many(db, values)
            self._transport.configure(url, answer.token)
            self._configured = True
            log.info("device enrolled on %s", url)
            return EnrolmentInfo(
                hub_url=url,
                hub_name=answer.hub_name,
                device_id=answer.device_id,
                mediator_id=answer.mediator_id,
                mediator_name=answer.mediator_name,
                token_persistent=self._tokens.persistent,
                notice=self.token_notice,
            )

    def sync_once(self, progress: ProgressCallback | None = None) -> SyncReport:
        """Push everything pending, then pull until up to date. Raises a SyncError subclass
        (with ``.report`` set) when it cannot finish; what was done is kept."""
        report = SyncReport(started_at=self._clock())
        # (A batch allocates tens of thousands of short-lived objects: see app/collector.py.)
        with self._exclusive(), fewer_collections():
            self._cancel.clear()
            self._hub_catalogue = None
            self._deferred_cursor = None
            self._known_epoch = self._held_catalogue = None  # (read again by the preflight)
            try:
                self._ensure_configured()
                # What a sync with nothing to do needs, read at once (see _Preflight).
                pre: _Preflight | None = self._preflight()
                for _round in range(3):
                    start = self._start_chain(pre)
                    sent = self._push_all(report, progress, pre)
                    self._report_resolutions(report, pre)
                    merge_edits = report.merged + report.repointed
                    if sent and start is not None and self._chain is not None:
                        # Nothing reached the hub between the last pull and these batches but
                        # them, as sent: the cursor passes over them without a pull.
                        self._deferred_cursor = (start, self._chain)
                        self._hub_catalogue = self._pushed_catalogue
                        restored = False
                    else:
                        restored = self._pull_all(report, progress, None if sent else pre)
                    pre = None
                    if not restored and report.merged + report.repointed == merge_edits:
                        break
                    # The hub was restored during the pull (push what it lost), or merging a
                    # duplicate beneficiary made local edits (push them now): then pull again.
                self._fetch_catalogue(report, progress)
            except SyncError as exc:
                self._finish(report, error=exc)
                exc.report = report
                raise
            self._finish(report, error=None)
            return report

    def cancel(self) -> None:
        """Stop at the next safe point (between batches or pages, or during a backoff wait)."""
        self._cancel.set()

    def probe(self) -> bool:
        """One cheap request: is the hub reachable and does it accept this device?"""
        try:
            self._ensure_configured()
            self._transport.status()
        except (TransportError, NotEnrolled):
            return False
        return True

    def status(self) -> SyncStatus:
        with self._sf() as db:
            state = _all_state(db)
            pending = db.scalar(select(func.count()).where(OutboxEntry.state.in_(UNSENT))) or 0
            issues = db.scalar(select(func.count()).where(SyncIssue.resolved_at.is_(None))) or 0
        last = state.get(K_LAST_SYNC)
        skew = state.get(K_CLOCK_SKEW)
        token = self._safe_token()
        return SyncStatus(
            enrolled=bool(state.get(K_HUB_URL) and state.get(K_DEVICE_ID)),
            hub_url=state.get(K_HUB_URL),
            hub_name=state.get(K_HUB_NAME),
            mediator_name=state.get(K_MEDIATOR_NAME),
            device_id=state.get(K_DEVICE_ID),
            token_available=token is not None,
            token_persistent=self._tokens.persistent,
            pending=pending,
            open_issues=issues,
            last_sync_at=dt.datetime.fromisoformat(last) if last else None,
            last_error=state.get(K_LAST_ERROR) or None,
            clock_skew_s=float(skew) if skew else None,
        )

    def issues(self, include_resolved: bool = False) -> list[SyncIssueInfo]:
        """Review items for the "Modifications refusées et conflits" panel, newest first."""
        with self._sf() as db:
            query = select(SyncIssue).order_by(SyncIssue.id.desc())
            if not include_resolved:
                query = query.where(SyncIssue.resolved_at.is_(None))
            return [
                SyncIssueInfo(
                    id=i.id,
                    kind=i.kind,
                    entity=i.entity,
                    entity_id=i.entity_id,
                    code=i.code,
                    reason=i.reason,
                    advice=ADVICE.get(i.kind, ""),
                    local_payload=json.loads(i.local_payload),
                    hub_payload=json.loads(i.hub_payload) if i.hub_payload else None,
                    fields=json.loads(i.fields) if i.fields else [],
                    created_at=i.created_at,
                    resolved_at=i.resolved_at,
                    resolution=i.resolution,
                )
                for i in db.scalars(query)
            ]

    def resolve_issue(self, issue_id: int, action: str = "dismiss") -> None:
        """Settle a review item (a local write; the hub hears of it at the next sync).

        ``dismiss``: the user has read it (for a conflict: the hub's values are kept, as the
        row already shows). ``keep_mine`` (conflicts only): the user's values of the
        conflicting fields are written back over the hub's, as a new change for the hub."""
        if action not in ("dismiss", "keep_mine"):
            raise ValueError(action)
        with self._sf.begin() as db:
            issue = db.get(SyncIssue, issue_id)
            if issue is None or issue.resolved_at is not None:
                return
            if action == "keep_mine":
                if issue.kind != CONFLICT:
                    raise ValueError("keep_mine only applies to conflicts")
                self._reapply_mine(db, issue)
            issue.resolved_at = self._clock()
            # A conflict settled with the hub's values is reported to the hub (see
            # _report_resolutions); keep_mine settles it by the write itself.
            issue.resolution = (
                KEEP_HUB if issue.kind == CONFLICT and action == "dismiss" else action
            )

    def _reapply_mine(self, db: Session, issue: SyncIssue) -> None:
        model = SYNCED_ENTITIES[issue.entity]
        row: Any = db.get(model, issue.entity_id)
        if row is None:
            raise KeyError(issue.entity_id)
        mine = json.loads(issue.local_payload)
        theirs = json.loads(issue.hub_payload) if issue.hub_payload else {}
        # Only the fields in conflict: the others on the hub may hold another device's
        # changes that this device's old copy does not have.
        names = json.loads(issue.fields) if issue.fields else None
        if names is None:
            meta = {"id", "version", "created_at", "updated_at", "deleted_at"}
            names = [k for k in mine if k not in meta and mine.get(k) != theirs.get(k)]
        chosen = {k: mine[k] for k in names if k in mine}
        base = row.version
        if model is TrainingPath:  # its modules travel in the payload, not in columns
            apply_payload(db, model, {**record_payload(db, row), **chosen})
        else:
            for key, value in payload_values(model, chosen).items():
                setattr(row, key, value)
        row.updated_at = utcnow()
        row.version = base + 1
        db.flush()
        db.add(outbox_entry(row, wire.OP_UPSERT, base, record_payload(db, row)))

    def catalogue(self) -> dict[str, Any] | None:
        """The last catalogue snapshot received from the hub (None before the first one)."""
        with self._sf() as db:
            raw = _get(db, K_CATALOGUE)
        return json.loads(raw) if raw else None

    # ==== plumbing ===============================================================================
    def _engine(self) -> Engine:
        bind = self._sf.kw.get("bind")
        if not isinstance(bind, Engine):
            raise TypeError("the session factory must be bound to an Engine")
        return bind

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction for data that comes from the hub. Foreign keys are checked by
        the hub, per mediator; here a session may arrive a page before the venue it references,
        so the check is off for this connection, then on again before it returns to the pool."""
        with self._engine().connect() as conn:
            # Outside SQLite's transaction (nothing written yet), so the pragma takes effect.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
            try:
                with Session(bind=conn, expire_on_commit=False) as db:
                    yield db
                    db.commit()
            finally:
                conn.rollback()
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()

    @contextmanager
    def _bookkeeping(self) -> Iterator[Connection]:
        """A write of the sync's own bookkeeping (last sync time, clock skew, last error, an
        empty page's cursor), committed without waiting for the disk (synchronous=NORMAL, for
        this connection, then FULL again before it returns to the pool). In WAL mode a power
        cut can lose this last commit, never damage the file; losing it costs a pull that
        finds nothing new. Records and the outbox are always written with FULL."""
        with self._engine().connect() as conn:
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
            conn.commit()
            try:
                yield conn
                conn.commit()
            finally:
                conn.rollback()
                conn.exec_driver_sql("PRAGMA synchronous=FULL")
                conn.commit()

    def _preflight(self) -> _Preflight:
        """One read for what a sync with nothing to do needs: then it sends one request
        and writes only its bookkeeping."""
        with self._sf() as db:
            cursor = _driver(db)
            unsent, stored, keep_hub, sent = cursor.execute(
                "SELECT "
                f"(SELECT count(*) FROM outbox WHERE state IN ({','.join('?' * len(UNSENT))})), "
                "EXISTS (SELECT 1 FROM sync_batch), "
                "EXISTS (SELECT 1 FROM sync_issue WHERE kind = ? AND resolution = ?), "
                f"EXISTS (SELECT 1 FROM outbox WHERE state IN ({','.join('?' * len(_SENT))}))",
                (*UNSENT, CONFLICT, KEEP_HUB, *_SENT),
            ).fetchone()
            keys = (K_CURSOR, K_REPULL, K_EPOCH, CATALOGUE_ETAG_KEY)
            state = dict(
                cursor.execute(
                    f"SELECT key, value FROM sync_state WHERE key IN ({','.join('?' * len(keys))})",
                    keys,
                ).fetchall()
            )
        self._known_epoch = state.get(K_EPOCH)
        self._held_catalogue = state.get(CATALOGUE_ETAG_KEY)
        return _Preflight(int(unsent), bool(stored), bool(keep_hub), bool(sent), state)

    def _exclusive(self) -> _Exclusive:
        return _Exclusive(self._lock)

    def _checkpoint(self, name: str) -> None:
        if self._checkpoint_hook is not None:
            self._checkpoint_hook(name)

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise SyncCancelled(
                "Synchronisation interrompue ; elle reprendra là où elle s'est arrêtée."
            )

    def _safe_token(self) -> str | None:
        try:
            return self._tokens.get_token(self.profile_key)
        except NoKeyringError:
            return None

    def _ensure_configured(self) -> None:
        if self._configured:
            return
        with self._sf() as db:
            url = _get(db, K_HUB_URL)
        if not url:
            raise NotEnrolled(
                "Cet appareil n'est pas encore relié à un hub : utilisez « Relier au hub » avec "
                "le code donné par votre coordinateur."
            )
        try:
            token = self._tokens.get_token(self.profile_key)
        except NoKeyringError as exc:
            raise SyncError(exc.message, "keyring") from exc
        if not token:
            raise NotEnrolled(
                "Le jeton de cet appareil n'est plus disponible (trousseau vide ou Carnet "
                "redémarré sans trousseau) : reliez à nouveau l'appareil au hub avec un code."
            )
        self._transport.configure(url, token)
        self._configured = True

    def _call(self, fn: Callable[[], T], report: SyncReport) -> T:
        """Call the hub, retrying transport errors with backoff and jitter (bounded tries).
        The callable must send the same request every time."""
        self._backoff.reset()
        tries = 0
        while True:
            self._check_cancel()
            tries += 1
            try:
                return fn()
            except RateLimited as exc:
                if tries >= self.max_tries or exc.retry_after > 60:
                    raise
                delay = exc.retry_after
            except TransportError:
                if tries >= self.max_tries:
                    raise
                delay = self._backoff.next_delay()
            report.retries += 1
            if self._cancel.wait(delay):
                self._check_cancel()

    def _finish(self, report: SyncReport, error: SyncError | None) -> None:
        """Record the outcome, and the clock skew seen from the hub's Date header."""
        report.finished_at = self._clock()
        values: dict[str, str] = {}
        server = self._transport.last_server_date
        if server is not None:
            skew = (report.finished_at - server).total_seconds()
            report.clock_skew_s = skew
            if abs(skew) > CLOCK_SKEW_LIMIT.total_seconds():
                report.clock_warning = clock_warning(skew)
            values[K_CLOCK_SKEW] = f"{skew:.0f}"
        if error is None:
            values.update({K_LAST_SYNC: report.finished_at.isoformat(), K_LAST_ERROR: ""})
        elif not isinstance(error, SyncCancelled):
            values[K_LAST_ERROR] = error.message
        deferred, self._deferred_cursor = self._deferred_cursor, None
        with self._bookkeeping() as conn:
            # An empty page's cursor, unless the cursor moved since (a reset after a restore).
            if deferred is not None:
                held = conn.execute(select(SyncState.value).where(SyncState.key == K_CURSOR))
                if int(held.scalar() or 0) == deferred[0]:
                    values[K_CURSOR] = str(deferred[1])
            _set_many(conn, values)

    # ==== push ===================================================================================
    def _push_all(
        self, report: SyncReport, progress: ProgressCallback | None, pre: _Preflight | None = None
    ) -> bool:
        """Send the stored batches, then the outbox, batch after batch, one request at a time.
        The device and the hub work at the same time: while the hub applies a batch, the next
        one is prepared (stored, its entries in flight) from records that are not on the
        wire, and it is sent as soon as the answer arrives, before that answer is applied.
        Results are still applied one batch after the other, in order. Returns whether
        anything was sent."""
        if pre is not None and not pre.unsent and not pre.stored_batch:
            return False  # nothing to send: no thread, no query
        if pre is not None:
            total = pre.unsent
        else:
            with self._sf() as db:
                total = db.scalar(select(func.count()).where(OutboxEntry.state.in_(UNSENT))) or 0
        done = 0

        def tell() -> None:
            if progress:
                progress(
                    SyncProgress(
                        "push", done, total, f"Envoi au hub : {done} / {total} modifications"
                    )
                )

        def send(batch: _Batch) -> Future[wire.PushResponse]:
            return wire_thread.submit(
                self._call, partial(self._transport.push, batch.body.encode()), report
            )

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="carnet-push") as wire_thread:
            self._check_cancel()
            batch = self._next_batch(None, (pre.stored_batch, pre.unsent > 0) if pre else None)
            if batch is None:
                return False
            tell()
            on_the_wire = send(batch)
            while True:
                upcoming: _Batch | None = None
                next_on_the_wire: Future[wire.PushResponse] | None = None
                try:
                    # (A batch that is not full took everything pending: nothing to prepare.)
                    if len(batch.ops) >= self.max_batch_ops:
                        upcoming = self._next_batch(batch)
                    response = on_the_wire.result()
                    self._checkpoint("push.response_received")
                    if upcoming is not None:
                        next_on_the_wire = send(upcoming)
                    done += self._apply_results(batch, response, report)
                    report.batches += 1
                    tell()
                    self._checkpoint("push.results_applied")
                    restored = self._check_epoch(response.epoch, report, progress)
                    self._follow_chain(response, restored)
                    self._check_cancel()
                except BaseException:
                    # Requests end before the error goes up (their batches stay stored).
                    wait([f for f in (on_the_wire, next_on_the_wire) if f is not None])
                    raise
                if upcoming is not None and next_on_the_wire is not None:
                    batch, on_the_wire = upcoming, next_on_the_wire
                    continue
                following = self._next_batch(None)
                if following is None:
                    return True
                batch, on_the_wire = following, send(following)

    def _start_chain(self, pre: _Preflight | None) -> int | None:
        """The cursor the pushes of this round may carry forward (see _follow_chain): only in
        the first round, from the preflight, and not during a full re-pull."""
        self._chain = self._pushed_catalogue = None
        if pre is None or pre.state.get(K_REPULL) == "1":
            return None
        self._chain = int(pre.state.get(K_CURSOR) or 0)
        return self._chain

    def _follow_chain(self, response: wire.PushResponse, restored: bool) -> None:
        """A batch the hub wrote exactly as sent, starting at the counter the chain is at (the
        cursor, or the previous batch's end), moves the chain to its end; anything else (a
        merge, another device's write in between, a hub that does not say, a restore) breaks
        it, and the sync pulls as usual."""
        if self._chain is None:
            return
        if restored or response.seq_after is None or response.seq_before != self._chain:
            self._chain = None
            return
        self._chain = response.seq_after
        self._pushed_catalogue = response.catalogue

    def _next_batch(
        self, on_the_wire: _Batch | None, waiting: tuple[bool, bool] | None = None
    ) -> _Batch | None:
        """The next batch to send, other than ``on_the_wire`` and without its records.
        ``waiting``: whether a batch is stored and whether entries may be pending (the
        preflight's count also holds entries in flight), when known; else read first: after
        the last batch the usual answer is "nothing", in one read instead of a query for
        stored batches and a write transaction to build one."""
        if on_the_wire is None:
            stored, pending = waiting if waiting is not None else self._waiting()
            return (self._stored_batch() if stored else None) or (
                self._build_batch() if pending else None
            )
        return self._stored_batch(skip=on_the_wire.batch_id) or self._build_batch(
            {op.entity_id for op in on_the_wire.ops}
        )

    def _waiting(self) -> tuple[bool, bool]:
        """(a batch is stored, an entry is pending), in one read."""
        with self._sf() as db:
            stored, pending = (
                _driver(db)
                .execute(
                    "SELECT EXISTS (SELECT 1 FROM sync_batch), "
                    "EXISTS (SELECT 1 FROM outbox WHERE state = ?)",
                    (PENDING,),
                )
                .fetchone()
            )
        return bool(stored), bool(pending)

    def _stored_batch(self, skip: str | None = None) -> _Batch | None:
        with self._sf() as db:
            query = select(SyncBatch).order_by(SyncBatch.created_at, SyncBatch.batch_id)
            if skip is not None:
                query = query.where(SyncBatch.batch_id != skip)
            stored = db.scalars(query).first()
            if stored is None:
                return None
            batch = _Batch(stored.batch_id, stored.body)
        request = wire.PushRequest.from_json(json.loads(batch.body))
        batch.ops = request.ops
        return batch

    def _build_batch(self, busy: set[str] | None = None) -> _Batch | None:
        """Group pending entries by record, store the batch and mark its entries in flight, in
        one transaction. Returns None when nothing is pending (records in ``busy``, on the
        wire now, wait for a later batch)."""
        window = self.max_batch_ops * 5
        with self._sf.begin() as db:
            # Straight to the driver: plain tuples, no ORM rows for thousands of entries.
            cursor = _driver(db)
            while True:
                # The window in light rows (seq, entity_id); the payloads only of the entries
                # sent (below).
                entries = cursor.execute(
                    "SELECT seq, entity_id FROM outbox WHERE state = ? ORDER BY seq LIMIT ?",
                    (PENDING, window),
                ).fetchall()
                if not entries:
                    return None
                groups: dict[str, list[int]] = {}
                for seq, entity_id in entries:
                    if busy and entity_id in busy:
                        continue
                    group = groups.get(entity_id)
                    if group is None:
                        if len(groups) >= self.max_batch_ops:
                            continue
                        groups[entity_id] = group = []
                    group.append(seq)
                if not groups:
                    return None  # all of them wait for the batch on the wire
                bases = _bases(db, groups)
                latest: dict[int, tuple[Any, ...]] = {}
                latest.update(
                    (row[0], row)
                    for row in _rows_in(
                        cursor,
                        f"SELECT {_ENTRY_SQL} FROM outbox WHERE seq IN ({{}})",
                        [group[-1] for group in groups.values()],
                    )
                )
                ops: list[wire.PushOp] = []
                members: list[list[int]] = []
                for entity_id, group in groups.items():
                    _, op_id, entity, op, payload, _, schema_version = latest[group[-1]]
                    base = bases.get(entity_id)
                    if op == wire.OP_DELETE and base is None:
                        _set_seq_state(db, group, DROPPED, REASONS[DROPPED])
                        continue
                    ops.append(
                        wire.PushOp(
                            op_id,
                            entity,
                            entity_id,
                            op,
                            base or 0,
                            schema_version,
                            # Not sent: the hub does not use it, and a SHA-256 is 64 characters
                            # gzip cannot shrink. Results are checked against the entry's hash.
                            None,
                            payload_text=payload,  # sent as stored, never decoded here
                        )
                    )
                    members.append(group)
                if not ops:
                    continue  # only dropped entries in this window; look further
                batch_id = new_id()
                ops, members, body_bytes = self._fit(db, batch_id, ops, members)
                if not ops:
                    continue
                body = body_bytes.decode("utf-8")
                _set_seq_state(db, [seq for group in members for seq in group], INFLIGHT, None)
                db.add(SyncBatch(batch_id=batch_id, body=body, op_count=len(ops)))
                break
        self._checkpoint("push.batch_stored")
        return _Batch(batch_id, body, ops)

    def _fit(
        self,
        db: Session,
        batch_id: str,
        ops: list[wire.PushOp],
        members: list[list[int]],
    ) -> tuple[list[wire.PushOp], list[list[int]], bytes]:
        """Shrink the batch until it is under the gzip bound; an op too large to ever be sent
        alone is rejected here, visibly. Returns the ops kept, their entries and the body."""
        while ops:
            body = wire.PushRequest(batch_id, ops).encode()
            # Cheap upper bound first: a body under the bound needs no trial compression.
            small = len(body) <= self.max_batch_bytes
            size = len(body) if small else len(wire.gzip_bytes(body))
            if size <= self.max_batch_bytes and len(body) <= wire.MAX_BODY_UNCOMPRESSED:
                return ops, members, body
            if len(ops) > 1:
                keep = max(1, len(ops) // 2)
                ops, members = ops[:keep], members[:keep]
                continue
            if size <= wire.MAX_BODY_COMPRESSED and len(body) <= wire.MAX_BODY_UNCOMPRESSED:
                return ops, members, body  # one big op: over the soft bound, under the limit
            reason = (
                "Cette fiche est trop volumineuse pour être envoyée au hub (plus de 1 Mo "
                "compressé). Raccourcissez ses notes puis synchronisez à nouveau."
            )
            _set_seq_state(db, members[0], REJECTED, reason)
            refused = wire.PushResult(ops[0].op_id, wire.STATUS_REJECTED, code="too_large")
            self._add_issue(db, ops[0], REJECTED, reason, refused)
            return [], [], b""
        return ops, members, b""

    def _apply_results(self, batch: _Batch, response: wire.PushResponse, report: SyncReport) -> int:
        results = {r.op_id: r for r in response.results}
        handled = 0
        with self._write() as db, db.no_autoflush:
            entity_ids = [op.entity_id for op in batch.ops]
            inflight: dict[str, list[Any]] = {}
            newer: set[str] = set()
            held: dict[str, SyncDeferred] = {}
            cursor = _driver(db)
            for chunk in _chunks(entity_ids, 500):
                # Straight to the driver: plain tuples for a thousand entries. ``+state``:
                # by the entity index; SQLite's planner took the state index, reading every
                # unsent entry of the queue for each chunk (4x slower in a first sync).
                found = cursor.execute(
                    "SELECT seq, entity_id, content_hash, state FROM outbox "
                    f"WHERE +state IN ({','.join('?' * len(UNSENT))}) "
                    f"AND entity_id IN ({','.join('?' * len(chunk))}) ORDER BY seq",
                    (*UNSENT, *chunk),
                )
                for entry in map(_Entry._make, found):
                    if entry.state == INFLIGHT:
                        inflight.setdefault(entry.entity_id, []).append(entry)
                    else:
                        newer.add(entry.entity_id)
                for deferred in db.scalars(
                    select(SyncDeferred).where(SyncDeferred.entity_id.in_(chunk))
                ):
                    held[deferred.entity_id] = deferred
            outcome = _Outcomes()
            plain, others = _plain_results(db, batch.ops, results, newer, held)
            rows = _load_rows(db, [(op.entity, op.entity_id) for op in others])
            bases = _base_rows(db, [op.entity_id for op in others])
            merger = BeneficiaryMerger(db)
            for op in others:
                newer.update(merger.edited)  # re-pointed by a merge: a pending local edit now
                group = inflight.get(op.entity_id, [])
                result = results.get(op.op_id)
                if result is None:
                    outcome.add(group, PENDING, None)  # missing from the answer: stays pending
                    continue
                handled += len(group)
                row = rows.get(op.entity_id)
                # The state this op sent: its outbox entry's hash (older stored batches carry it).
                sent_hash = group[-1].content_hash if group else op.content_hash
                unchanged = (
                    op.entity_id not in newer
                    and row is not None
                    and content_hash(record_payload(db, row)) == sent_hash
                )
                settle_above: int | None = None
                if result.status in (wire.STATUS_APPLIED, wire.STATUS_DUPLICATE):
                    outcome.add(group, ACKED, None)
                    if result.status == wire.STATUS_APPLIED:
                        report.applied += 1
                    else:
                        report.duplicate += 1
                    version = result.version
                    if result.hub_payload and version is not None:
                        # Merged with another device's edit: the hub sent the merged row.
                        if op.entity_id not in newer:
                            self._write_hub_row(db, op.entity, result.hub_payload, version, merger)
                            _set_base(db, bases, op.entity, op.entity_id, version)
                    # The hub adds 1 per change: base+1 means it stored exactly our content
                    # (no merge with another device's edit), so it is our new exact base.
                    elif version is not None and version == op.base_version + 1:
                        _set_base(db, bases, op.entity, op.entity_id, version)
                        if unchanged and row is not None:
                            row.version = version  # type: ignore[attr-defined]
                    # A merged row comes down with the pull; held-back hub states older than
                    # our applied change are obsolete.
                    settle_above = version
                elif result.status == wire.STATUS_CONFLICT:
                    report.conflicts += 1
                    reason = result.reason or REASONS[CONFLICT]
                    outcome.add(group, CONFLICT, reason)
                    self._add_issue(db, op, CONFLICT, reason, result)
                    if result.hub_payload and op.entity_id not in newer:
                        # Devices must agree: take the hub's value; ours is in the review item.
                        hub_version = int(result.hub_payload.get("version") or result.version or 0)
                        self._write_hub_row(db, op.entity, result.hub_payload, hub_version, merger)
                        _set_base(db, bases, op.entity, op.entity_id, hub_version)
                elif result.status == wire.STATUS_GONE:
                    report.gone += 1
                    reason = result.reason or REASONS[GONE]
                    outcome.add(group, GONE, reason)
                    self._add_issue(db, op, GONE, reason, result)
                    if op.entity_id not in newer:
                        self._apply_gone(db, bases, op, row, result, merger)
                else:
                    report.rejected += 1
                    reason = result.reason or REASONS[REJECTED]
                    outcome.add(group, REJECTED, reason)
                    self._add_issue(db, op, REJECTED, reason, result)
                    continue  # the row keeps what the user typed until they act on the review
                if op.entity_id not in newer:
                    self._settle(db, bases, held.get(op.entity_id), op.entity, settle_above, merger)
            db.flush()
            # The common case in bulk: the hub stored exactly what we sent, nothing changed
            # here since (see _plain_results). A record the merges above just edited keeps
            # its new local version.
            for op, result in plain:
                group = inflight.get(op.entity_id, [])
                handled += len(group)
                outcome.add(group, ACKED, None)
                if result.status == wire.STATUS_APPLIED:
                    report.applied += 1
                else:
                    report.duplicate += 1
            _acknowledge_plain(db, plain, merger.edited)
            outcome.write(db)
            db.execute(delete(SyncBatch).where(SyncBatch.batch_id == batch.batch_id))
        return handled

    def _settle(
        self,
        db: Session,
        bases: dict[str, SyncBase],
        held: SyncDeferred | None,
        entity: str,
        above: int | None,
        merger: BeneficiaryMerger | None = None,
    ) -> None:
        """The record has no unacknowledged change left: apply the hub state the pull held
        back, if it is newer than what we hold (or than ``above``)."""
        if held is None:
            return
        entity_id = held.entity_id
        base = bases.get(entity_id)
        threshold = above if above is not None else (base.version if base is not None else 0)
        if held.version > threshold:
            payload = json.loads(held.payload)
            if held.deleted and not payload.get("deleted_at"):
                payload["deleted_at"] = utcnow().isoformat()
            self._write_hub_row(db, entity, payload, held.version, merger)
            _set_base(db, bases, entity, entity_id, held.version)
        db.delete(held)

    def _apply_gone(
        self,
        db: Session,
        bases: dict[str, SyncBase],
        op: wire.PushOp,
        row: Any,
        result: wire.PushResult,
        merger: BeneficiaryMerger,
    ) -> None:
        """The record was deleted on the hub: delete it here too (the tombstone, when the hub
        sent it, or a local soft delete)."""
        tombstone = result.hub_payload
        if tombstone and tombstone.get("deleted_at"):
            version = int(tombstone.get("version") or result.version or 0)
            self._write_hub_row(db, op.entity, tombstone, version, merger)
            _set_base(db, bases, op.entity, op.entity_id, version)
        elif row is not None and row.deleted_at is None:
            row.deleted_at = utcnow()

    def _add_issue(
        self,
        db: Session,
        op: wire.PushOp,
        kind: str,
        reason: str,
        result: wire.PushResult,
    ) -> None:
        hub_payload = result.hub_payload
        db.add(
            SyncIssue(
                op_id=op.op_id,
                entity=op.entity,
                entity_id=op.entity_id,
                kind=kind,
                code=result.code,
                reason=reason,
                local_payload=op.payload_json(),
                hub_payload=json.dumps(hub_payload, ensure_ascii=False) if hub_payload else None,
                fields=json.dumps(result.fields) if result.fields else None,
                created_at=self._clock(),
            )
        )

    def _write_hub_row(
        self,
        db: Session,
        entity: str,
        payload: dict[str, Any],
        version: int,
        merger: BeneficiaryMerger | None = None,
    ) -> Base | None:
        model = SYNCED_ENTITIES.get(entity)
        if model is None:
            return None
        merger = merger or BeneficiaryMerger(db)
        if entity == "beneficiary":
            payload = dict(payload)
            merger.before_beneficiary(payload)
        row = apply_payload(db, model, payload)
        if row is not None:
            row.version = version  # type: ignore[attr-defined]
        if entity == "beneficiary":
            merger.after_beneficiary(row)  # type: ignore[arg-type]
        else:
            merger.after_session(row)
        return row

    def _report_resolutions(self, report: SyncReport, pre: _Preflight | None = None) -> None:
        """Conflicts the user settled by keeping the hub's values: tell the hub, which counts
        open conflicts for the operator."""
        if pre is not None and not pre.keep_hub:
            return
        with self._sf() as db:
            op_ids = list(
                db.scalars(
                    select(SyncIssue.op_id)
                    .where(SyncIssue.kind == CONFLICT, SyncIssue.resolution == KEEP_HUB)
                    .limit(1000)
                )
            )
        if not op_ids:
            return
        try:
            self._call(partial(self._transport.resolve_conflicts, op_ids), report)
        except SyncError as exc:
            if exc.retryable:
                raise
            log.warning("the hub refused the conflict resolutions (%s)", exc.code)
        with self._sf.begin() as db:
            db.execute(
                update(SyncIssue)
                .where(SyncIssue.op_id.in_(op_ids), SyncIssue.resolution == KEEP_HUB)
                .values(resolution=KEEP_HUB_SENT)
            )

    # ==== pull ===================================================================================
    def _pull_all(
        self, report: SyncReport, progress: ProgressCallback | None, pre: _Preflight | None = None
    ) -> bool:
        """Pull until up to date. True if the hub turned out to be restored (things to push).
        While a page is applied, the next one is already asked for (from the cursor that
        page ends at); it is used only if the page was applied and the cursor moved there."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="carnet-pull") as wire_thread:
            return self._pull_pages(report, progress, wire_thread, pre)

    def _pull_pages(
        self,
        report: SyncReport,
        progress: ProgressCallback | None,
        wire_thread: ThreadPoolExecutor,
        pre: _Preflight | None,
    ) -> bool:
        def ask(since: int, own: str) -> Future[wire.PullResponse]:
            return wire_thread.submit(
                self._call, partial(self._transport.pull, since, self.pull_limit, own), report
            )

        # The next page, asked for while the current one is applied: (cursor, own) → answer.
        ahead: tuple[tuple[int, str], Future[wire.PullResponse]] | None = None
        sent: bool | None = None  # whether this device ever sent a change (read once)
        while True:
            self._check_cancel()
            if pre is not None:  # the first page of a sync that sent nothing
                cursor = int(pre.state.get(K_CURSOR) or 0)
                repull = pre.state.get(K_REPULL) == "1"
                sent, pre = pre.sent, None
            else:
                with self._sf() as db:
                    cursor = int(_get(db, K_CURSOR) or 0)
                    repull = _get(db, K_REPULL) == "1"
                    if sent is None:
                        sent = _ever_sent(db)
            if progress:
                progress(
                    SyncProgress("pull", report.pulled, None, "Réception des modifications du hub")
                )
            # Records this device pushed come back only in a full re-pull, which must see
            # every record (its sweep tombstones what it did not see). A device that never
            # sent anything (a new laptop) has nothing to leave out: "all" spares the hub
            # the search for its records.
            own = "all" if repull or not sent else "skip"
            # (A page asked for ahead from another cursor, the page before not applied, is left
            # unused; the single wire thread keeps the requests one at a time and the executor
            # waits for them before this returns or raises.)
            answer = ahead[1] if ahead is not None and ahead[0] == (cursor, own) else None
            ahead = None
            answer = answer or ask(cursor, own)
            try:
                page = answer.result()
            except CursorExpired:
                log.info("pull cursor %s expired on the hub: full re-pull", cursor)
                report.cursor_reset = True
                with self._sf.begin() as db:
                    _set_many(
                        db,
                        {
                            K_CURSOR: "0",
                            K_PASS: str(int(_get(db, K_PASS) or 0) + 1),
                            K_REPULL: "1",
                        },
                    )
                continue
            self._checkpoint("pull.page_received")
            if self._check_epoch(page.epoch, report, progress):
                return True  # the cursor went back to 0: this page belongs to the old history
            self._hub_catalogue = page.catalogue
            if page.more:
                ahead = ((page.next, own), ask(page.next, own))
            if not page.changes and not page.more and not repull and page.next != cursor:
                # Nothing to apply (often: only this device's own pushes, left out): the
                # cursor moves with the end-of-sync write, one local commit fewer.
                self._deferred_cursor = (cursor, page.next)
            elif page.changes or page.next != cursor or page.more or repull:
                self._apply_page(page, report)  # (nothing new: no local write at all)
            self._checkpoint("pull.page_applied")
            if not page.more:
                return False

    def _apply_page(self, page: wire.PullResponse, report: SyncReport) -> None:
        """Apply a page and move the cursor, in one transaction."""
        with self._write() as db:
            pass_no = int(_get(db, K_PASS) or 0)
            self._apply_changes(db, page.changes, pass_no, report)
            values = {K_CURSOR: str(page.next)}
            if not page.more and _get(db, K_REPULL) == "1":
                self._sweep_unseen(db, pass_no)
                values[K_REPULL] = "0"
            _set_many(db, values)

    def _apply_changes(
        self, db: Session, changes: Sequence[wire.PullChange], pass_no: int, report: SyncReport
    ) -> None:
        known = [c for c in changes if c.entity in SYNCED_ENTITIES]
        ids = [c.entity_id for c in known]
        busy: set[str] = set()
        held: dict[str, SyncDeferred] = {}
        for chunk in _chunks(ids, 500):
            busy.update(
                db.scalars(
                    select(OutboxEntry.entity_id).where(
                        # ``|| ''``: by the entity index, not every unsent entry (see
                        # _apply_results)
                        (OutboxEntry.state + "").in_(UNSENT),
                        OutboxEntry.entity_id.in_(chunk),
                    )
                )
            )
            for deferred in db.scalars(
                select(SyncDeferred).where(SyncDeferred.entity_id.in_(chunk))
            ):
                held[deferred.entity_id] = deferred
        fresh, known = _split_fresh(db, known, busy, held)
        _insert_fresh(db, fresh, pass_no)
        report.pulled += len(fresh)
        ids = [c.entity_id for c in known]
        bases = _base_rows(db, ids)
        rows = _load_rows(db, [(c.entity, c.entity_id) for c in known])
        merger = BeneficiaryMerger(db)
        for change in known:
            base = bases.get(change.entity_id)
            if base is not None:
                base.pass_no = pass_no
            if change.entity_id in busy or change.entity_id in merger.edited:
                # Local changes win until the hub has answered them; keep the hub's state for
                # then (see _settle), so that no hub change is skipped for good.
                report.skipped_pending += 1
                held[change.entity_id] = _hold_back(db, held.get(change.entity_id), change)
                continue
            row = rows.get(change.entity_id)
            if base is not None and base.version > change.version:
                continue  # we hold a newer version the hub acknowledged
            if (
                base is not None
                and base.version == change.version
                and row is not None
                and row.version == change.version
                and record_payload(db, row) == change.payload
            ):
                continue  # already held as is (often our own change coming back)
            if change.deleted and row is None:
                continue  # never had it: nothing to delete
            payload = dict(change.payload)
            if change.deleted and not payload.get("deleted_at"):
                payload["deleted_at"] = utcnow().isoformat()
            payload["id"] = change.entity_id
            if change.entity == "beneficiary":
                merger.before_beneficiary(payload)
            rows[change.entity_id] = written = _write_row(
                db, SYNCED_ENTITIES[change.entity], row, payload, change.version
            )
            if base is None:
                base = SyncBase(
                    entity_id=change.entity_id,
                    entity=change.entity,
                    version=change.version,
                    pass_no=pass_no,
                )
                db.add(base)
                bases[change.entity_id] = base
            else:
                base.version = change.version
            stale_held = held.get(change.entity_id)
            if stale_held is not None and stale_held.version <= change.version:
                db.delete(stale_held)
                del held[change.entity_id]
            # One code, one live beneficiary: merge duplicates made on two devices (local
            # edits, queued for the hub, after the hub's state is recorded as the base).
            if change.entity == "beneficiary":
                merger.after_beneficiary(written)
            else:
                merger.after_session(written)
            report.pulled += 1
        report.merged += merger.merged
        report.repointed += merger.repointed

    def _sweep_unseen(self, db: Session, pass_no: int) -> None:
        """End of a full re-pull: rows the hub no longer sends had their tombstone purged."""
        stale = list(db.scalars(select(SyncBase).where(SyncBase.pass_no < pass_no)))
        busy = _busy_ids(db)
        rows = _load_rows(db, [(b.entity, b.entity_id) for b in stale])
        for base in stale:
            if base.entity_id in busy:
                continue
            row = rows.get(base.entity_id)
            if row is not None and row.deleted_at is None:  # type: ignore[attr-defined]
                row.deleted_at = utcnow()  # type: ignore[attr-defined]
            db.delete(base)

    # ==== restore detection ======================================================================
    def _check_epoch(
        self, epoch: str, report: SyncReport, progress: ProgressCallback | None
    ) -> bool:
        """True when the hub was restored (new epoch): our records it lacks are queued again
        and the pull starts over from 0."""
        known = self._known_epoch
        if known is None:
            with self._sf() as db:
                known = self._known_epoch = _get(db, K_EPOCH)
        if not epoch or epoch == known:
            return False
        if known is None:
            with self._sf.begin() as db:
                _set_many(db, {K_EPOCH: epoch})
            self._known_epoch = epoch
            return False
        log.warning("hub epoch changed: reconciling after a restore")
        report.epoch_changed = True
        if progress:
            progress(SyncProgress("reconcile", 0, None, "Le hub a été restauré : vérification"))
        with self._sf() as db:
            inventory = [
                wire.ReconcileItem(b.entity, b.entity_id, b.version)
                for b in db.scalars(select(SyncBase).order_by(SyncBase.entity_id))
            ]
        missing: set[str] = set()
        stale: set[str] = set()
        for chunk in _chunks(inventory, wire.RECONCILE_CHUNK):
            answer = self._call(partial(self._transport.reconcile, chunk), report)
            missing.update(answer.missing)
            stale.update(answer.stale)
        self._checkpoint("reconcile.answered")
        with self._sf.begin() as db:
            report.requeued += self._requeue(db, missing, stale)
            _set_many(db, {K_EPOCH: epoch, K_CURSOR: "0"})
        self._known_epoch = epoch
        return True

    def _requeue(self, db: Session, missing: set[str], stale: set[str]) -> int:
        ids = sorted(missing | stale)
        if not ids:
            return 0
        # The base versions are kept: the hub takes a base at or above its own version as
        # sent, so the records come back with versions above what any device holds.
        busy = _busy_ids(db)
        count = 0
        for model in SYNCED_ENTITIES.values():
            for chunk in _chunks(ids, 500):
                found: Iterable[Any] = db.scalars(select(model).where(model.id.in_(chunk)))
                for row in found:
                    if row.id in busy:
                        continue
                    op = wire.OP_DELETE if row.deleted_at is not None else wire.OP_UPSERT
                    db.add(outbox_entry(row, op, row.version, record_payload(db, row)))
                    count += 1
        return count

    # ==== catalogue ==============================================================================
    def _fetch_catalogue(self, report: SyncReport, progress: ProgressCallback | None) -> None:
        """The reference catalogue by ETag (an unchanged one costs one 304). A new snapshot is
        applied to the local training catalogue in the same transaction as its version and
        ETag (app.models.training), so that they always describe the paths held."""
        etag = self._held_catalogue
        if etag is None:
            with self._sf() as db:
                etag = catalogue_state(db)[1]
        if etag and self._hub_catalogue == etag:
            return  # the pull said the catalogue is the one held: no request
        if progress:
            progress(SyncProgress("catalogue", 0, None, "Catalogue de référence"))
        try:
            snapshot = self._call(lambda: self._transport.catalogue(etag), report)
        except SyncError as exc:
            if exc.retryable:
                raise
            report.catalogue_error = exc.message
            return
        if snapshot is None:
            return
        self._held_catalogue = None
        try:
            with self._sf.begin() as db:
                update = apply_catalogue_snapshot(db, snapshot.raw, snapshot.etag)
                _set_many(db, {K_CATALOGUE: json.dumps(snapshot.raw, ensure_ascii=False)})
        except PathFormatError as exc:  # nothing written: the next sync fetches it again
            report.catalogue_error = exc.message
            return
        report.catalogue_updated = update.applied
        if update.problems:
            report.catalogue_error = "\n".join(update.problems)


# ==== helpers ====================================================================================
@dataclass(frozen=True)
class _Preflight:
    """Read at the start of a sync (SyncEngine._preflight): entries to send (pending or in
    flight), a batch stored unanswered, conflict resolutions to tell the hub, whether this
    notebook ever sent anything, and the sync state a first page needs."""

    unsent: int
    stored_batch: bool
    keep_hub: bool
    sent: bool
    state: dict[str, str]


class _Exclusive:
    """One sync (or enrolment) at a time per engine; a second caller gets SyncBusy at once."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock

    def __enter__(self) -> None:
        if not self._lock.acquire(blocking=False):
            raise SyncBusy("Une synchronisation est déjà en cours.")

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def clock_warning(skew_seconds: float) -> str:
    minutes = abs(skew_seconds) / 60
    direction = "en avance" if skew_seconds > 0 else "en retard"
    if minutes >= 2 * 24 * 60:
        amount = f"{minutes / (24 * 60):.0f} jours"
    elif minutes >= 120:
        amount = f"{minutes / 60:.0f} heures"
    else:
        amount = f"{minutes:.0f} minutes"
    return (
        f"L'horloge de cet ordinateur est {direction} d'environ {amount} sur celle du hub. "
        "Rien n'est perdu, mais les dates et heures d'enregistrement peuvent être fausses : "
        "réglez la date et l'heure de l'ordinateur (réglage automatique conseillé)."
    )


def _get(db: Session, key: str) -> str | None:
    return db.scalar(select(SyncState.value).where(SyncState.key == key))


def _all_state(db: Session) -> dict[str, str]:
    return {s.key: s.value for s in db.scalars(select(SyncState))}


_UPSERT_STATE = sqlite_insert(SyncState)
_UPSERT_STATE = _UPSERT_STATE.on_conflict_do_update(
    index_elements=["key"], set_={"value": _UPSERT_STATE.excluded.value}
)


def _set_many(db: Session | Connection, values: dict[str, str]) -> None:
    if values:  # one statement, compiled once, executed per key
        db.execute(_UPSERT_STATE, [{"key": k, "value": v} for k, v in values.items()])


def _ever_sent(db: Session) -> bool:
    """Whether any change of this notebook ever left for the hub (an entry past pending; the
    outbox keeps acknowledged entries)."""
    return (
        db.scalar(select(OutboxEntry.seq).where(OutboxEntry.state.in_(_SENT)).limit(1)) is not None
    )


def _hold_back(db: Session, held: SyncDeferred | None, change: wire.PullChange) -> SyncDeferred:
    payload = json.dumps(change.payload, ensure_ascii=False)
    if held is None:
        held = SyncDeferred(
            entity_id=change.entity_id,
            entity=change.entity,
            version=change.version,
            deleted=change.deleted,
            payload=payload,
        )
        db.add(held)
    elif change.version >= held.version:
        held.version, held.deleted, held.payload = change.version, change.deleted, payload
    return held


def _write_row(
    db: Session, model: SyncedModel, row: Any, payload: dict[str, Any], version: int
) -> Any:
    """Write a hub payload into ``row`` (None: known to be absent, so it is created)."""
    if model is TrainingPath:  # with its modules (app.models.training)
        written = apply_payload(db, model, payload)
        if written is not None:
            written.version = version  # type: ignore[attr-defined]
        return written
    values = payload_values(model, payload)
    values["version"] = version
    if row is None:
        row = model(**values)
        db.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    return row


# Entities whose wire payload is their row's columns (a training path also carries modules).
_PLAIN_ENTITIES = frozenset(SYNCED_ENTITIES) - {"training_path"}


class _Entry(NamedTuple):
    """An unacknowledged outbox entry, as a batch's results need it."""

    seq: int
    entity_id: str
    content_hash: str
    state: str


# The columns of an outbox entry a batch sends, in this order.
_ENTRY_SQL = "seq, op_id, entity, op, payload, content_hash, schema_version"


def _driver(db: Session) -> Any:
    """The session's own sqlite3 connection (its current transaction), for plain-tuple reads."""
    conn = db.connection().connection.driver_connection
    assert conn is not None
    return conn


def _set_state(db: Session, entries: Iterable[Any], state: str, reason: str | None) -> None:
    """The new state of outbox entries (rows with a ``seq``)."""
    _set_seq_state(db, [e.seq for e in entries], state, reason)


def _set_seq_state(db: Session, seqs: Iterable[int], state: str, reason: str | None) -> None:
    """The new state of the outbox entries ``seqs``: one executemany by key, straight to the
    driver (a batch's thousand entries cost no statement building)."""
    rows = [(state, reason, seq) for seq in seqs]
    if rows:
        db.connection().exec_driver_sql(
            "UPDATE outbox SET state = ?, result_reason = ? WHERE seq = ?", rows
        )


class _Outcomes:
    """The new states of a batch's entries, written with one UPDATE per (state, reason)."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str | None], list[Any]] = {}

    def add(self, entries: Iterable[Any], state: str, reason: str | None) -> None:
        self._groups.setdefault((state, reason), []).extend(entries)

    def write(self, db: Session) -> None:
        for (state, reason), entries in self._groups.items():
            _set_state(db, entries, state, reason)


def _plain_results(
    db: Session,
    ops: Sequence[wire.PushOp],
    results: dict[str, wire.PushResult],
    newer: set[str],
    held: dict[str, SyncDeferred],
) -> tuple[list[tuple[wire.PushOp, wire.PushResult]], list[wire.PushOp]]:
    """Split a batch's ops: (plain, others). Plain: the hub applied the op exactly as sent
    (applied or duplicate, version = base + 1, no hub payload), no hub state is held back for
    the record, and the record did not change here since: no newer outbox entry and the same
    local version as the payload sent (every local change bumps the version and queues an
    entry in the same transaction). Those need no row loaded and no content hash."""
    candidates: dict[str, list[tuple[wire.PushOp, wire.PushResult]]] = {}
    others: list[wire.PushOp] = []
    for op in ops:
        result = results.get(op.op_id)
        if (
            result is not None
            and result.status in (wire.STATUS_APPLIED, wire.STATUS_DUPLICATE)
            and not result.hub_payload
            and result.version is not None
            and result.version == op.base_version + 1
            and op.entity in _PLAIN_ENTITIES
            and op.entity_id not in newer
            and op.entity_id not in held
            and op.record_version is not None
        ):
            candidates.setdefault(op.entity, []).append((op, result))
        else:
            others.append(op)
    plain: list[tuple[wire.PushOp, wire.PushResult]] = []
    for entity, pairs in candidates.items():
        table = _table(entity)
        local: dict[str, int] = {}
        for chunk in _chunks([op.entity_id for op, _ in pairs], 500):
            query = select(table.c.id, table.c.version).where(table.c.id.in_(chunk))
            local.update((row_id, version) for row_id, version in db.execute(query))
        for op, result in pairs:
            if local.get(op.entity_id) == op.record_version:
                plain.append((op, result))
            else:
                others.append(op)
    return plain, others


def _acknowledge_plain(
    db: Session, plain: list[tuple[wire.PushOp, wire.PushResult]], edited: set[str]
) -> None:
    """The hub's version becomes each plain record's base and its local version (unless a
    merge has just edited it), in a few statements."""
    if not plain:
        return
    # Straight to the driver: a thousand parameter tuples, no statement building per row.
    conn = db.connection()
    conn.exec_driver_sql(
        f"INSERT INTO {_BASES.name} (entity_id, entity, version, pass_no) VALUES (?, ?, ?, 0) "
        f"ON CONFLICT (entity_id) DO UPDATE SET "
        f"version = max({_BASES.name}.version, excluded.version)",
        [(op.entity_id, op.entity, r.version) for op, r in plain],
    )
    by_entity: dict[str, list[tuple[Any, ...]]] = {}
    for op, result in plain:
        if op.entity_id not in edited:
            by_entity.setdefault(op.entity, []).append(
                (result.version, op.entity_id, op.record_version)
            )
    for entity, values in by_entity.items():
        conn.exec_driver_sql(
            f"UPDATE {_table(entity).name} SET version = ? WHERE id = ? AND version = ?", values
        )


def _split_fresh(
    db: Session,
    changes: list[wire.PullChange],
    busy: set[str],
    held: dict[str, SyncDeferred],
) -> tuple[list[wire.PullChange], list[wire.PullChange]]:
    """Split a page: (fresh, others). Fresh: a live record this device has never held (no
    row, no base, nothing pending or held back), that no merge can touch (a follow-up code
    no other live row holds, a session not pointing at a merged-away person). A new laptop's
    first pull is all fresh: those go in with a few bulk inserts; the others take the careful
    path, in seq order, after them (foreign keys are not checked in this transaction, and a
    merge there re-points the sessions already written, fresh ones included)."""
    candidates = [
        c
        for c in changes
        if c.entity in _PLAIN_ENTITIES
        and not c.deleted
        and c.entity_id not in busy
        and c.entity_id not in held
    ]
    if not candidates:
        return [], changes
    by_entity: dict[str, list[str]] = {}
    for c in candidates:
        by_entity.setdefault(c.entity, []).append(c.entity_id)
    # Plain-tuple reads on the driver: a page's thousand ids in a few statements, without
    # SQLAlchemy rendering an IN list of 500 parameters for each (what the session holds is
    # flushed first, as its own queries would).
    db.flush()
    cursor = _driver(db)

    def found(sql: str, values: list[str]) -> Iterable[str]:
        return (row[0] for row in _rows_in(cursor, sql, values))

    taken: set[str] = set()
    for entity, entity_ids in by_entity.items():
        table = _table(entity).name
        taken.update(found(f'SELECT id FROM "{table}" WHERE id IN ({{}})', entity_ids))
        taken.update(
            found(f'SELECT entity_id FROM "{_BASES.name}" WHERE entity_id IN ({{}})', entity_ids)
        )
    codes: dict[str, int] = {}
    for c in candidates:
        if c.entity == "beneficiary" and isinstance(c.payload.get("code"), str):
            codes[c.payload["code"]] = codes.get(c.payload["code"], 0) + 1
    clashing = {code for code, n in codes.items() if n > 1}
    clashing.update(
        found(
            f'SELECT code FROM "{_model_table(Beneficiary).name}" '
            "WHERE code IN ({}) AND deleted_at IS NULL",
            list(codes),
        )
    )
    aliases = {
        row[0]
        for row in cursor.execute(f'SELECT alias_id FROM "{_model_table(BeneficiaryAlias).name}"')
    }
    fresh_ids = set()
    for c in candidates:
        if c.entity_id in taken:
            continue
        if c.entity == "beneficiary" and c.payload.get("code") in clashing:
            continue
        if c.entity == "accompagnement" and c.payload.get("beneficiary_id") in aliases:
            continue
        fresh_ids.add(c.entity_id)
    fresh = [c for c in changes if c.entity_id in fresh_ids]
    return fresh, [c for c in changes if c.entity_id not in fresh_ids]


def _insert_fresh(db: Session, fresh: list[wire.PullChange], pass_no: int) -> None:
    """Insert fresh records (see _split_fresh) and their bases, referenced tables first."""
    if not fresh:
        return
    db.flush()
    conn = db.connection()
    with deferred_indexing(conn):  # sessions indexed for search once, not row by row
        for entity in SYNCED_ENTITIES:
            payloads = [
                {**c.payload, "id": c.entity_id, "version": c.version}
                for c in fresh
                if c.entity == entity
            ]
            if payloads:
                insert_rows(conn, _table(entity), payloads)
    insert_rows(
        conn,
        _BASES,
        [
            {"entity_id": c.entity_id, "entity": c.entity, "version": c.version, "pass_no": pass_no}
            for c in fresh
        ],
    )


def _model_table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _table(entity: str) -> Table:
    return _model_table(SYNCED_ENTITIES[entity])


_BASES = _model_table(SyncBase)


def _busy_ids(db: Session) -> set[str]:
    """Records with local changes the hub has not acknowledged yet."""
    return set(db.scalars(select(OutboxEntry.entity_id).where(OutboxEntry.state.in_(UNSENT))))


def _bases(db: Session, groups: dict[str, list[Any]]) -> dict[str, int]:
    ids = list(groups)
    rows = db.execute(
        select(SyncBase.entity_id, SyncBase.version).where(SyncBase.entity_id.in_(ids))
    )
    return {entity_id: version for entity_id, version in rows}


def _base_rows(db: Session, ids: Sequence[str]) -> dict[str, SyncBase]:
    out: dict[str, SyncBase] = {}
    for chunk in _chunks(list(ids), 500):
        for base in db.scalars(select(SyncBase).where(SyncBase.entity_id.in_(chunk))):
            out[base.entity_id] = base
    return out


def _set_base(
    db: Session, bases: dict[str, SyncBase], entity: str, entity_id: str, version: int
) -> None:
    base = bases.get(entity_id)
    if base is None:
        base = SyncBase(entity_id=entity_id, entity=entity, version=version, pass_no=0)
        db.add(base)
        bases[entity_id] = base
    elif version > base.version:
        base.version = version


def _load_rows(db: Session, keys: Iterable[tuple[str, str]]) -> dict[str, Any]:
    by_entity: dict[str, list[str]] = {}
    for entity, entity_id in keys:
        by_entity.setdefault(entity, []).append(entity_id)
    rows: dict[str, Any] = {}
    for entity, ids in by_entity.items():
        model = SYNCED_ENTITIES.get(entity)
        if model is None:
            continue
        for chunk in _chunks(ids, 500):
            found: Iterable[Any] = db.scalars(select(model).where(model.id.in_(chunk)))
            for row in found:
                rows[row.id] = row
    return rows


def _rows_in(cursor: Any, sql: str, values: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` (its ``{}`` an IN list) for all ``values``, on the driver, by
    statements of at most 500 parameters."""
    for chunk in _chunks(values, 500):
        yield from cursor.execute(sql.format(",".join("?" * len(chunk))), chunk)


def _chunks(items: Sequence[T], size: int) -> Iterable[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
