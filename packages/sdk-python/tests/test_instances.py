"""World instances from the Python SDK against a real Gatrix (a ``main.ts`` process with its background sweep and
``GATRIX_INSTANCE_TTL=1``): ``register_instance`` heartbeats from a daemon timer, ``update``, ``close``
deregistering, expiry of an instance that stops, and the events of it all, really delivered to a webhook
receiver and verified."""

from __future__ import annotations

import datetime as dt
import time
import unittest
from typing import Any, Callable, List, Optional

import gatrix
from gatrix import GatrixClient, NotFoundError, ValidationError

from .support import GatrixServer, LocalServer

server: Optional[GatrixServer] = None
receiver: Optional[LocalServer] = None
SECRET = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
WAIT = 60.0


def setUpModule() -> None:
    global server, receiver
    receiver = LocalServer(lambda req, i: (204, {}, b"")).__enter__()
    try:
        server = GatrixServer({"GATRIX_INSTANCE_TTL": "1"}).start()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule() -> None:
    if server is not None:
        server.stop()
    if receiver is not None:
        receiver.__exit__(None, None, None)


def until(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {WAIT:g}s waiting for {what}")
        time.sleep(0.05)


def seen_at(instance: Any) -> float:
    return dt.datetime.fromisoformat(instance.last_seen_at.replace("Z", "+00:00")).timestamp()


class InstanceTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        assert server is not None and receiver is not None
        admin = GatrixClient(api_key=server.create_api_key("admin"), base_url=server.base_url)
        admin.worlds.create(world_id="py-world", name="Python world")
        admin.webhooks.create(url=f"{receiver.url}/instances", events=["world.instance_up", "world.instance_down"], secret=SECRET)
        cls.client = GatrixClient(api_key=server.create_api_key("server"), base_url=server.base_url)

    def delivered(self, event: str, instance_id: str, reason: str) -> Any:
        assert receiver is not None

        def matches(rec: Any) -> bool:
            if rec.headers.get("x-gatrix-event") != event:
                return False
            envelope = gatrix.webhooks.verify(rec.body, rec.raw_headers, SECRET)
            return bool(envelope.data.instance_id == instance_id and envelope.data.reason == reason)

        return receiver.wait_for(matches, WAIT)

    def test_registers_heartbeats_past_the_ttl_updates_and_deregisters(self) -> None:
        errors: List[BaseException] = []
        with self.client.worlds.register_instance(
            "py-world", "py-a", address="10.0.0.1:7777", capacity=100, players=5, status="starting", interval=0.2, on_error=errors.append
        ) as instance:
            self.delivered("world.instance_up", "py-a", "registered")
            instance.update(players=42, status="online")
            (listed,) = self.client.worlds.list_instances("py-world")
            self.assertEqual((listed.players, listed.status, listed.up), (42, "online", True))
            # Three TTLs of its own heartbeats (the written lastSeenAt moves on), and it never went down.
            start = seen_at(listed)
            until(lambda: seen_at(self.client.worlds.list_instances("py-world")[0]) > start + 3, "heartbeats for 3 s")
            self.assertTrue(self.client.worlds.list_instances("py-world")[0].up)
            self.assertEqual(errors, [])
            self.assertIsNone(instance.last_error)
        self.delivered("world.instance_down", "py-a", "deregistered")
        self.assertEqual(self.client.worlds.list_instances("py-world"), [])
        instance.close()  # twice is fine

    def test_an_instance_that_stops_is_marked_down_after_the_ttl_and_comes_back(self) -> None:
        report = dict(address="10.0.0.2:7777", capacity=100, players=1, status="online")
        self.assertEqual(self.client.worlds.heartbeat("py-world", "py-crashy", **report).registered, True)
        self.delivered("world.instance_down", "py-crashy", "expired")
        with self.client.worlds.register_instance("py-world", "py-crashy", **report):
            self.delivered("world.instance_up", "py-crashy", "returned")

    def test_refusals_name_the_problem(self) -> None:
        with self.assertRaises(NotFoundError) as nf:
            self.client.worlds.register_instance("no-such-world", "x", address="a:1", capacity=1, players=0, status="online")
        self.assertEqual(nf.exception.code, "world_not_found")
        with self.assertRaises(ValidationError) as bad:
            self.client.worlds.register_instance("py-world", "x", address="a:1", capacity=1, players=-1, status="online")
        self.assertIn("players", [e.path for e in bad.exception.errors])


if __name__ == "__main__":
    unittest.main()
