"""Errors raised by the domain core and the services around it.

Each carries an HTTP status and a machine-readable code; one handler in the API and one
middleware for pages turn them into responses, so views never catch them.
"""

from __future__ import annotations


class ShouhouError(Exception):
    """An error with a stable machine-readable `code` (its class: invalid, not_found, …), a finer
    `reason` (required, too_long, out_of_range, …) and its parameters (`extra`).

    The message is English, for logs and developers; what users read is composed at the edge
    from `reason` and `extra` in their language (`shouhou.core.errors.message`).
    """

    status: int = 400
    code: str = "error"

    def __init__(self, message: str = "", *, reason: str | None = None, **extra: object) -> None:
        super().__init__(message)
        self.reason = reason or self.code
        self.extra = extra

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "reason": self.reason, "detail": str(self), **self.extra}


class Invalid(ShouhouError):
    """Input that is incomplete or malformed (400/422 at the edges)."""

    status = 422
    code = "invalid"


class NotFound(ShouhouError):
    """A missing object, or one the caller may not see: the two look the same."""

    status = 404
    code = "not_found"


class Forbidden(ShouhouError):
    status = 403
    code = "forbidden"


class IllegalEvent(ShouhouError):
    """An event that the current state does not allow; names the allowed ones."""

    status = 409
    code = "illegal_event"

    def __init__(self, message: str, *, allowed: list[str] | tuple[str, ...], reason: str | None = None,
                 **extra: object) -> None:
        super().__init__(message, reason=reason, allowed=sorted(allowed), **extra)
        self.allowed = sorted(allowed)


class StaleVersion(ShouhouError):
    """An update based on an old version of the object."""

    status = 409
    code = "stale_version"

    def __init__(self, message: str, *, version: int) -> None:
        super().__init__(message, version=version)
        self.version = version
