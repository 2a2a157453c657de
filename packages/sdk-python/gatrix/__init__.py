"""Gatrix SDK for Python: the game-operations API, with retries, typed errors and webhook verification.

    from gatrix import GatrixClient

    client = GatrixClient(api_key="gtx_admin_…", base_url="https://api.gatrix.com")
    users = client.users.list(page=1, limit=10)

Standard library only; Python 3.9+.
"""

from . import webhooks
from ._http import NOT_GIVEN
from ._version import __version__
from .client import GatrixClient
from .errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FieldError,
    GatrixAPIError,
    GatrixConnectionError,
    GatrixError,
    GatrixTimeoutError,
    GoneError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    UnprocessableEntityError,
    ValidationError,
    WebhookVerificationError,
)
from .objects import GatrixObject, Page
from .resources import InstanceHandle
from .server_cache import ServerCache

__all__ = [
    "__version__",
    "GatrixClient",
    "ServerCache",
    "GatrixObject",
    "Page",
    "InstanceHandle",
    "NOT_GIVEN",
    "webhooks",
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
]
