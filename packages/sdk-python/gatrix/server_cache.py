"""A game server's local copy of Gatrix, kept fresh by polling ``GET /server/snapshot`` with ``If-None-Match``.

    cache = ServerCache(GatrixClient(api_key=SERVER_KEY, base_url=URL))
    cache.ready(timeout=10)
    if cache.maintenance_for(world_id="asia-1", account_id=account, ip=ip)["active"]:
        refuse()

Every answer is local (no request per call) and exactly the server's (``gatrix.rules``); windows that start or end
are evaluated against the clock at call time. While Gatrix is unreachable the last good snapshot keeps answering
and ``stale`` is True.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Dict, List, Mapping, Optional

from . import rules
from .client import GatrixClient
from .errors import AuthenticationError, GatrixError, PermissionDeniedError

Listener = Callable[..., None]


class _State:
    def __init__(self, snapshot: Mapping[str, Any]) -> None:
        self.version: str = snapshot["version"]
        self.maintenance: Mapping[str, Any] = snapshot["maintenance"]
        self.worlds: List[Mapping[str, Any]] = sorted(snapshot["worlds"], key=lambda w: (w["displayOrder"], w["id"]))
        self.by_world_id = {w["worldId"]: w for w in self.worlds}
        self.whitelist: List[Mapping[str, Any]] = list(snapshot["whitelist"])
        self.notices: List[Mapping[str, Any]] = list(snapshot.get("notices", []))
        self.versions = rules.VersionIndex(snapshot["clientVersions"])
        self.matcher: Optional[rules.WhitelistMatcher] = None
        self.matcher_built_at = 0.0


class ServerCache:
    """Polls the snapshot in a background (daemon) thread.

    :param client: a :class:`~gatrix.GatrixClient` with a ``server`` (or ``admin``) API key.
    :param interval: seconds between revalidations while Gatrix answers (default 5); a 304 costs no body.
    :param max_interval: the longest wait between attempts after failures (default 60); the wait doubles per failure.
    :param clock: seconds since the epoch, the time windows are evaluated against (default ``time.time``).
    :param start: start polling now (default True); False only loads what :meth:`load` is given.
    """

    def __init__(
        self,
        client: GatrixClient,
        *,
        interval: float = 5.0,
        max_interval: float = 60.0,
        clock: Callable[[], float] = time.time,
        start: bool = True,
    ) -> None:
        if interval <= 0 or max_interval < interval:
            raise ValueError("interval must be positive and at most max_interval")
        self.client = client
        self.interval = interval
        self.max_interval = max_interval
        self.stale = False
        self.last_error: Optional[BaseException] = None
        self._clock = clock
        self._state: Optional[_State] = None
        self._lock = threading.Lock()
        self._loaded = threading.Event()
        self._stop = threading.Event()
        self._listeners: Dict[str, List[Listener]] = {"updated": [], "stale": [], "fresh": []}
        self._fatal: Optional[BaseException] = None
        self._thread: Optional[threading.Thread] = None
        if start:
            self._thread = threading.Thread(target=self._run, name="gatrix-server-cache", daemon=True)
            self._thread.start()

    # -- life cycle ---------------------------------------------------------------------------------

    def ready(self, timeout: Optional[float] = None) -> None:
        """Waits for the first snapshot; raises TimeoutError, or the error that refused the credential."""
        if not self._loaded.wait(timeout):
            if self._fatal is not None:
                raise self._fatal
            raise TimeoutError(f"no snapshot from Gatrix within {timeout}s ({self.last_error or 'no answer yet'})")
        if self._state is None and self._fatal is not None:
            raise self._fatal

    def close(self) -> None:
        """Stops polling (the thread ends after its current request)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.client.timeout + 1)

    def __enter__(self) -> "ServerCache":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def on(self, event: str, listener: Listener) -> None:
        """Calls ``listener`` on ``"updated"`` (a new snapshot), ``"stale"`` (with the error) and ``"fresh"``."""
        self._listeners[event].append(listener)

    @property
    def version(self) -> Optional[str]:
        """The version (ETag without quotes) of the snapshot answers come from."""
        return self._state.version if self._state else None

    def load(self, snapshot: Mapping[str, Any]) -> None:
        """Answers from this snapshot (the JSON of ``GET /server/snapshot``) from now on."""
        state = _State(snapshot)
        with self._lock:
            self._state = state
        self._loaded.set()
        self._emit("updated")

    def _emit(self, event: str, *args: Any) -> None:
        for listener in list(self._listeners[event]):
            listener(*args)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                etag = f'"{self._state.version}"' if self._state else None
                snapshot = self.client.server._snapshot_json(etag, None)
                failures = 0
                if snapshot is not None:
                    self.load(snapshot)
                if self.stale:
                    self.stale = False
                    self._emit("fresh")
            except (AuthenticationError, PermissionDeniedError) as err:
                if self._state is None:
                    self._fatal = err
                    self._loaded.set()
                    return
                failures = self._failed(err, failures)
            except GatrixError as err:
                failures = self._failed(err, failures)
            delay = self.interval if failures == 0 else min(self.max_interval, self.interval * 2 ** (failures - 1))
            self._stop.wait(delay)

    def _failed(self, err: BaseException, failures: int) -> int:
        self.last_error = err
        if not self.stale:
            self.stale = True
            self._emit("stale", err)
        return failures + 1

    # -- local answers ------------------------------------------------------------------------------

    def _current(self) -> _State:
        state = self._state
        if state is None:
            raise RuntimeError("ServerCache is not ready: call cache.ready() first")
        return state

    def _now_ms(self) -> float:
        return self._clock() * 1000

    def _global(self, state: _State, now: float) -> Dict[str, Any]:
        active, upcoming = rules.global_maintenance_at(state.maintenance, now)
        return {**state.maintenance, "active": active, "upcoming": upcoming}

    def _whitelisted(self, state: _State, account_id: Optional[str], ip: Optional[str], now: float) -> bool:
        matcher = state.matcher
        if matcher is None or now >= matcher.valid_until or now < state.matcher_built_at:
            matcher = rules.WhitelistMatcher(state.whitelist, now)
            state.matcher, state.matcher_built_at = matcher, now
        return matcher.matches(account_id, ip)

    def is_whitelisted(self, account_id: Optional[str] = None, ip: Optional[str] = None) -> bool:
        """This account id or IP (IPv4, IPv6, either in a CIDR) is whitelisted by an entry in effect now."""
        return self._whitelisted(self._current(), account_id, ip, self._now_ms())

    def status(self, account_id: Optional[str] = None, ip: Optional[str] = None, lang: Optional[str] = None) -> Dict[str, Any]:
        """What ``GET /client/status`` answers this caller."""
        state, now = self._current(), self._now_ms()
        glob = self._global(state, now)
        return rules.client_status(glob, glob["upcoming"], self._whitelisted(state, account_id, ip, now), lang)

    def worlds(self, account_id: Optional[str] = None, ip: Optional[str] = None, lang: Optional[str] = None) -> List[Dict[str, Any]]:
        """What ``GET /client/game-worlds`` answers this caller: visible worlds in display order."""
        state, now = self._current(), self._now_ms()
        whitelisted = self._whitelisted(state, account_id, ip, now)
        answers = []
        for w in state.worlds:
            if w["visible"]:
                active, upcoming = rules.world_maintenance_at(w, now)
                answers.append(rules.client_world({**w, "maintenance": active}, upcoming, whitelisted, lang))
        return answers

    def notices(
        self,
        channel: Optional[str] = None,
        sub_channel: Optional[str] = None,
        world_id: Optional[str] = None,
        version: Optional[str] = None,
        lang: Optional[str] = None,
    ) -> List[Dict[str, Any]]:
        """What ``GET /client/notices`` answers: the notices this client gets now, in display order, in ``lang``."""
        state = self._current()
        shown = rules.match_notices(state.notices, self._now_ms(), channel=channel, sub_channel=sub_channel, world_id=world_id, version=version)
        return [rules.localize_notice(n, lang) for n in shown]

    def maintenance_for(
        self, world_id: Optional[str] = None, account_id: Optional[str] = None, ip: Optional[str] = None, lang: Optional[str] = None
    ) -> Dict[str, Any]:
        """``{active, bypass, scope, message, startsAt, endsAt}``: global maintenance first, else the world's, as this
        player sees it (``active`` is False and ``bypass`` True for a whitelisted player)."""
        state, now = self._current(), self._now_ms()
        glob = self._global(state, now)
        whitelisted = self._whitelisted(state, account_id, ip, now)
        if glob["active"]:
            s = rules.client_status(glob, False, whitelisted, lang)
            return {"active": s["maintenance"], "bypass": whitelisted, "scope": "global", "message": s["message"], "startsAt": glob.get("startsAt"), "endsAt": glob.get("endsAt")}
        world = state.by_world_id.get(world_id) if world_id is not None else None
        if world is not None and rules.world_maintenance_at(world, now)[0]:
            seen = rules.client_world({**world, "maintenance": True}, False, whitelisted, lang)
            return {
                "active": seen["maintenance"],
                "bypass": whitelisted,
                "scope": "world",
                "message": seen["maintenanceMessage"],
                "startsAt": world.get("maintenanceStartsAt"),
                "endsAt": world.get("maintenanceEndsAt"),
            }
        return {"active": False, "bypass": False, "scope": None, "message": None, "startsAt": None, "endsAt": None}

    def is_maintenance_active(self, world_id: Optional[str] = None) -> bool:
        """Global maintenance, or (with ``world_id``) global or that world's, is in effect now."""
        return self.maintenance_for(world_id=world_id)["scope"] is not None

    def resolve_client_version(
        self,
        channel: str,
        sub_channel: str,
        version: str,
        *,
        patch_version: Optional[str] = None,
        account_id: Optional[str] = None,
        ip: Optional[str] = None,
        lang: Optional[str] = None,
    ) -> Optional[Dict[str, Any]]:
        """What ``GET /client/client-version`` answers this caller; None for an unknown version (the server's 404)."""
        state, now = self._current(), self._now_ms()
        v = state.versions.find(channel, sub_channel, version)
        if v is None:
            return None
        whitelisted = self._whitelisted(state, account_id, ip, now)
        return rules.resolve_client_version(v, self._global(state, now), patch_version=patch_version, lang=lang, whitelisted=whitelisted)
