"""The game-client rules, as Gatrix applies them: version order, message languages, the whitelist matcher and the
client-version resolution (docs/client-api.md). A port of the rules the server and the Node SDK share
(packages/sdk-node/src/rules); the shared parity table (packages/sdk-node/test/fixtures/parity-cases.json), run by
both SDKs' tests, keeps it answering exactly as the server does.

Records are the server's JSON (camelCase dicts), as ``GET /server/snapshot`` sends them.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import math
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

Record = Mapping[str, Any]

LATEST = "latest"
_WHITELIST_BYPASSES = frozenset({"MAINTENANCE", "OFFLINE", "UNDER_REVIEW", "BLOCKED_PATCH_ALLOWED"})
_PLAYABLE = frozenset({"ONLINE", "RECOMMENDED_UPDATE"})
_LEADING_ZEROS = re.compile(r"^0+(?=.)")


def compare_versions(a: str, b: str) -> int:
    """Dotted versions compared numerically per segment (missing segments are 0, leading zeros do not count)."""
    x, y = a.split("."), b.split(".")
    for i in range(max(len(x), len(y))):
        s = _LEADING_ZEROS.sub("", x[i] if i < len(x) else "0")
        t = _LEADING_ZEROS.sub("", y[i] if i < len(y) else "0")
        if len(s) != len(t):
            return len(s) - len(t)
        if s != t:
            return -1 if s < t else 1
    return 0


def pick_language(messages: Mapping[str, str], lang: Optional[str]) -> Optional[str]:
    """The key of ``messages`` that serves ``lang``: the exact tag, else its language, else none."""
    if not lang:
        return None
    lower = lang.lower()
    base = lower.split("-")[0]
    keys = list(messages.keys())
    for match in (lambda k: k.lower() == lower, lambda k: k.lower() == base, lambda k: k.lower().split("-")[0] == base):
        for k in keys:
            if match(k):
                return k
    return None


def localized(message: Optional[str], messages: Mapping[str, str], lang: Optional[str]) -> Optional[str]:
    """The message for ``lang``, falling back to the default message, then to any message."""
    key = pick_language(messages, lang)
    if key is not None:
        return messages[key]
    if message is not None:
        return message
    return next(iter(messages.values()), None)


def parse_time(value: Optional[str]) -> Optional[float]:
    """An ISO 8601 time as ms since the epoch (None stays None)."""
    if value is None:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000


def maintenance_at(asked: bool, starts_at: Optional[str], ends_at: Optional[str], now_ms: float) -> Tuple[bool, bool]:
    """``(active, upcoming)`` of a maintenance window at ``now_ms``: asked for and inside its window (startsAt
    inclusive, endsAt exclusive), or asked for with a window that starts later."""
    start, end = parse_time(starts_at), parse_time(ends_at)
    if not asked or (end is not None and end <= now_ms):
        return False, False
    if start is not None and start > now_ms:
        return False, True
    return True, False


def global_maintenance_at(g: Record, now_ms: float) -> Tuple[bool, bool]:
    return maintenance_at(bool(g["enabled"]), g.get("startsAt"), g.get("endsAt"), now_ms)


def world_maintenance_at(w: Record, now_ms: float) -> Tuple[bool, bool]:
    """A world's maintenance is asked for when in effect or scheduled (ending or disabling it clears the window)."""
    return maintenance_at(bool(w["maintenance"]) or w.get("maintenanceStartsAt") is not None, w.get("maintenanceStartsAt"), w.get("maintenanceEndsAt"), now_ms)


def patch_satisfied(v: Record, patch_version: Optional[str]) -> bool:
    minimum = v.get("minPatchVersion")
    return not minimum or (patch_version is not None and compare_versions(patch_version, minimum) >= 0)


def resolve_client_version(v: Record, glob: Record, *, patch_version: Optional[str], lang: Optional[str], whitelisted: bool) -> Dict[str, Any]:
    """What ``GET /client/client-version`` answers for version ``v`` under global maintenance ``glob``."""
    status = v["status"]
    message: Optional[str] = None
    window: Tuple[Optional[str], Optional[str]] = (None, None)
    if glob["active"]:
        status = "MAINTENANCE"
        message = localized(glob.get("message"), glob.get("messages") or {}, lang)
        window = (glob.get("startsAt"), glob.get("endsAt"))
    elif status == "MAINTENANCE":
        message = localized(v.get("maintenanceMessage"), v.get("maintenanceMessages") or {}, lang)
    if status in _PLAYABLE and not patch_satisfied(v, patch_version):
        status = "FORCED_UPDATE"
    if whitelisted and status in _WHITELIST_BYPASSES:
        status, message, window = "ONLINE", None, (None, None)
    return {
        "channel": v["channel"],
        "subChannel": v["subChannel"],
        "version": v["version"],
        "status": status,
        "message": message,
        "gameServerAddress": (whitelisted and v.get("gameServerAddressForWhitelist")) or v["gameServerAddress"],
        "patchAddress": (whitelisted and v.get("patchAddressForWhitelist")) or v["patchAddress"],
        "minPatchVersion": v.get("minPatchVersion"),
        "guestModeAllowed": v["guestModeAllowed"],
        "externalClickLink": v.get("externalClickLink"),
        "customPayload": v.get("customPayload"),
        "maintenanceStartsAt": window[0],
        "maintenanceEndsAt": window[1],
    }


def client_status(glob: Record, upcoming: bool, whitelisted: bool, lang: Optional[str]) -> Dict[str, Any]:
    """What ``GET /client/status`` answers: global maintenance as this caller sees it, and a scheduled window."""
    maintenance = bool(glob["active"]) and not whitelisted
    text = localized(glob.get("message"), glob.get("messages") or {}, lang)
    return {
        "maintenance": maintenance,
        "message": text if maintenance else None,
        "startsAt": glob.get("startsAt"),
        "endsAt": glob.get("endsAt"),
        "upcoming": {"startsAt": glob.get("startsAt"), "endsAt": glob.get("endsAt"), "message": text} if upcoming else None,
    }


def client_world(w: Record, upcoming: bool, whitelisted: bool, lang: Optional[str]) -> Dict[str, Any]:
    """One world of ``GET /client/game-worlds``: the world as this caller sees it."""
    maintenance = bool(w["maintenance"]) and not whitelisted
    return {
        "id": w["id"],
        "worldId": w["worldId"],
        "name": w["name"],
        "description": w.get("description"),
        "displayOrder": w["displayOrder"],
        "region": w.get("region"),
        "tags": w.get("tags", []),
        "customPayload": w.get("customPayload"),
        "maintenance": maintenance,
        "maintenanceMessage": localized(w.get("maintenanceMessage"), w.get("maintenanceMessages") or {}, lang) if maintenance else None,
        "maintenanceEndsAt": w.get("maintenanceEndsAt") if maintenance else None,
        "upcomingMaintenance": {
            "startsAt": w.get("maintenanceStartsAt"),
            "endsAt": w.get("maintenanceEndsAt"),
            "message": localized(w.get("maintenanceMessage"), w.get("maintenanceMessages") or {}, lang),
        }
        if upcoming
        else None,
    }


def _time_or(value: Optional[str], open_value: float) -> float:
    t = parse_time(value)
    return open_value if t is None else t


def notice_shown_at(n: Record, now_ms: float) -> bool:
    """Enabled and inside its window at ``now_ms``."""
    return bool(n["enabled"]) and _time_or(n.get("startsAt"), -math.inf) <= now_ms < _time_or(n.get("endsAt"), math.inf)


def _targets(values: List[str], value: Optional[str]) -> bool:
    return len(values) == 0 or (value is not None and value in values)


def notice_targets(n: Record, channel: Optional[str], sub_channel: Optional[str], world_id: Optional[str], version: Optional[str]) -> bool:
    """The notice is aimed at this client (not looking at its window)."""
    if not (_targets(n["channels"], channel) and _targets(n["subChannels"], sub_channel) and _targets(n["worldIds"], world_id)):
        return False
    low, high = n.get("minVersion"), n.get("maxVersion")
    if low is None and high is None:
        return True
    if version is None:
        return False
    return (low is None or compare_versions(version, low) >= 0) and (high is None or compare_versions(version, high) <= 0)


def _notice_order(n: Record) -> Tuple[float, float, int]:
    """Higher priority first, then the later start (no start counts as the earliest), then the newer id."""
    return (-n["priority"], -_time_or(n.get("startsAt"), -math.inf), -n["id"])


def match_notices(
    notices: Iterable[Record], now_ms: float, *, channel: Optional[str] = None, sub_channel: Optional[str] = None, world_id: Optional[str] = None, version: Optional[str] = None
) -> List[Record]:
    """The notices this client gets at ``now_ms``, in the order it shows them."""
    shown = [n for n in notices if notice_shown_at(n, now_ms) and notice_targets(n, channel, sub_channel, world_id, version)]
    return sorted(shown, key=_notice_order)


def localize_notice(n: Record, lang: Optional[str]) -> Dict[str, Any]:
    """The notice in the language ``lang`` selects, else its default text (what ``GET /client/notices`` answers)."""
    key = pick_language(n.get("translations") or {}, lang)
    text = n if key is None else n["translations"][key]
    return {
        "id": n["id"],
        "category": n["category"],
        "priority": n["priority"],
        "lang": key,
        "title": text["title"],
        "body": text["body"],
        "startsAt": n.get("startsAt"),
        "endsAt": n.get("endsAt"),
        "updatedAt": n["updatedAt"],
    }


class VersionIndex:
    """Versions by (channel, subChannel, version), and each channel and sub-channel's versions newest first."""

    def __init__(self, versions: Iterable[Record]) -> None:
        self._by_version: Dict[Tuple[str, str, str], Record] = {}
        self._by_channel: Dict[Tuple[str, str], List[Record]] = {}
        for v in versions:
            self._by_version[(v["channel"], v["subChannel"], v["version"])] = v
            self._by_channel.setdefault((v["channel"], v["subChannel"]), []).append(v)
        for items in self._by_channel.values():
            items.sort(key=_NEWEST_FIRST)

    def find(self, channel: str, sub_channel: str, version: str) -> Optional[Record]:
        if version == LATEST:
            items = self._by_channel.get((channel, sub_channel))
            return items[0] if items else None
        return self._by_version.get((channel, sub_channel, version))


_NEWEST_FIRST = functools.cmp_to_key(lambda a, b: compare_versions(b["version"], a["version"]))


_MAPPED = ipaddress.ip_network("::ffff:0:0/96")


def _parse_ip(text: str) -> Optional[Any]:
    if "%" in text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class WhitelistMatcher:
    """The entries in effect at ``now_ms``: enabled, ``startsAt <= now < endsAt``. Accounts match exactly; an IP is
    looked up once per prefix length present (a set of network numbers per length). An IPv4 client also matches
    IPv6 entries as its IPv4-mapped form, and an IPv4-mapped IPv6 client matches IPv4 entries."""

    def __init__(self, entries: Iterable[Record], now_ms: float) -> None:
        self.accounts: Set[str] = set()
        self._v4: Dict[int, Set[int]] = {}
        self._v6: Dict[int, Set[int]] = {}
        self.valid_until = math.inf
        for e in entries:
            if not e.get("enabled"):
                continue
            start = parse_time(e.get("startsAt"))
            end = parse_time(e.get("endsAt"))
            if start is not None and start > now_ms:
                self.valid_until = min(self.valid_until, start)
                continue
            if end is not None and end <= now_ms:
                continue
            if end is not None:
                self.valid_until = min(self.valid_until, end)
            if e["type"] == "account":
                self.accounts.add(e["value"])
                continue
            try:
                net = ipaddress.ip_network(e["value"], strict=False)
            except ValueError:
                continue  # malformed (written around the API): ignored rather than trusted
            table = self._v4 if net.version == 4 else self._v6
            bits = 32 if net.version == 4 else 128
            table.setdefault(net.prefixlen, set()).add(int(net.network_address) >> (bits - net.prefixlen))
        self._v4_prefixes = sorted(self._v4, reverse=True)
        self._v6_prefixes = sorted(self._v6, reverse=True)

    def _in(self, table: Dict[int, Set[int]], prefixes: List[int], value: int, bits: int) -> bool:
        return any((value >> (bits - p)) in table[p] for p in prefixes)

    def matches(self, account_id: Optional[str], ip: Optional[str]) -> bool:
        if account_id is not None and account_id in self.accounts:
            return True
        if ip is None or not (self._v4_prefixes or self._v6_prefixes):
            return False
        address = _parse_ip(ip)
        if address is None:
            return False
        value = int(address)
        if address.version == 4:
            return self._in(self._v4, self._v4_prefixes, value, 32) or self._in(self._v6, self._v6_prefixes, 0xFFFF00000000 | value, 128)
        if self._in(self._v6, self._v6_prefixes, value, 128):
            return True
        return address in _MAPPED and self._in(self._v4, self._v4_prefixes, value & 0xFFFFFFFF, 32)
