"""HTTP transport: one request with timeout, retries, backoff, Retry-After and an Idempotency-Key on POST."""

from __future__ import annotations

import datetime as _dt
import email.utils
import http.client
import json
import platform
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Callable, Dict, Mapping, Optional

from ._version import __version__
from .errors import GatrixConnectionError, GatrixError, GatrixTimeoutError, error_for_response

RETRY_STATUSES = frozenset({429, 502, 503, 504})


class _NotGiven:
    """The default of optional fields: leave the field out of the request (``None`` is sent as JSON null)."""

    _instance: Optional["_NotGiven"] = None

    def __new__(cls) -> "_NotGiven":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Any = _NotGiven()


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """``Retry-After`` (delay seconds or an HTTP date) → seconds to wait, or ``None`` when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
        return max(0.0, seconds) if seconds == seconds else None  # NaN is not a delay
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _json_default(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.astimezone(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode_json(value: Any) -> bytes:
    return json.dumps(value, default=_json_default, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (_dt.datetime, _dt.date)):
        return str(_json_default(value))
    return str(value)


class Response:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The API never redirects; following one would turn a POST into a GET and drop the credential's meaning."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        return None


class Transport:
    def __init__(
        self,
        *,
        base_url: str,
        credential: Optional[str],
        timeout: float,
        max_retries: int,
        initial_retry_delay: float = 0.5,
        max_retry_delay: float = 8.0,
        max_retry_after: float = 60.0,
        user_agent: Optional[str] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self.base_url = base_url.rstrip("/")
        self.credential = credential
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.initial_retry_delay = initial_retry_delay
        self.max_retry_delay = max_retry_delay
        self.max_retry_after = max_retry_after
        self.user_agent = user_agent or f"gatrix-python/{__version__} Python/{platform.python_version()}"
        self.default_headers = dict(default_headers or {})
        self.sleep = sleep
        self._opener = urllib.request.build_opener(_NoRedirect())

    # -- one logical call -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = NOT_GIVEN,
        headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
    ) -> Response:
        method = method.upper()
        url = self.base_url + path
        if query:
            pairs = [(k, query_value(v)) for k, v in query.items() if v is not None and v is not NOT_GIVEN]
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)

        send_headers: Dict[str, str] = {
            "Accept": "application/json, application/problem+json",
            "User-Agent": self.user_agent,
        }
        if self.credential:
            send_headers["Authorization"] = f"Bearer {self.credential}"
        send_headers.update(self.default_headers)
        data: Optional[bytes] = None
        if body is not NOT_GIVEN:
            data = encode_json(body)
            send_headers["Content-Type"] = "application/json"
        if method == "POST":
            # One key for the whole call, reused by every retry: the server replays the first answer
            # instead of creating twice when an earlier attempt's response was lost.
            send_headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        if headers:
            send_headers.update(headers)

        retries = self.max_retries if max_retries is None else max_retries
        per_attempt = self.timeout if timeout is None else float(timeout)
        attempt = 0
        while True:
            try:
                response = self._send(method, url, data, send_headers, per_attempt)
            except GatrixConnectionError:
                if attempt >= retries:
                    raise
                self.sleep(self._backoff(attempt))
                attempt += 1
                continue

            if response.status < 400:
                return response
            error = error_for_response(response.status, response.headers, response.body)
            delay = self._retry_delay(response, error, attempt, retries)
            if delay is None:
                raise error
            self.sleep(delay)
            attempt += 1

    # -- retry policy -----------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: half the capped delay, plus a random part of the other half."""
        ceiling = min(self.max_retry_delay, self.initial_retry_delay * (2**attempt))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _retry_delay(self, response: Response, error: GatrixError, attempt: int, retries: int) -> Optional[float]:
        if attempt >= retries:
            return None
        retryable = response.status in RETRY_STATUSES or (response.status == 409 and error.code == "idempotency_in_progress")
        if not retryable:
            return None
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is not None:
            # Waiting longer than we are willing to would stall the caller; answer the error instead.
            if retry_after > self.max_retry_after:
                return None
            return retry_after
        return self._backoff(attempt)

    # -- one attempt ------------------------------------------------------------------------------

    def _send(self, method: str, url: str, data: Optional[bytes], headers: Mapping[str, str], timeout: float) -> Response:
        req = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                return Response(resp.status, _lower(resp.headers.items()), resp.read())
        except urllib.error.HTTPError as err:
            try:
                body = err.read()
            except (OSError, http.client.HTTPException) as read_err:  # the error body itself was cut off
                raise _connection_error(read_err, method, url, timeout) from read_err
            finally:
                err.close()
            return Response(err.code, _lower(err.headers.items() if err.headers else []), body)
        except urllib.error.URLError as err:
            raise _connection_error(err.reason, method, url, timeout) from err
        except (OSError, http.client.HTTPException) as err:
            # A timeout while reading, a reset, RemoteDisconnected, IncompleteRead, BadStatusLine…
            raise _connection_error(err, method, url, timeout) from err


def _lower(items: Any) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for k, v in items:
        out[k.lower()] = v
    return out


def _connection_error(reason: Any, method: str, url: str, timeout: float) -> GatrixConnectionError:
    if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in str(reason):
        return GatrixTimeoutError(f"{method} {url} timed out after {timeout:g}s")
    return GatrixConnectionError(f"{method} {url} failed: {reason}")


def split_params(params: Optional[Mapping[str, Any]], fields: Mapping[str, Any]) -> Dict[str, Any]:
    """Merge a positional dict and keyword fields; snake_case names become the API's camelCase.

    Only the top-level names are converted: values (``custom_payload={...}``, ``maintenance_messages={"ko": …}``)
    are sent as given. ``NOT_GIVEN`` values are left out.
    """
    from .objects import to_camel

    merged: Dict[str, Any] = {}
    for source in (params or {}, fields):
        for k, v in source.items():
            if v is NOT_GIVEN:
                continue
            merged[to_camel(k)] = v
    return merged
