"""``GatrixClient``: the entry point."""

from __future__ import annotations

import os
import urllib.parse
from typing import Any, Mapping, Optional

from ._http import NOT_GIVEN, Transport
from .resources import (
    ApiKeysResource,
    AuditLogsResource,
    ClientResource,
    EventsResource,
    ServerResource,
    MaintenanceResource,
    UsersResource,
    VersionsResource,
    WebhooksResource,
    WhitelistResource,
    NoticesResource,
    WorldsResource,
    _result,
)

__all__ = ["GatrixClient", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "DEFAULT_MAX_RETRIES"]

DEFAULT_BASE_URL = "http://localhost:3000"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
API_PREFIX = "/api/v1"


class GatrixClient:
    """A client of one Gatrix server.

    :param api_key: an API key (``gtx_…``; an ``admin`` key manages users, a ``server`` key reads game
        operations, a ``client`` key reaches ``client.client``). Defaults to ``$GATRIX_API_KEY``.
    :param base_url: the server's address, e.g. ``https://api.gatrix.com`` (``/api/v1`` is added; a URL that
        already ends in it is fine). Defaults to ``$GATRIX_BASE_URL``, else ``http://localhost:3000``.
    :param timeout: seconds each attempt may wait to connect and for each read of the answer (default 30).
    :param max_retries: extra attempts after a network error, a timeout, 429, 502, 503 or 504 (default 2),
        with exponential backoff and jitter, honouring ``Retry-After``.
    :param access_token: a user's access JWT from ``POST /auth/login``, instead of an API key.
    :param user_agent: replaces the ``User-Agent`` header.
    :param default_headers: headers sent with every request.
    :param max_retry_delay: the longest backoff between two attempts, in seconds (default 8).
    :param max_retry_after: a ``Retry-After`` longer than this (seconds, default 60) is not waited for: the
        error is raised instead.

    Resources: ``users``, ``worlds``, ``versions``, ``maintenance``, ``whitelist``, ``notices``, ``api_keys``,
    ``webhooks``, ``audit_logs``, ``client`` (the game-client API). ``request()`` reaches any other route.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        *,
        access_token: Optional[str] = None,
        user_agent: Optional[str] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        max_retry_delay: float = 8.0,
        max_retry_after: float = 60.0,
    ) -> None:
        if api_key is not None and access_token is not None:
            raise ValueError("pass api_key or access_token, not both")
        credential = access_token if access_token is not None else api_key
        if credential is None:
            credential = os.environ.get("GATRIX_API_KEY") or None
        root = (base_url or os.environ.get("GATRIX_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")
        parsed = urllib.parse.urlsplit(root)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"base_url must be an http:// or https:// URL, got {root!r}")
        if root.endswith(API_PREFIX):
            root = root[: -len(API_PREFIX)]
        self.base_url = root
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self._transport = Transport(
            base_url=root + API_PREFIX,
            credential=credential,
            timeout=self.timeout,
            max_retries=self.max_retries,
            max_retry_delay=max_retry_delay,
            max_retry_after=max_retry_after,
            user_agent=user_agent,
            default_headers=default_headers,
        )

        self.users = UsersResource(self)
        self.worlds = WorldsResource(self)
        self.versions = VersionsResource(self)
        self.maintenance = MaintenanceResource(self)
        self.whitelist = WhitelistResource(self)
        self.notices = NoticesResource(self)
        self.api_keys = ApiKeysResource(self)
        self.webhooks = WebhooksResource(self)
        self.audit_logs = AuditLogsResource(self)
        self.events = EventsResource(self)
        self.client = ClientResource(self)
        self.server = ServerResource(self)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        json: Any = NOT_GIVEN,
        headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        idempotency_key: Optional[str] = None,
    ) -> Any:
        """Call any route under ``/api/v1`` (``path`` like ``"/monitoring/metrics"``), with the same auth,
        retries and errors; returns the parsed JSON (objects as :class:`~gatrix.objects.GatrixObject`)."""
        if path.startswith(API_PREFIX + "/"):
            path = path[len(API_PREFIX) :]
        if not path.startswith("/"):
            path = "/" + path
        response = self._transport.request(
            method, path, query=query, body=json, headers=headers, timeout=timeout, idempotency_key=idempotency_key
        )
        return _result(response)

    def close(self) -> None:
        """Nothing to release (every request opens its own connection); here for ``with`` blocks."""

    def __enter__(self) -> "GatrixClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GatrixClient(base_url={self.base_url!r})"
