"""Typed sync errors, each carrying a French message the app can show as is.

Only ``TransportError`` (and ``RateLimited``) are worth retrying on their own; the others need
someone to act (update the app, enrol again, check the hub address).
"""

from __future__ import annotations


class SyncError(Exception):
    code = "sync_error"
    retryable = False
    report: object | None = None  # the partial SyncReport, set by the engine

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class TransportError(SyncError):
    """No usable answer: connection refused or reset, timeout, 5xx, or an unreadable answer.
    The request may or may not have reached the hub; resend it unchanged after a backoff."""

    code = "transport"
    retryable = True


class RateLimited(SyncError):
    code = "rate_limited"
    retryable = True

    def __init__(self, message: str, retry_after: float = 60.0) -> None:
        super().__init__(message, "rate_limited")
        self.retry_after = retry_after


class AuthError(SyncError):
    """The device token is unknown, revoked or expired: the device must be enrolled again."""

    code = "token_invalid"


class UpgradeRequired(SyncError):
    code = "protocol_unsupported"


class CursorExpired(SyncError):
    code = "cursor_expired"


class RequestRejected(SyncError):
    """The hub understood the request and refused it for good (4xx with a JSON error)."""

    code = "rejected"

    def __init__(self, message: str, code: str, status: int) -> None:
        super().__init__(message, code)
        self.status = status


class InsecureHubAddress(SyncError):
    code = "insecure_address"


class NotEnrolled(SyncError):
    code = "not_enrolled"


class SyncBusy(SyncError):
    code = "busy"


class SyncCancelled(SyncError):
    code = "cancelled"
