"""Verify the webhooks Gatrix sends you.

Each delivery is a ``POST`` whose body is the event envelope ``{"id", "event", "timestamp", "data"}``,
signed two ways (docs/webhooks.md):

- Standard Webhooks: ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``, a
  space-separated list of ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` (one per secret while a
  rotation is in its grace period). The key is the base64 part of a ``whsec_`` secret, else the secret's
  UTF-8 bytes.
- ``x-gatrix-signature``: hex HMAC-SHA256 of the raw body keyed with the secret string. It carries no
  timestamp, so it cannot stop a replay: it is used only when the Standard Webhooks headers are absent.

Always verify the **raw bytes** you received, before any JSON parsing: re-serializing a parsed body changes
bytes (spacing, key order, escapes) and the signature no longer matches.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from .errors import WebhookVerificationError
from .objects import GatrixObject, wrap

__all__ = ["verify", "sign", "signing_key", "WebhookVerificationError", "DEFAULT_TOLERANCE"]

#: How far ``webhook-timestamp`` may be from now, either way, in seconds.
DEFAULT_TOLERANCE = 5 * 60

Headers = Union[Mapping[str, Any], Iterable[Tuple[str, Any]]]
Secret = Union[str, bytes]

_B64_ALPHABET = re.compile(r"[^A-Za-z0-9+/]")


def _node_base64(text: str) -> bytes:
    """Decode base64 the way Node's ``Buffer.from(text, 'base64')`` does, which is how Gatrix reads a secret:
    the URL-safe alphabet is accepted, characters outside the alphabet are skipped, decoding stops at the
    first ``=``, and missing padding is fine."""
    text = text.split("=", 1)[0].replace("-", "+").replace("_", "/")
    text = _B64_ALPHABET.sub("", text)
    if len(text) % 4 == 1:  # a lone trailing character carries no whole byte
        text = text[:-1]
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return b""


def signing_key(secret: Secret) -> bytes:
    """The Standard Webhooks HMAC key of a secret: the base64 part of ``whsec_…``, else the secret's UTF-8 bytes."""
    if isinstance(secret, bytes):
        return secret
    if secret.startswith("whsec_"):
        key = _node_base64(secret[len("whsec_") :])
        if key:
            return key
    return secret.encode("utf-8")


def _secrets(secret: Union[Secret, Sequence[Secret], None]) -> List[Secret]:
    if secret is None:
        candidates: List[Secret] = []
    elif isinstance(secret, (str, bytes)):
        candidates = [secret]
    else:
        candidates = list(secret)
    if not candidates or any(not isinstance(s, (str, bytes)) or len(s) == 0 for s in candidates):
        raise ValueError(
            f"the webhook secret is missing (got {secret!r}): pass the endpoint's secret, a non-empty string "
            "(or a list of them, e.g. during a rotation)"
        )
    return candidates


def _header_map(headers: Headers) -> Dict[str, str]:
    """Lower-cased names → values, from a dict, an ``http.client.HTTPMessage``/``email.message.Message``,
    a WSGI/framework headers object, or a list of pairs."""
    items: Iterable[Tuple[str, Any]]
    if hasattr(headers, "items"):
        items = headers.items()  # type: ignore[union-attr]
    else:
        items = headers  # type: ignore[assignment]
    out: Dict[str, str] = {}
    for name, value in items:
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        elif isinstance(value, (list, tuple)):
            value = " ".join(str(v) for v in value)
        out[str(name).lower()] = str(value)
    return out


def _raw(raw_body: Union[bytes, bytearray, memoryview, str]) -> bytes:
    if isinstance(raw_body, str):
        return raw_body.encode("utf-8")
    if isinstance(raw_body, (bytes, bytearray, memoryview)):
        return bytes(raw_body)
    raise TypeError(
        "raw_body must be the bytes received (not a parsed dict: re-serialized JSON does not match the signature)"
    )


def _standard_signature(key: bytes, msg_id: str, timestamp: str, body: bytes) -> str:
    signed = msg_id.encode("utf-8") + b"." + timestamp.encode("utf-8") + b"." + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def verify(
    raw_body: Union[bytes, bytearray, memoryview, str],
    headers: Headers,
    secret: Union[Secret, Sequence[Secret]],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: Optional[float] = None,
    allow_gatrix_signature: bool = True,
) -> GatrixObject:
    """Check a delivery's signature and return its parsed envelope (``.id``, ``.event``, ``.timestamp``, ``.data``).

    :param raw_body: the body exactly as received (bytes; a str is encoded as UTF-8).
    :param headers: the request headers (any mapping or list of pairs; names are case-insensitive).
    :param secret: the endpoint's secret, or a list of secrets (e.g. the old and the new during a rotation).
    :param tolerance: seconds ``webhook-timestamp`` may differ from ``now`` (default 300).
    :param allow_gatrix_signature: accept ``x-gatrix-signature`` when the Standard Webhooks headers are absent.
    :raises WebhookVerificationError: missing or wrong signature, a timestamp outside the tolerance, or a body
        that is not a JSON object.
    """
    body = _raw(raw_body)
    h = _header_map(headers)
    candidates = _secrets(secret)

    msg_id, timestamp, signature = h.get("webhook-id"), h.get("webhook-timestamp"), h.get("webhook-signature")
    if signature is not None or msg_id is not None or timestamp is not None:
        if not (msg_id and timestamp and signature):
            raise WebhookVerificationError("incomplete Standard Webhooks headers: webhook-id, webhook-timestamp and webhook-signature are all required")
        _check_timestamp(timestamp, tolerance, now)
        offered = [part[3:] for part in signature.split() if part.startswith("v1,")]
        if not offered:
            raise WebhookVerificationError("webhook-signature has no v1 signature")
        matched = False
        for s in candidates:
            expected = _standard_signature(signing_key(s), msg_id, timestamp, body).encode("ascii")
            for sig in offered:
                # Every comparison runs to the end: no early exit that tells which candidate was close.
                matched |= hmac.compare_digest(expected, sig.encode("ascii", "replace"))
        if not matched:
            raise WebhookVerificationError("webhook-signature does not match the body and secret")
    elif allow_gatrix_signature and "x-gatrix-signature" in h:
        offered_hex = h["x-gatrix-signature"].strip().lower()
        matched = False
        for s in candidates:
            key = s if isinstance(s, bytes) else s.encode("utf-8")
            expected_hex = hmac.new(key, body, hashlib.sha256).hexdigest().encode("ascii")
            matched |= hmac.compare_digest(expected_hex, offered_hex.encode("ascii", "replace"))
        if not matched:
            raise WebhookVerificationError("x-gatrix-signature does not match the body and secret")
    else:
        raise WebhookVerificationError("no signature headers (webhook-signature or x-gatrix-signature)")

    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise WebhookVerificationError(f"the signed body is not JSON: {err}") from err
    if not isinstance(payload, dict):
        raise WebhookVerificationError("the signed body is not a JSON object")
    return wrap(payload)  # type: ignore[no-any-return]


def _check_timestamp(timestamp: str, tolerance: float, now: Optional[float]) -> None:
    try:
        ts = int(timestamp.strip())
    except ValueError:
        raise WebhookVerificationError(f"webhook-timestamp is not a Unix time: {timestamp!r}") from None
    current = time.time() if now is None else now
    if ts < current - tolerance:
        raise WebhookVerificationError(f"webhook-timestamp is too old ({int(current - ts)} s ago; tolerance {tolerance:g} s)")
    if ts > current + tolerance:
        raise WebhookVerificationError(f"webhook-timestamp is in the future ({int(ts - current)} s ahead; tolerance {tolerance:g} s)")


def sign(
    raw_body: Union[bytes, str],
    secret: Union[Secret, Sequence[Secret]],
    *,
    msg_id: str,
    timestamp: Optional[int] = None,
) -> Dict[str, str]:
    """The signature headers Gatrix would send for this body (to test your receiver without a server).

    During a rotation pass ``[new, old]``, as Gatrix signs: ``webhook-signature`` carries both, and
    ``x-gatrix-signature`` the old one (the last), until the grace period ends."""
    body = _raw(raw_body)
    candidates = _secrets(secret)
    ts = str(int(time.time()) if timestamp is None else int(timestamp))
    last = candidates[-1]
    last_key = last if isinstance(last, bytes) else last.encode("utf-8")
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": ts,
        "webhook-signature": " ".join(f"v1,{_standard_signature(signing_key(s), msg_id, ts, body)}" for s in candidates),
        "x-gatrix-signature": hmac.new(last_key, body, hashlib.sha256).hexdigest(),
    }
