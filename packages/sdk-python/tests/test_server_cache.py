"""ServerCache: the shared parity table (packages/sdk-node/test/fixtures/parity-cases.json, whose expected answers
are the server's, checked against it by the Node SDK's tests) through the Python cache's local answers; and the
cache against a real Gatrix: polling with If-None-Match, stale while unreachable, fresh again, windows by the clock."""

from __future__ import annotations

import json
import time
import unittest
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from gatrix import GatrixClient, PermissionDeniedError, ServerCache

from .support import GatrixServer, start_with_key

PARITY = Path(__file__).resolve().parents[2] / "sdk-node" / "test" / "fixtures" / "parity-cases.json"
WAIT = 120.0


def until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


class ParityTableTests(unittest.TestCase):
    table: Dict[str, Any]

    @classmethod
    def setUpClass(cls) -> None:
        cls.table = json.loads(PARITY.read_text(encoding="utf-8"))

    def cache(self, global_on: bool) -> ServerCache:
        cache = ServerCache(GatrixClient(api_key="unused", base_url="http://127.0.0.1:9"), start=False)
        cache.load(self.table["snapshots"]["on" if global_on else "off"])
        return cache

    def test_resolution(self) -> None:
        cases = self.table["resolution"]
        self.assertGreaterEqual(len(cases), 770)
        caches = {g: self.cache(g) for g in (False, True)}
        for case in cases:
            q = case["query"]
            got = caches[case["global"]].resolve_client_version(
                q["channel"], q["subChannel"], q["version"], patch_version=q.get("patchVersion"), account_id=q.get("accountId"), ip=q.get("ip"), lang=q.get("lang")
            )
            self.assertEqual(got, case["expected"], f"{q} global={case['global']}")

    def test_status_worlds_and_maintenance(self) -> None:
        for case in self.table["callers"]:
            cache = self.cache(case["global"])
            c = case["caller"]
            args = dict(account_id=c.get("accountId"), ip=c.get("ip"), lang=c.get("lang"))
            self.assertEqual(cache.status(**args), case["status"], c)
            self.assertEqual(cache.worlds(**args), case["worlds"], c)
            down = cache.maintenance_for(world_id="w-down", **args)
            world = next(w for w in case["worlds"] if w["worldId"] == "w-down")
            self.assertEqual(down["active"], case["status"]["maintenance"] if case["global"] else world["maintenance"])
            self.assertEqual(down["message"], case["status"]["message"] if case["global"] else world["maintenanceMessage"])

    def test_whitelist(self) -> None:
        cache = self.cache(True)
        for case in self.table["whitelist"]:
            self.assertEqual(cache.is_whitelisted(account_id=case.get("accountId"), ip=case.get("ip", "192.0.2.1")), case["expected"], case)

    def test_notices(self) -> None:
        cache = self.cache(True)
        for case in self.table["notices"]:
            q = case["query"]
            got = cache.notices(channel=q.get("channel"), sub_channel=q.get("subChannel"), world_id=q.get("worldId"), version=q.get("version"), lang=q.get("lang"))
            self.assertEqual(got, case["expected"], q)

    def test_windows_by_the_clock(self) -> None:
        now = [time.time()]
        cache = ServerCache(GatrixClient(api_key="unused", base_url="http://127.0.0.1:9"), start=False, clock=lambda: now[0])
        cache.load(self.table["snapshots"]["off"])
        self.assertFalse(cache.is_whitelisted(account_id="qa-later"))
        self.assertFalse(cache.is_maintenance_active("w-later"))
        now[0] = 4070908800.0  # 2099-01-01T00:00:00Z: both windows start
        self.assertTrue(cache.is_whitelisted(account_id="qa-later"))
        self.assertTrue(cache.is_maintenance_active("w-later"))
        now[0] = 4070995200.0  # 2099-01-02: the world's window has ended
        self.assertFalse(cache.is_maintenance_active("w-later"))


class AgainstGatrixTests(unittest.TestCase):
    server: Optional[GatrixServer] = None

    @classmethod
    def setUpClass(cls) -> None:
        cls.server, cls.admin_key = start_with_key("admin")

    @classmethod
    def tearDownClass(cls) -> None:
        if cls.server is not None:
            cls.server.stop()

    def test_polls_with_if_none_match_goes_stale_and_fresh(self) -> None:
        assert self.server is not None
        admin = GatrixClient(api_key=self.admin_key, base_url=self.server.base_url)
        key = admin.api_keys.create(name="py-cache", type="server").key
        client = GatrixClient(api_key=key, base_url=self.server.base_url, timeout=5, max_retries=0)
        seen = []
        with ServerCache(client, interval=0.05, max_interval=0.2) as cache:
            cache.on("stale", lambda err: seen.append("stale"))
            cache.on("fresh", lambda: seen.append("fresh"))
            cache.ready(timeout=WAIT)
            self.assertFalse(cache.is_whitelisted(ip="233.252.0.9"))
            admin.whitelist.create(type="ip", value="233.252.0.0/24")
            until(lambda: cache.is_whitelisted(ip="233.252.0.9"), "the new entry reaches the cache")
            cache.client = GatrixClient(api_key=key, base_url="http://127.0.0.1:9", timeout=5, max_retries=0)
            until(lambda: cache.stale, "the cache notices Gatrix is unreachable")
            self.assertTrue(cache.is_whitelisted(ip="233.252.0.9"), "the last good snapshot still answers")
            cache.client = client
            until(lambda: not cache.stale, "the cache notices Gatrix is back")
        self.assertEqual(seen, ["stale", "fresh"])

    def test_a_refused_credential_fails_ready(self) -> None:
        assert self.server is not None
        key = GatrixClient(api_key=self.admin_key, base_url=self.server.base_url).api_keys.create(name="py-client", type="client").key
        cache = ServerCache(GatrixClient(api_key=key, base_url=self.server.base_url))
        with self.assertRaises(PermissionDeniedError):
            cache.ready(timeout=WAIT)
        cache.close()


if __name__ == "__main__":
    unittest.main()
