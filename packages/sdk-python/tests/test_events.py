"""client.events against a real Gatrix: list() pages the event feed by cursor and type; iter() long-polls,
yields events as they come, and resumes from its cursor after network failures."""

from __future__ import annotations

import threading
import time
import unittest
from typing import Any, List, Optional

from gatrix import GatrixClient, GatrixConnectionError, GoneError, ValidationError

from .support import GatrixServer, start_with_key

server: Optional[GatrixServer] = None
admin_key = ""


def setUpModule() -> None:
    global server, admin_key
    server, admin_key = start_with_key("admin")


def tearDownModule() -> None:
    if server is not None:
        server.stop()


def until(check: Any, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class EventsTest(unittest.TestCase):
    n = 0

    def setUp(self) -> None:
        assert server is not None
        self.client = GatrixClient(api_key=admin_key, base_url=server.base_url)

    def world(self) -> str:
        EventsTest.n += 1
        world_id = f"py_feed_{EventsTest.n}"
        self.client.worlds.create(world_id=world_id, name=world_id)
        return world_id

    def newest(self) -> Optional[str]:
        return self.client.events.list(newest=True, limit=1).next_cursor

    def test_list_pages_by_cursor_filters_by_type_and_refuses_a_gone_cursor(self) -> None:
        start = self.newest()
        worlds = [self.world() for _ in range(3)]
        self.client.whitelist.create(type="account", value="py-feed-entry")
        until(lambda: len(self.client.events.list(after=start).data) == 4, "four events in the feed")

        first = self.client.events.list(after=start, types=["world.*"], limit=2)
        self.assertEqual([e.data.world_id for e in first.data], worlds[:2])
        self.assertTrue(first.has_more)
        second = self.client.events.list(after=first.next_cursor, types="world.created,whitelist.updated")
        self.assertEqual([e.event for e in second.data], ["world.created", "whitelist.updated"])
        self.assertFalse(second.has_more)
        self.assertEqual(self.client.events.list(newest=True, limit=1).data[0].event, "whitelist.updated")

        with self.assertRaises(ValidationError) as bad:
            self.client.events.list(types=["nope.*"])
        self.assertIn("query.types.0", bad.exception.field_errors)
        with self.assertRaises(GoneError) as gone:
            self.client.events.list(after="evt_0000000000000000000000000000")
        self.assertEqual(gone.exception.code, "event_cursor_gone")

    def test_iter_yields_events_as_they_come_and_resumes_after_network_failures(self) -> None:
        start = self.newest()
        assert server is not None
        reader = GatrixClient(api_key=admin_key, base_url=server.base_url)
        transport = reader._transport
        transport.max_retries = 0  # every network failure reaches iter(), which must retry by itself
        real_send = transport._send
        fail_next = [0]

        def flaky_send(*args: Any, **kwargs: Any) -> Any:
            if fail_next[0] > 0:
                fail_next[0] -= 1
                raise GatrixConnectionError("connection refused (injected)")
            return real_send(*args, **kwargs)

        transport._send = flaky_send  # type: ignore[method-assign]
        got: List[Any] = []
        errors: List[BaseException] = []

        def consume() -> None:
            try:
                for event in reader.events.iter(after=start, types=["world.created"], wait=20):
                    got.append(event)
                    if len(got) == 3:
                        break
            except BaseException as err:  # reported by the test thread
                errors.append(err)

        thread = threading.Thread(target=consume, daemon=True)
        thread.start()
        first = self.world()
        until(lambda: len(got) == 1, "the first event")
        fail_next[0] = 2
        later = [self.world(), self.world()]
        thread.join(120)
        self.assertFalse(thread.is_alive(), "iter() got three events")
        self.assertEqual(errors, [])
        self.assertEqual(fail_next[0], 0, "two requests failed and iter() went on")
        self.assertEqual([e.data.world_id for e in got], [first, *later])
        self.assertEqual(len({e.id for e in got}), 3)


if __name__ == "__main__":
    unittest.main()
