"""The seed document's Python SDK sample (the integration guide, docs/integration-guide.md), run as written against a real Gatrix.

Only the API key and the base URL are replaced (each literal exactly once); nothing else in the block changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unittest
from typing import Any, Dict, Optional

from gatrix import GatrixClient, Page

from .support import PACKAGE_DIR, GatrixServer, seed_python_block, start_with_key

FIXTURE = PACKAGE_DIR / "tests" / "fixtures" / "seed_python_sdk.py"
server: Optional[GatrixServer] = None
api_key = ""


def setUpModule() -> None:
    global server, api_key
    server, api_key = start_with_key("admin", "partner-service")


def tearDownModule() -> None:
    if server is not None:
        server.stop()


def seed_source() -> str:
    """The seed's block; the fixture is its verbatim copy for checkouts without the guide beside them."""
    fixture = FIXTURE.read_text(encoding="utf-8")
    from_seed = seed_python_block()
    if from_seed is not None and from_seed != fixture:
        raise AssertionError("tests/fixtures/seed_python_sdk.py no longer matches the seed's Python SDK block")
    return from_seed if from_seed is not None else fixture


def substitute(source: str, key: str, base_url: str) -> str:
    for literal in ("'your-api-key'", "'https://api.gatrix.com'"):
        if source.count(literal) != 1:
            raise AssertionError(f"expected {literal} exactly once in the seed sample")
    return source.replace("'your-api-key'", repr(key)).replace("'https://api.gatrix.com'", repr(base_url))


class SeedSampleTests(unittest.TestCase):
    def setUp(self) -> None:
        """The sample creates fixed names: each test starts without them."""
        assert server is not None
        client = GatrixClient(api_key=api_key, base_url=server.base_url)
        for u in client.users.list(q="player123"):
            client.users.delete(u.id)
        for w in client.worlds.list(q="world_001"):
            client.worlds.delete(w.id)

    def test_the_seed_python_block_runs_unchanged(self) -> None:
        assert server is not None
        source = seed_source()
        script = substitute(source, api_key, server.base_url)
        self.assertEqual(len(script.splitlines()), len(source.splitlines()))

        namespace: Dict[str, Any] = {"__name__": "__seed__"}
        exec(compile(script, "seed_python_sdk.py", "exec"), namespace)

        users, user, worlds, world = namespace["users"], namespace["user"], namespace["worlds"], namespace["world"]
        self.assertIsInstance(users, Page)
        self.assertEqual(users.pagination.limit, 10)
        self.assertEqual([u.username for u in users], ["admin"], "the list ran before the create")
        self.assertEqual((user.username, user.email, user.role, user.status), ("player123", "player@example.com", "player", "active"))
        self.assertEqual(user["username"], "player123")
        self.assertIsInstance(worlds, Page)
        self.assertEqual(len(worlds), 0)
        self.assertEqual((world.world_id, world.worldId, world.name), ("world_001", "world_001", "메인 월드"))

        # What the server now holds, read back independently of the SDK.
        status, _, body = server.call("GET", f"/api/v1/users/{user.id}", token=server.login())
        self.assertEqual((status, body["username"]), (200, "player123"))
        status, _, body = server.call("GET", f"/api/v1/game-worlds/{world.id}", token=server.login())
        self.assertEqual((status, body["worldId"], body["name"]), (200, "world_001", "메인 월드"))
        audit = GatrixClient(api_key=api_key, base_url=server.base_url).audit_logs.list(action="user.create", target_id=str(user.id))
        self.assertEqual([(a.actor_type, a.actor_name, a.target_id) for a in audit], [("api_key", "partner-service", str(user.id))])

    def test_the_seed_block_as_a_script_in_a_fresh_interpreter(self) -> None:
        """As a user would run it: its own process, ``gatrix`` importable, nothing else set up."""
        assert server is not None
        script = substitute(seed_source(), api_key, server.base_url)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "seed_sample.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write(script)
            env = {**os.environ, "PYTHONPATH": str(PACKAGE_DIR), "PYTHONIOENCODING": "utf-8"}
            run = subprocess.run([sys.executable, path], env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
            client = GatrixClient(api_key=api_key, base_url=server.base_url)
            self.assertEqual(client.users.list(q="player123").pagination.total, 1)
            self.assertEqual(client.worlds.list(q="world_001").pagination.total, 1)

            # Run again: the user exists, so the sample stops at its create with a typed, readable error.
            again = subprocess.run([sys.executable, path], env=env, capture_output=True, text=True, timeout=60)
        self.assertNotEqual(again.returncode, 0)
        self.assertRegex(again.stderr, r"gatrix\.errors\.ConflictError: 409 (username|email)_taken: .* \(request id [\w-]+\)")

if __name__ == "__main__":
    unittest.main()
