"""The README's examples marked ``<!-- test -->`` run, in order and in one namespace, against a real Gatrix.

As with the integration guide's sample (docs/integration-guide.md), only the API key and base URL literals are replaced. The webhook receiver example is then
served on a free port and must accept a real delivery and refuse a forged one.
"""

from __future__ import annotations

import json
import re
import threading
import unittest
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer
from typing import Any, Dict, List, Optional

import gatrix
from gatrix import GatrixClient

from .support import PACKAGE_DIR, GatrixServer, start_with_key

server: Optional[GatrixServer] = None
api_key = ""


def setUpModule() -> None:
    global server, api_key
    server, api_key = start_with_key("admin")


def tearDownModule() -> None:
    if server is not None:
        server.stop()


def tested_blocks() -> List[str]:
    text = (PACKAGE_DIR / "README.md").read_text(encoding="utf-8")
    return re.findall(r"<!-- test -->\n```python\n(.*?)```", text, flags=re.S)


class ReadmeTests(unittest.TestCase):
    def test_the_readme_examples_run(self) -> None:
        assert server is not None
        blocks = tested_blocks()
        self.assertGreaterEqual(len(blocks), 7)
        printed: List[str] = []
        namespace: Dict[str, Any] = {"__name__": "readme", "print": lambda *a, **k: printed.append(" ".join(map(str, a)))}
        for i, block in enumerate(blocks):
            source = block.replace("'your-api-key'", repr(api_key)).replace("'https://api.gatrix.com'", repr(server.base_url))
            with self.subTest(block=i, first_line=block.splitlines()[0]):
                exec(compile(source, f"README.md block {i}", "exec"), namespace)

        # What the examples said they would print.
        self.assertIn("player123", " ".join(printed))
        self.assertIn("409 username_taken {'username': 'username is already taken'}", printed)
        self.assertIn("{'username': 'must NOT have fewer than 3 characters', 'email': 'must match format \"email\"'}", printed)
        self.assertTrue(any(p.startswith("user_not_found ") for p in printed), printed)
        self.assertEqual(namespace["again"].id, namespace["user"].id)
        self.assertEqual(namespace["version"].sub_channel, "Steam")
        self.assertEqual(namespace["world"].name, "Main World")

        # The receiver example, served for real.
        class QuietReceiver(namespace["GatrixWebhook"]):  # type: ignore[misc,name-defined]
            def log_message(self, format: str, *args: Any) -> None:
                return

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), QuietReceiver)  # pyright: ignore[reportArgumentType]
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{httpd.server_address[1]}/webhook/users"
            client = GatrixClient(api_key=api_key, base_url=server.base_url)
            hook = client.webhooks.create(url=url, events=["user.created"], secret="your-webhook-secret", active=True)
            client.users.create(username="readme_hooked", email="readme_hooked@example.com")
            for _ in range(300):
                if "new user readme_hooked" in printed:
                    break
                threading.Event().wait(0.1)
            self.assertIn("new user readme_hooked", printed)
            recorded = client.webhooks.deliveries(hook.id)[0]
            for _ in range(300):  # the worker records the attempt just after the receiver answered
                if recorded.status == "delivered":
                    break
                threading.Event().wait(0.1)
                recorded = client.webhooks.deliveries(hook.id)[0]
            self.assertEqual((recorded.status, recorded.last_status_code), ("delivered", 204))

            body = json.dumps({"id": "evt_forged", "event": "webhook.test", "timestamp": "2026-01-01T00:00:00.000Z", "data": {}}).encode()
            forged = gatrix.webhooks.sign(body, "not-the-secret", msg_id="evt_forged")
            req = urllib.request.Request(url, data=body, method="POST", headers={**forged, "content-type": "application/json"})
            with self.assertRaises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(req, timeout=10)
            self.assertEqual(caught.exception.code, 401)
            caught.exception.close()
            genuine = gatrix.webhooks.sign(body, "your-webhook-secret", msg_id="evt_forged")
            req = urllib.request.Request(url, data=body, method="POST", headers={**genuine, "content-type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as resp:
                self.assertEqual(resp.status, 204)
        finally:
            httpd.shutdown()
            httpd.server_close()


if __name__ == "__main__":
    unittest.main()
