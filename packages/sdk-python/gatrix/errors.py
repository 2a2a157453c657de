"""The exceptions the SDK raises.

Every error the server answers is an RFC 9457 ``application/problem+json`` document::

    {"type": "/docs/problems#user_not_found", "title": "Not Found", "status": 404,
     "detail": "User 9 was not found", "code": "user_not_found", "requestId": "…",
     "errors": [{"path": "email", "message": "must match format \\"email\\""}]}

and becomes a :class:`GatrixError` subclass chosen by its status, carrying those fields.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Type

__all__ = [
    "FieldError",
    "GatrixError",
    "GatrixAPIError",
    "GatrixConnectionError",
    "GatrixTimeoutError",
    "ValidationError",
    "BadRequestError",
    "UnprocessableEntityError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "GoneError",
    "PreconditionFailedError",
    "RateLimitError",
    "InternalServerError",
    "WebhookVerificationError",
    "error_for_response",
]


class FieldError:
    """One bad input field: ``path`` names it (``email``, ``tags.0``, ``query.limit``), ``message`` says why."""

    __slots__ = ("path", "message")

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message

    def __repr__(self) -> str:
        return f"FieldError(path={self.path!r}, message={self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldError) and (self.path, self.message) == (other.path, other.message)

    def __hash__(self) -> int:
        return hash((self.path, self.message))


class GatrixError(Exception):
    """Base class of every error the SDK raises.

    Attributes (``None`` when they do not apply, e.g. for a connection error):

    - ``status``: HTTP status code
    - ``code``: stable machine-readable code such as ``user_not_found`` or ``username_taken``
    - ``detail``: human-readable explanation from the server
    - ``title``, ``type``: the problem's title and type URI
    - ``errors``: list of :class:`FieldError` (bad input); ``field_errors`` maps path → message
    - ``request_id``: the ``X-Request-Id`` of the response (quote it when reporting a problem)
    - ``headers``: response headers (lower-cased names); ``body``: the parsed problem document or raw text
    """

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: Optional[str] = None,
        detail: Optional[str] = None,
        title: Optional[str] = None,
        type: Optional[str] = None,
        errors: Optional[List[FieldError]] = None,
        request_id: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title
        self.type = type
        self.errors: List[FieldError] = list(errors or [])
        self.request_id = request_id
        self.headers: Dict[str, str] = dict(headers or {})
        self.body = body

    @property
    def field_errors(self) -> Dict[str, str]:
        """``{path: message}`` for every field the server named."""
        return {e.path: e.message for e in self.errors}

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, detail={self.detail!r}, request_id={self.request_id!r})"


class GatrixConnectionError(GatrixError):
    """The server could not be reached or the connection broke before an answer (after every retry)."""


class GatrixTimeoutError(GatrixConnectionError):
    """No answer within the client's (or the call's) ``timeout`` (after every retry)."""


class GatrixAPIError(GatrixError):
    """The server answered with an error status."""


class ValidationError(GatrixAPIError):
    """400 or 422: the request was refused; ``errors`` / ``field_errors`` name the fields."""


BadRequestError = ValidationError
"""Alias: a 400 answer."""


class UnprocessableEntityError(ValidationError):
    """422, e.g. an ``Idempotency-Key`` reused with a different body (``code == "idempotency_key_reused"``)."""


class AuthenticationError(GatrixAPIError):
    """401: no credential, or an invalid, expired or revoked one."""


class PermissionDeniedError(GatrixAPIError):
    """403: the credential may not do this."""


class NotFoundError(GatrixAPIError):
    """404: no such resource (or route)."""


class ConflictError(GatrixAPIError):
    """409: a unique field is taken (``field_errors`` names it), or the change would break a rule."""


class GoneError(GatrixAPIError):
    """410: what the request points at is no longer kept, e.g. an event feed cursor past retention
    (``code == "event_cursor_gone"``)."""


class PreconditionFailedError(GatrixAPIError):
    """412: ``If-Match`` did not match the resource's current ETag; read it again."""


class RateLimitError(GatrixAPIError):
    """429 after every retry; ``retry_after`` is the server's ``Retry-After`` in seconds, when sent."""

    @property
    def retry_after(self) -> Optional[float]:
        from ._http import parse_retry_after

        return parse_retry_after(self.headers.get("retry-after"))


class InternalServerError(GatrixAPIError):
    """5xx after every retry. The body says nothing internal; quote ``request_id``."""


class WebhookVerificationError(GatrixError):
    """A webhook delivery failed verification: missing or wrong signature, stale timestamp, or a body that is not JSON."""


_BY_STATUS: Dict[int, Type[GatrixAPIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    410: GoneError,
    412: PreconditionFailedError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_for_response(status: int, headers: Mapping[str, str], body: bytes) -> GatrixAPIError:
    """Build the exception for an error response from its status, headers (lower-cased) and raw body."""
    import json

    problem: Any = None
    text = body.decode("utf-8", "replace")
    try:
        problem = json.loads(text) if text else None
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        problem = {}

    code = problem.get("code") if isinstance(problem.get("code"), str) else None
    detail = problem.get("detail") if isinstance(problem.get("detail"), str) else None
    title = problem.get("title") if isinstance(problem.get("title"), str) else None
    ptype = problem.get("type") if isinstance(problem.get("type"), str) else None
    request_id = headers.get("x-request-id") or (problem.get("requestId") if isinstance(problem.get("requestId"), str) else None)
    errors: List[FieldError] = []
    raw_errors = problem.get("errors")
    if isinstance(raw_errors, list):
        for e in raw_errors:
            if isinstance(e, dict):
                errors.append(FieldError(str(e.get("path", "")), str(e.get("message", ""))))

    if status in _BY_STATUS:
        cls: Type[GatrixAPIError] = _BY_STATUS[status]
    elif status >= 500:
        cls = InternalServerError
    else:
        cls = GatrixAPIError

    summary = detail or title or (text[:200] if text and not problem else "") or "HTTP error"
    message = f"{status} {code}: {summary}" if code else f"{status}: {summary}"
    if request_id:
        message += f" (request id {request_id})"
    return cls(
        message,
        status=status,
        code=code,
        detail=detail,
        title=title,
        type=ptype,
        errors=errors,
        request_id=request_id,
        headers=headers,
        body=problem if problem else text,
    )
