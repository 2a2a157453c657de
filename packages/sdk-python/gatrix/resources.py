"""The API's resources, one class each. Reached through :class:`gatrix.GatrixClient` (``client.users`` …).

Conventions shared by every method:

- Fields are keyword arguments in snake_case (``world_id=``, ``sub_channel=``) and go to the API in camelCase;
  a positional ``dict`` works too (either case). Only the names are converted, never the values.
- ``None`` sends JSON ``null`` (clears a nullable field); a field you leave out is not sent, and updates are
  partial, so unsent fields keep their values.
- Results are :class:`~gatrix.objects.GatrixObject` (attributes and dict keys, either case); lists are
  :class:`~gatrix.objects.Page`; ``iterate()`` walks every page. ``delete`` returns ``None``.
- Every method takes ``timeout=`` (seconds, this call only). ``create`` and other POSTs take
  ``idempotency_key=`` (one is generated otherwise); ``update``/``delete`` take ``if_match=`` (an ETag:
  the call fails with :class:`~gatrix.errors.PreconditionFailedError` if the resource changed since).
"""

from __future__ import annotations

import gzip
import json
import threading
import urllib.parse
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Union

from ._http import NOT_GIVEN, Response, split_params
from .errors import GatrixAPIError, GatrixConnectionError
from .objects import GatrixObject, Page, wrap

if TYPE_CHECKING:  # pragma: no cover
    from .client import GatrixClient

__all__ = [
    "UsersResource",
    "WorldsResource",
    "InstanceHandle",
    "VersionsResource",
    "MaintenanceResource",
    "WhitelistResource",
    "NoticesResource",
    "ApiKeysResource",
    "WebhooksResource",
    "AuditLogsResource",
    "EventsResource",
    "ClientResource",
    "ServerResource",
]

#: A resource id, or the resource itself (``client.users.delete(user)``).
Id = Union[int, str, GatrixObject]
Params = Optional[Mapping[str, Any]]


def _id(value: Id) -> str:
    if isinstance(value, GatrixObject):
        value = value["id"]
    return urllib.parse.quote(str(value), safe="")


def _result(response: Response) -> Any:
    if response.status == 204 or not response.body:
        return None
    value = wrap(response.json())
    if isinstance(value, GatrixObject):
        object.__setattr__(value, "etag", response.headers.get("etag"))
    return value


class _Resource:
    def __init__(self, client: "GatrixClient") -> None:
        self._client = client

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = NOT_GIVEN,
        timeout: Optional[float] = None,
        idempotency_key: Optional[str] = None,
        if_match: Optional[str] = None,
    ) -> Any:
        headers = {"If-Match": if_match} if if_match else None
        response = self._client._transport.request(
            method, path, query=query, body=body, timeout=timeout, idempotency_key=idempotency_key, headers=headers
        )
        return _result(response)

    def _page(self, path: str, query: Dict[str, Any], timeout: Optional[float]) -> Page[GatrixObject]:
        answer = self._call("GET", path, query=query, timeout=timeout)
        data: List[GatrixObject] = answer.get("data", []) if isinstance(answer, GatrixObject) else []
        pagination = answer.get("pagination") if isinstance(answer, GatrixObject) else None
        if not isinstance(pagination, GatrixObject):
            pagination = GatrixObject(page=1, limit=len(data), total=len(data), totalPages=1)

        def fetch(page_no: int) -> Page[GatrixObject]:
            return self._page(path, {**query, "page": page_no}, timeout)

        def fetch_after(cursor: str) -> Page[GatrixObject]:
            # The server pages by the cursor; `page` only numbers the answer, for orientation.
            return self._page(path, {**query, "cursor": cursor, "page": int(query.get("page") or 1) + 1}, timeout)

        by_cursor = isinstance(answer, GatrixObject) and "nextCursor" in answer
        cursor = answer.get("nextCursor") if by_cursor else None
        return Page(list(data), pagination, fetch, cursor if isinstance(cursor, str) else None, fetch_after if by_cursor else None)

    def _iterate(self, path: str, query: Dict[str, Any], limit: int, timeout: Optional[float]) -> Iterator[GatrixObject]:
        query = {**query, "page": query.get("page") or 1, "limit": limit}
        return self._page(path, query, timeout).auto_paging_iter()


class _CrudResource(_Resource):
    """``list``, ``iterate``, ``get``, ``create``, ``update`` (partial), ``delete`` on ``_path``."""

    _path = ""

    def list(
        self,
        params: Params = None,
        /,
        *,
        page: Optional[int] = None,
        limit: Optional[int] = None,
        timeout: Optional[float] = None,
        **filters: Any,
    ) -> Page[GatrixObject]:
        """One page (``page`` from 1, ``limit`` 1..100, server default 50) with the given filters."""
        query = split_params(params, {**filters, "page": page, "limit": limit})
        return self._page(self._path, query, timeout)

    def iterate(
        self, params: Params = None, /, *, limit: int = 100, timeout: Optional[float] = None, **filters: Any
    ) -> Iterator[GatrixObject]:
        """Every item, page after page (``limit`` is the page size)."""
        return self._iterate(self._path, split_params(params, filters), limit, timeout)

    def get(self, id: Id, *, timeout: Optional[float] = None) -> GatrixObject:
        return self._call("GET", f"{self._path}/{_id(id)}", timeout=timeout)  # type: ignore[no-any-return]

    def _create(self, params: Params, fields: Mapping[str, Any], timeout: Optional[float], idempotency_key: Optional[str]) -> GatrixObject:
        body = split_params(params, fields)
        return self._call("POST", self._path, body=body, timeout=timeout, idempotency_key=idempotency_key)  # type: ignore[no-any-return]

    def create(
        self, params: Params = None, /, *, idempotency_key: Optional[str] = None, timeout: Optional[float] = None, **fields: Any
    ) -> GatrixObject:
        return self._create(params, fields, timeout, idempotency_key)

    def update(
        self, id: Id, params: Params = None, /, *, if_match: Optional[str] = None, timeout: Optional[float] = None, **fields: Any
    ) -> GatrixObject:
        """Partial update (``PUT``): only the fields given change."""
        body = split_params(params, fields)
        return self._call("PUT", f"{self._path}/{_id(id)}", body=body, timeout=timeout, if_match=if_match)  # type: ignore[no-any-return]

    def delete(self, id: Id, *, if_match: Optional[str] = None, timeout: Optional[float] = None) -> None:
        self._call("DELETE", f"{self._path}/{_id(id)}", timeout=timeout, if_match=if_match)


class UsersResource(_CrudResource):
    """``/users``: accounts (admin, operator, viewer, player).

    List filters: ``role``, ``status``, ``q`` (prefix of the username or email, or the id), ``created_from``,
    ``created_to``, ``last_login_from``, ``last_login_to``, ``sort``; keyset paging with ``cursor=page.next_cursor``.
    """

    _path = "/users"

    def create(  # type: ignore[override]
        self,
        params: Params = None,
        /,
        *,
        username: Any = NOT_GIVEN,
        email: Any = NOT_GIVEN,
        display_name: Any = NOT_GIVEN,
        role: Any = NOT_GIVEN,
        status: Any = NOT_GIVEN,
        password: Any = NOT_GIVEN,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
        **fields: Any,
    ) -> GatrixObject:
        """Create a user: ``username`` and ``email`` are required; ``role`` defaults to player, ``status`` to active."""
        given = dict(username=username, email=email, display_name=display_name, role=role, status=status, password=password)
        return self._create(params, {**given, **fields}, timeout, idempotency_key)

    def bulk(
        self,
        action: str,
        *,
        ids: Any = NOT_GIVEN,
        filter: Any = NOT_GIVEN,
        status: Any = NOT_GIVEN,
        role: Any = NOT_GIVEN,
        until: Any = NOT_GIVEN,
        reason: Any = NOT_GIVEN,
        timeout: Optional[float] = None,
    ) -> GatrixObject:
        """``setStatus`` / ``setRole`` / ``delete`` for ``ids`` (≤ 10,000) or every user matching ``filter`` (a dict
        of list filters, camelCase); answers ``total``, ``succeeded``, ``failed`` and one result per user. ``until``
        (ISO 8601 or datetime) ends a ``setStatus`` to ``suspended`` on its own; ``reason`` goes to the audit log."""
        body = split_params(None, dict(action=action, ids=ids, filter=filter, status=status, role=role, until=until, reason=reason))
        return self._call("POST", f"{self._path}/bulk", body=body, timeout=timeout)  # type: ignore[no-any-return]

    def suspend(self, id: Id, reason: str, *, until: Any = NOT_GIVEN, timeout: Optional[float] = None) -> GatrixObject:
        """Suspend the user (its sessions end) with a reason, until ``until`` (ISO 8601 or datetime) or until unsuspended."""
        body = split_params(None, dict(reason=reason, until=until))
        return self._call("POST", f"{self._path}/{_id(id)}/suspend", body=body, timeout=timeout)  # type: ignore[no-any-return]

    def unsuspend(self, id: Id, *, timeout: Optional[float] = None) -> GatrixObject:
        return self._call("POST", f"{self._path}/{_id(id)}/unsuspend", timeout=timeout)  # type: ignore[no-any-return]

    def unlock(self, id: Id, *, timeout: Optional[float] = None) -> None:
        """Lift the user's failed-login lockout."""
        self._call("POST", f"{self._path}/{_id(id)}/unlock", timeout=timeout)

    def reset_password(self, id: Id, *, timeout: Optional[float] = None) -> str:
        """A new random password for the user, returned this once; its sessions end."""
        answer = self._call("POST", f"{self._path}/{_id(id)}/reset-password", timeout=timeout)
        return str(answer["temporaryPassword"])

    def sessions(self, id: Id, *, timeout: Optional[float] = None) -> List[GatrixObject]:
        """The user's live login sessions: ``id``, ``created_at``, ``expires_at``, ``last_used_at`` (never a token)."""
        answer = self._call("GET", f"{self._path}/{_id(id)}/sessions", timeout=timeout)
        return list(answer["data"])

    def revoke_session(self, id: Id, session_id: str, *, timeout: Optional[float] = None) -> None:
        self._call("DELETE", f"{self._path}/{_id(id)}/sessions/{_id(session_id)}", timeout=timeout)


class WorldsResource(_CrudResource):
    """``/game-worlds``: game worlds in display order. Filters: ``visible``, ``maintenance``, ``q``, ``tag``."""

    _path = "/game-worlds"

    def create(  # type: ignore[override]
        self,
        params: Params = None,
        /,
        *,
        world_id: Any = NOT_GIVEN,
        name: Any = NOT_GIVEN,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
        **fields: Any,
    ) -> GatrixObject:
        """Create a world: ``world_id`` and ``name`` are required; also ``description``, ``visible``, ``region``,
        ``tags``, ``display_order``, ``maintenance``, ``maintenance_message(s)``, ``custom_payload``."""
        return self._create(params, {"world_id": world_id, "name": name, **fields}, timeout, idempotency_key)

    def set_maintenance(
        self,
        id: Id,
        enabled: bool,
        *,
        message: Any = NOT_GIVEN,
        messages: Any = NOT_GIVEN,
        starts_at: Any = NOT_GIVEN,
        ends_at: Any = NOT_GIVEN,
        if_match: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> GatrixObject:
        """Start (now, or at ``starts_at``), schedule, or end (``enabled=False``) a world's maintenance.

        ``messages`` is ``{"ko": "…", "en": "…"}``; ``starts_at``/``ends_at`` are ISO 8601 strings or datetimes.
        """
        body = split_params(None, dict(enabled=enabled, message=message, messages=messages, starts_at=starts_at, ends_at=ends_at))
        return self._call("PUT", f"{self._path}/{_id(id)}/maintenance", body=body, timeout=timeout, if_match=if_match)  # type: ignore[no-any-return]

    def reorder(self, ids: Sequence[Id], *, timeout: Optional[float] = None) -> List[GatrixObject]:
        """Put these worlds first, in this order; the others follow in their current order. Returns every world."""
        answer = self._call("PUT", f"{self._path}/order", body={"ids": [int(_id(i)) for i in ids]}, timeout=timeout)
        return list(answer["data"])

    def _instance_path(self, world_id: str, instance_id: str) -> str:
        return f"{self._path}/{_id(world_id)}/instances/{_id(instance_id)}"

    def list_instances(self, world_id: str, *, timeout: Optional[float] = None) -> List[GatrixObject]:
        """The instances of a world (by its ``world_id`` string, e.g. ``"asia-1"``), up ones first."""
        return list(self._call("GET", f"{self._path}/{_id(world_id)}/instances", timeout=timeout)["data"])

    def heartbeat(self, world_id: str, instance_id: str, params: Params = None, /, *, timeout: Optional[float] = None, **report: Any) -> GatrixObject:
        """One heartbeat by hand (``register_instance`` sends them for you): ``address``, ``capacity``, ``players``,
        ``status`` (starting, online, draining, stopping), and optionally ``region``, ``version``, ``tags``."""
        return self._call("PUT", self._instance_path(world_id, instance_id), body=split_params(params, report), timeout=timeout)  # type: ignore[no-any-return]

    def deregister_instance(self, world_id: str, instance_id: str, *, timeout: Optional[float] = None) -> None:
        """Deregister an instance (the handle of ``register_instance`` does it on ``close()``)."""
        self._call("DELETE", self._instance_path(world_id, instance_id), timeout=timeout)

    def register_instance(
        self,
        world_id: str,
        instance_id: str,
        params: Params = None,
        /,
        *,
        interval: float = 10.0,
        on_error: Optional[Callable[[BaseException], None]] = None,
        **report: Any,
    ) -> "InstanceHandle":
        """Register a world server and keep it registered.

        Sends the first heartbeat now (raising what Gatrix refuses), then one every ``interval`` seconds from a
        daemon ``threading.Timer``. ``handle.update(players=…, status=…)`` sends a changed report at once;
        ``handle.close()`` (or leaving a ``with`` block) stops and deregisters. A failed background heartbeat is
        kept in ``handle.last_error``, passed to ``on_error``, and retried on the next interval.
        """
        handle = InstanceHandle(self, world_id, instance_id, split_params(params, report), interval, on_error)
        handle.heartbeat()
        return handle


class InstanceHandle:
    """A registered world instance (see :meth:`WorldsResource.register_instance`)."""

    def __init__(
        self,
        worlds: WorldsResource,
        world_id: str,
        instance_id: str,
        report: Dict[str, Any],
        interval: float,
        on_error: Optional[Callable[[BaseException], None]],
    ) -> None:
        if interval < 0.1:
            raise ValueError("interval must be at least 0.1 seconds")
        self.world_id = world_id
        self.instance_id = instance_id
        self.interval = interval
        #: The error of the last failed background heartbeat, cleared by the next one that succeeds.
        self.last_error: Optional[BaseException] = None
        self._worlds = worlds
        self._report = report
        self._on_error = on_error
        self._lock = threading.Lock()  # one heartbeat at a time
        self._timer: Optional[threading.Timer] = None
        self._closed = False

    @property
    def report(self) -> Dict[str, Any]:
        """The report the next heartbeat sends (camelCase keys, as sent)."""
        return dict(self._report)

    def heartbeat(self) -> GatrixObject:
        """Send one heartbeat now and schedule the next."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the instance was closed")
            if self._timer is not None:
                self._timer.cancel()
            try:
                answer = self._worlds.heartbeat(self.world_id, self.instance_id, self._report)
                self.last_error = None
                return answer
            finally:
                self._schedule()

    def update(self, params: Params = None, /, **changes: Any) -> GatrixObject:
        """Change the report (``players=``, ``status=`` …) and send it at once."""
        self._report = {**self._report, **split_params(params, changes)}
        return self.heartbeat()

    def close(self) -> None:
        """Stop heartbeating and deregister (an instance already gone counts as deregistered)."""
        from .errors import NotFoundError

        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
        try:
            self._worlds.deregister_instance(self.world_id, self.instance_id)
        except NotFoundError:
            pass

    def __enter__(self) -> "InstanceHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _schedule(self) -> None:
        if self._closed:
            return
        self._timer = threading.Timer(self.interval, self._beat_in_background)
        self._timer.daemon = True
        self._timer.start()

    def _beat_in_background(self) -> None:
        try:
            self.heartbeat()
        except Exception as err:  # noqa: BLE001 - reported, retried on the next interval
            if self._closed:
                return
            self.last_error = err
            if self._on_error is not None:
                self._on_error(err)


class VersionsResource(_CrudResource):
    """``/client-versions``: game client builds per channel and sub-channel."""

    _path = "/client-versions"

    def list(  # type: ignore[override]
        self,
        params: Params = None,
        /,
        *,
        channel: Optional[str] = None,
        sub_channel: Optional[str] = None,
        status: Optional[str] = None,
        page: Optional[int] = None,
        limit: Optional[int] = None,
        timeout: Optional[float] = None,
        **filters: Any,
    ) -> Page[GatrixObject]:
        """Filter by ``channel`` (e.g. ``"PC"``), ``sub_channel`` (``"Steam"``) and ``status``; all match exactly."""
        return super().list(params, page=page, limit=limit, timeout=timeout, channel=channel, sub_channel=sub_channel, status=status, **filters)

    def iterate(  # type: ignore[override]
        self,
        params: Params = None,
        /,
        *,
        channel: Optional[str] = None,
        sub_channel: Optional[str] = None,
        status: Optional[str] = None,
        limit: int = 100,
        timeout: Optional[float] = None,
        **filters: Any,
    ) -> Iterator[GatrixObject]:
        return super().iterate(params, limit=limit, timeout=timeout, channel=channel, sub_channel=sub_channel, status=status, **filters)

    def create(  # type: ignore[override]
        self,
        params: Params = None,
        /,
        *,
        channel: Any = NOT_GIVEN,
        sub_channel: Any = NOT_GIVEN,
        version: Any = NOT_GIVEN,
        status: Any = NOT_GIVEN,
        game_server_address: Any = NOT_GIVEN,
        patch_address: Any = NOT_GIVEN,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
        **fields: Any,
    ) -> GatrixObject:
        """Create a client version (unique per channel, sub-channel and version). Optional: ``min_patch_version``,
        ``guest_mode_allowed``, ``game_server_address_for_whitelist``, ``patch_address_for_whitelist``,
        ``external_click_link``, ``custom_payload``, ``maintenance_message(s)``, ``memo``."""
        given = dict(
            channel=channel,
            sub_channel=sub_channel,
            version=version,
            status=status,
            game_server_address=game_server_address,
            patch_address=patch_address,
        )
        return self._create(params, {**given, **fields}, timeout, idempotency_key)


class MaintenanceResource(_Resource):
    """``/maintenance``: global maintenance, now or in a scheduled window."""

    def get(self, *, timeout: Optional[float] = None) -> GatrixObject:
        return self._call("GET", "/maintenance", timeout=timeout)  # type: ignore[no-any-return]

    def set(
        self,
        enabled: bool,
        *,
        message: Any = NOT_GIVEN,
        messages: Any = NOT_GIVEN,
        starts_at: Any = NOT_GIVEN,
        ends_at: Any = NOT_GIVEN,
        if_match: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> GatrixObject:
        """``enabled=True`` starts now (or at ``starts_at``; ``ends_at`` ends it by itself); ``False`` ends it."""
        body = split_params(None, dict(enabled=enabled, message=message, messages=messages, starts_at=starts_at, ends_at=ends_at))
        return self._call("PUT", "/maintenance", body=body, timeout=timeout, if_match=if_match)  # type: ignore[no-any-return]

    update = set


class WhitelistResource(_CrudResource):
    """``/whitelist``: accounts and IPs/CIDRs that pass through maintenance. Filters: ``type``, ``enabled``, ``q``."""

    _path = "/whitelist"

    def create(  # type: ignore[override]
        self,
        params: Params = None,
        /,
        *,
        type: Any = NOT_GIVEN,
        value: Any = NOT_GIVEN,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
        **fields: Any,
    ) -> GatrixObject:
        """``type`` is ``"account"`` or ``"ip"``; ``value`` an account id, IP or CIDR. Optional: ``memo``,
        ``enabled``, ``starts_at``, ``ends_at``."""
        return self._create(params, {"type": type, "value": value, **fields}, timeout, idempotency_key)

    def import_entries(
        self,
        text: str,
        *,
        dry_run: bool,
        defaults: Optional[Mapping[str, Any]] = None,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> GatrixObject:
        """Import lines of entries (``value``, then optionally ``# description`` or ``, description``; at most
        10,000). ``dry_run=True`` only checks. ``defaults`` (camelCase keys: ``enabled``, ``startsAt``, ``endsAt``,
        ``description``) apply to every line. With an invalid line nothing is written and a 422
        ``whitelist_import_invalid`` error is raised."""
        body: Dict[str, Any] = {"text": text, "dryRun": dry_run}
        if defaults is not None:
            body["defaults"] = dict(defaults)
        return self._call("POST", f"{self._path}/import", body=body, timeout=timeout, idempotency_key=idempotency_key)  # type: ignore[no-any-return]

    def test(
        self,
        *,
        account_id: Any = NOT_GIVEN,
        ip: Any = NOT_GIVEN,
        client_version: Any = NOT_GIVEN,
        lang: Any = NOT_GIVEN,
        timeout: Optional[float] = None,
    ) -> GatrixObject:
        """Would this account id / IP (default: the caller's address) get through maintenance: ``allowed``, the
        matching entries and why, and what the game-client API answers (``decisions``), in ``lang``.
        ``client_version`` (camelCase keys: ``channel``, ``subChannel``, ``version``, optional ``patchVersion``)
        also resolves that build as ``GET /client/client-version`` would."""
        body = split_params(None, dict(account_id=account_id, ip=ip, client_version=client_version, lang=lang))
        return self._call("POST", f"{self._path}/test", body=body, timeout=timeout)  # type: ignore[no-any-return]


class NoticesResource(_CrudResource):
    """``/notices``: service notices for players. Filters: ``category``, ``enabled``, ``state`` (``scheduled``,
    ``current``, ``ended``), ``q``. Listed in the order game clients see them."""

    _path = "/notices"

    def create(  # type: ignore[override]
        self,
        params: Params = None,
        /,
        *,
        title: Any = NOT_GIVEN,
        body: Any = NOT_GIVEN,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
        **fields: Any,
    ) -> GatrixObject:
        """``title`` and ``body`` are the default text. Optional: ``translations`` (``{"ko": {"title", "body"}}``),
        ``category``, ``priority``, ``enabled``, ``starts_at``, ``ends_at``, ``channels``, ``sub_channels``,
        ``world_ids``, ``min_version``, ``max_version``."""
        return self._create(params, {"title": title, "body": body, **fields}, timeout, idempotency_key)


class ApiKeysResource(_Resource):
    """``/api-keys``: keys for partner services (``admin``), game servers (``server``) and game clients (``client``)."""

    _path = "/api-keys"

    def list(
        self,
        params: Params = None,
        /,
        *,
        page: Optional[int] = None,
        limit: Optional[int] = None,
        type: Optional[str] = None,
        include_revoked: Optional[bool] = None,
        unused_for_days: Optional[int] = None,
        timeout: Optional[float] = None,
    ) -> Page[GatrixObject]:
        """``unused_for_days``: only keys not used for that many days (never-used ones count from their creation)."""
        query = split_params(params, dict(page=page, limit=limit, type=type, include_revoked=include_revoked, unused_for_days=unused_for_days))
        return self._page(self._path, query, timeout)

    def iterate(
        self, params: Params = None, /, *, limit: int = 100, type: Optional[str] = None, include_revoked: Optional[bool] = None,
        unused_for_days: Optional[int] = None, timeout: Optional[float] = None,
    ) -> Iterator[GatrixObject]:
        query = split_params(params, dict(type=type, include_revoked=include_revoked, unused_for_days=unused_for_days))
        return self._iterate(self._path, query, limit, timeout)

    def get(self, id: Id, *, timeout: Optional[float] = None) -> GatrixObject:
        return self._call("GET", f"{self._path}/{_id(id)}", timeout=timeout)  # type: ignore[no-any-return]

    def create(
        self,
        params: Params = None,
        /,
        *,
        name: Any = NOT_GIVEN,
        type: Any = NOT_GIVEN,
        expires_at: Any = NOT_GIVEN,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> GatrixObject:
        """The answer's ``key`` is the key itself, shown this once."""
        body = split_params(params, dict(name=name, type=type, expires_at=expires_at))
        return self._call("POST", self._path, body=body, timeout=timeout, idempotency_key=idempotency_key)  # type: ignore[no-any-return]

    def delete(self, id: Id, *, timeout: Optional[float] = None) -> None:
        """Revoke the key at once."""
        self._call("DELETE", f"{self._path}/{_id(id)}", timeout=timeout)

    revoke = delete


class WebhooksResource(_CrudResource):
    """``/webhooks``: signed event deliveries to your endpoints. ``verify`` checks one you received."""

    _path = "/webhooks"

    def create(  # type: ignore[override]
        self,
        params: Params = None,
        /,
        *,
        url: Any = NOT_GIVEN,
        events: Any = NOT_GIVEN,
        secret: Any = NOT_GIVEN,
        active: Any = NOT_GIVEN,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
        **fields: Any,
    ) -> GatrixObject:
        """Register an endpoint for ``events`` (names, ``"user.*"``, ``"*"``). Without ``secret`` one is generated;
        the answer's ``secret`` is shown this once. Optional: ``description``, ``headers``."""
        given = dict(url=url, events=events, secret=secret, active=active)
        return self._create(params, {**given, **fields}, timeout, idempotency_key)

    def test(self, id: Id, *, idempotency_key: Optional[str] = None, timeout: Optional[float] = None) -> GatrixObject:
        """Send a ``webhook.test`` event to this endpoint; returns the queued delivery."""
        return self._call("POST", f"{self._path}/{_id(id)}/test", timeout=timeout, idempotency_key=idempotency_key)  # type: ignore[no-any-return]

    def rotate_secret(self, id: Id, *, idempotency_key: Optional[str] = None, timeout: Optional[float] = None) -> GatrixObject:
        """A new secret (in this answer only); the previous one keeps signing during the grace period."""
        return self._call("POST", f"{self._path}/{_id(id)}/rotate-secret", timeout=timeout, idempotency_key=idempotency_key)  # type: ignore[no-any-return]

    def deliveries(
        self,
        id: Id,
        params: Params = None,
        /,
        *,
        page: Optional[int] = None,
        limit: Optional[int] = None,
        status: Optional[str] = None,
        event: Optional[str] = None,
        timeout: Optional[float] = None,
        **filters: Any,
    ) -> Page[GatrixObject]:
        """Deliveries to this endpoint, newest first. Filters: ``status`` (pending, delivering, delivered,
        failed), ``event``, ``from_``/``to`` (ISO 8601)."""
        if "from_" in filters:
            filters["from"] = filters.pop("from_")
        query = split_params(params, {**filters, "page": page, "limit": limit, "status": status, "event": event})
        return self._page(f"{self._path}/{_id(id)}/deliveries", query, timeout)

    def iterate_deliveries(
        self, id: Id, params: Params = None, /, *, limit: int = 100, timeout: Optional[float] = None, **filters: Any
    ) -> Iterator[GatrixObject]:
        if "from_" in filters:
            filters["from"] = filters.pop("from_")
        return self._iterate(f"{self._path}/{_id(id)}/deliveries", split_params(params, filters), limit, timeout)

    def delivery(self, delivery_id: Id, *, timeout: Optional[float] = None) -> GatrixObject:
        """One delivery with its ``payload`` and every attempt (``attempts_log``)."""
        return self._call("GET", f"/webhook-deliveries/{_id(delivery_id)}", timeout=timeout)  # type: ignore[no-any-return]

    def retry(self, delivery_id: Id, *, idempotency_key: Optional[str] = None, timeout: Optional[float] = None) -> GatrixObject:
        """Send a delivery again now."""
        return self._call(  # type: ignore[no-any-return]
            "POST", f"/webhook-deliveries/{_id(delivery_id)}/retry", timeout=timeout, idempotency_key=idempotency_key
        )

    def recover(
        self,
        id: Id,
        since: Any,
        until: Any = NOT_GIVEN,
        *,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> GatrixObject:
        """Re-queue the endpoint's failed deliveries created in ``[since, until)``; answers ``{requeued}``."""
        body = split_params(None, dict(since=since, until=until))
        return self._call("POST", f"{self._path}/{_id(id)}/recover", body=body, timeout=timeout, idempotency_key=idempotency_key)  # type: ignore[no-any-return]

    def retry_deliveries(
        self,
        id: Id,
        *,
        status: Any = NOT_GIVEN,
        event_type: Any = NOT_GIVEN,
        since: Any = NOT_GIVEN,
        until: Any = NOT_GIVEN,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> GatrixObject:
        """Send again the endpoint's deliveries with ``status`` (default ``"failed"``), ``event_type`` and created
        in ``[since, until)``; answers ``{retried}``."""
        body = split_params(None, dict(status=status, event_type=event_type, since=since, until=until))
        return self._call(  # type: ignore[no-any-return]
            "POST", f"{self._path}/{_id(id)}/deliveries/retry", body=body, timeout=timeout, idempotency_key=idempotency_key
        )

    def health(self, id: Id, *, timeout: Optional[float] = None) -> GatrixObject:
        """Success rates over 1 h and 24 h, deliveries by status, queue depth, last success and failure."""
        return self._call("GET", f"{self._path}/{_id(id)}/health", timeout=timeout)  # type: ignore[no-any-return]

    def health_all(self, *, timeout: Optional[float] = None) -> List[GatrixObject]:
        """The health of every endpoint."""
        return list(self._call("GET", f"{self._path}/health", timeout=timeout)["data"])

    def event_types(self, *, timeout: Optional[float] = None) -> List[GatrixObject]:
        """Every event name with its Socket.IO name, a description and an example envelope."""
        return list(self._call("GET", "/event-types", timeout=timeout)["data"])

    @staticmethod
    def verify(raw_body: Union[bytes, str], headers: Any, secret: Union[str, Sequence[str]], **kwargs: Any) -> GatrixObject:
        """Same as :func:`gatrix.webhooks.verify`."""
        from .webhooks import verify

        return verify(raw_body, headers, secret, **kwargs)


class AuditLogsResource(_Resource):
    """``/audit-logs``, newest first. Filters: ``actor_type``, ``actor_id``, ``action`` (or ``"user.*"``),
    ``target_type``, ``target_id``, ``request_id``, ``q`` (free text), ``from_``/``to`` (ISO 8601)."""

    _path = "/audit-logs"

    def list(
        self, params: Params = None, /, *, page: Optional[int] = None, limit: Optional[int] = None, timeout: Optional[float] = None,
        **filters: Any,
    ) -> Page[GatrixObject]:
        if "from_" in filters:
            filters["from"] = filters.pop("from_")
        return self._page(self._path, split_params(params, {**filters, "page": page, "limit": limit}), timeout)

    def iterate(self, params: Params = None, /, *, limit: int = 100, timeout: Optional[float] = None, **filters: Any) -> Iterator[GatrixObject]:
        if "from_" in filters:
            filters["from"] = filters.pop("from_")
        return self._iterate(self._path, split_params(params, filters), limit, timeout)


def _event_types(types: Union[None, str, Sequence[str]]) -> Optional[str]:
    return types if types is None or isinstance(types, str) else ",".join(types)


class EventsResource(_Resource):
    """``/events``: the event feed — the envelopes webhooks carry (``id``, ``event``, ``timestamp``, ``data``),
    in commit order, after a cursor, of the events this credential may see. ``types`` is a list of event names,
    ``"prefix.*"`` or ``"*"`` (or one comma-separated string)."""

    def list(
        self,
        *,
        after: Optional[str] = None,
        types: Union[None, str, Sequence[str]] = None,
        limit: Optional[int] = None,
        wait: Optional[int] = None,
        newest: Optional[bool] = None,
        timeout: Optional[float] = None,
    ) -> GatrixObject:
        """One page: ``data`` (events after ``after``, or the oldest kept, or with ``newest=True`` the latest),
        ``next_cursor`` to pass as ``after`` next time, and ``has_more``. With ``wait`` (seconds, at most 30) an
        empty answer is held until an event comes; the call's timeout is extended by that much. A cursor no longer
        kept raises :class:`~gatrix.errors.GoneError`."""
        query = {"after": after, "types": _event_types(types), "limit": limit, "wait": wait, "newest": newest}
        per_attempt = (self._client.timeout if timeout is None else timeout) + (wait or 0)
        return self._call("GET", "/events", query=query, timeout=per_attempt)  # type: ignore[no-any-return]

    def iter(
        self,
        *,
        after: Optional[str] = None,
        types: Union[None, str, Sequence[str]] = None,
        limit: Optional[int] = None,
        wait: int = 30,
        timeout: Optional[float] = None,
    ) -> Iterator[GatrixObject]:
        """Every event after ``after`` (default: the oldest kept), as they come, without end: a generator that
        long-polls (``wait`` seconds per request), resumes from its cursor, and retries with backoff while the
        network, a timeout, 429 or a 5xx fails. Stop it with ``break``. Other errors (a cursor no longer kept:
        :class:`~gatrix.errors.GoneError`) end it."""
        transport = self._client._transport
        cursor = after
        failures = 0
        while True:
            try:
                page = self.list(after=cursor, types=types, limit=limit, wait=wait, timeout=timeout)
            except (GatrixConnectionError, GatrixAPIError) as err:
                if isinstance(err, GatrixAPIError) and not (err.status == 429 or (err.status or 0) >= 500):
                    raise
                transport.sleep(transport._backoff(failures))
                failures += 1
                continue
            failures = 0
            for event in page["data"]:
                yield event
                cursor = event["id"]
            cursor = page["nextCursor"] or cursor


class ClientResource(_Resource):
    """``/client/*``: what a game client asks at start-up (use a ``client`` or ``server`` API key)."""

    def client_version(
        self,
        channel: str,
        sub_channel: str,
        version: str,
        *,
        patch_version: Optional[str] = None,
        account_id: Optional[str] = None,
        lang: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> GatrixObject:
        """Status, addresses and message for this build, after global maintenance, the version's own status,
        ``min_patch_version`` and the whitelist (``account_id`` or the caller's IP). ``version="latest"`` asks for
        the newest registered version of the channel and sub-channel."""
        query = split_params(
            None, dict(channel=channel, sub_channel=sub_channel, version=version, patch_version=patch_version, account_id=account_id, lang=lang)
        )
        return self._call("GET", "/client/client-version", query=query, timeout=timeout)  # type: ignore[no-any-return]

    def client_versions(self, channel: str, sub_channel: str, *, timeout: Optional[float] = None) -> List[GatrixObject]:
        """The registered versions of this channel and sub-channel, newest first, each with its own status."""
        query = split_params(None, dict(channel=channel, sub_channel=sub_channel))
        return list(self._call("GET", "/client/client-versions", query=query, timeout=timeout)["data"])

    def status(self, *, account_id: Optional[str] = None, lang: Optional[str] = None, timeout: Optional[float] = None) -> GatrixObject:
        """Global maintenance as this caller sees it: ``{maintenance, message, startsAt, endsAt, upcoming}``
        (``upcoming``: a window scheduled to start later, with its message, or ``None``)."""
        query = split_params(None, dict(account_id=account_id, lang=lang))
        return self._call("GET", "/client/status", query=query, timeout=timeout)  # type: ignore[no-any-return]

    def game_worlds(
        self, *, account_id: Optional[str] = None, lang: Optional[str] = None, timeout: Optional[float] = None
    ) -> List[GatrixObject]:
        """Visible worlds in display order, with maintenance as this caller sees it."""
        query = split_params(None, dict(account_id=account_id, lang=lang))
        return list(self._call("GET", "/client/game-worlds", query=query, timeout=timeout)["data"])

    def notices(
        self,
        *,
        channel: Optional[str] = None,
        sub_channel: Optional[str] = None,
        world_id: Optional[str] = None,
        version: Optional[str] = None,
        lang: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> List[GatrixObject]:
        """The notices this client gets now, highest priority first, each in ``lang`` (its ``lang`` names the
        language served, ``None`` for the default text). A targeting argument left out matches only notices that
        do not target it."""
        query = split_params(None, dict(channel=channel, sub_channel=sub_channel, world_id=world_id, version=version, lang=lang))
        return list(self._call("GET", "/client/notices", query=query, timeout=timeout)["data"])


class ServerResource(_Resource):
    """``/server/*``: what a game server reads (use a ``server`` or ``admin`` API key)."""

    def snapshot(self, *, if_none_match: Optional[str] = None, timeout: Optional[float] = None) -> Optional[GatrixObject]:
        """Every world, global maintenance, the enabled whitelist and every client version in one document
        (``version``, ``generatedAt``, ``worlds``, ``maintenance``, ``whitelist``, ``clientVersions``). With
        ``if_none_match`` (a snapshot's ETag: its ``version`` in quotes) it returns ``None`` while nothing changed."""
        raw = self._snapshot_json(if_none_match, timeout)
        return None if raw is None else wrap(raw)  # type: ignore[no-any-return]

    def _snapshot_json(self, if_none_match: Optional[str], timeout: Optional[float]) -> Optional[Dict[str, Any]]:
        """The snapshot as plain JSON (``None`` on 304), gzip-encoded on the wire."""
        headers = {"Accept-Encoding": "gzip"}
        if if_none_match:
            headers["If-None-Match"] = if_none_match
        response = self._client._transport.request("GET", "/server/snapshot", headers=headers, timeout=timeout)
        if response.status == 304:
            return None
        body = gzip.decompress(response.body) if response.headers.get("content-encoding") == "gzip" else response.body
        return json.loads(body)  # type: ignore[no-any-return]
