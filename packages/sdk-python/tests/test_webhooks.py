"""Webhooks: the resource against a real Gatrix, and ``gatrix.webhooks.verify`` on deliveries it really sent
to a local receiver — accepted as sent; rejected when the body is tampered with, the secret is wrong, or the
timestamp is old."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import unittest
from typing import Dict, Optional

import gatrix
from gatrix import GatrixClient, NotFoundError, ValidationError, WebhookVerificationError

from .support import GatrixServer, LocalServer, Recorded

server: Optional[GatrixServer] = None
receiver: Optional[LocalServer] = None
admin_key = ""
DELIVERY_TIMEOUT = 30.0


def setUpModule() -> None:
    global server, receiver, admin_key
    receiver = LocalServer(lambda req, i: (204, {}, b"")).__enter__()
    try:
        server = GatrixServer().start()
        admin_key = server.create_api_key("admin")
    except BaseException:
        tearDownModule()
        raise


def tearDownModule() -> None:
    if server is not None:
        server.stop()
    if receiver is not None:
        receiver.__exit__(None, None, None)


def admin() -> GatrixClient:
    assert server is not None
    return GatrixClient(api_key=admin_key, base_url=server.base_url)


def hook_url(name: str) -> str:
    assert receiver is not None
    return f"{receiver.url}/hook/{name}"


def delivery(path_name: str, event: str) -> Recorded:
    assert receiver is not None
    return receiver.wait_for(lambda r: r.path == f"/hook/{path_name}" and r.headers.get("x-gatrix-event") == event, DELIVERY_TIMEOUT)


class RealDeliveryTests(unittest.TestCase):
    """One endpoint with a ``whsec_`` secret, one event (user.created) really delivered."""

    secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    rec: Recorded

    @classmethod
    def setUpClass(cls) -> None:
        c = admin()
        cls.webhook = c.webhooks.create(url=hook_url("users"), events=["user.created", "user.updated"], secret=cls.secret, active=True)
        cls.user = c.users.create(username="hooked_user", email="hooked@example.com")
        cls.rec = delivery("users", "user.created")

    def test_a_real_delivery_verifies_and_returns_the_envelope(self) -> None:
        # http.server's HTTPMessage, exactly as a receiver gets it.
        event = gatrix.webhooks.verify(self.rec.body, self.rec.raw_headers, self.secret)
        self.assertEqual(event.event, "user.created")
        self.assertTrue(event.id.startswith("evt_"))
        self.assertEqual(event.id, self.rec.headers["webhook-id"])
        self.assertEqual(event.data.user_id, self.user.id)
        self.assertEqual(event.data.user.username, "hooked_user")
        self.assertEqual(event["data"]["user"]["email"], "hooked@example.com")
        # A plain dict of headers and a list of pairs work as well; so does the resource's shortcut.
        self.assertEqual(gatrix.webhooks.verify(self.rec.body, dict(self.rec.headers), self.secret).id, event.id)
        self.assertEqual(gatrix.webhooks.verify(self.rec.body, list(self.rec.raw_headers.items()), self.secret).id, event.id)
        self.assertEqual(admin().webhooks.verify(self.rec.body, self.rec.headers, self.secret).id, event.id)

    def test_the_signature_is_what_docs_webhooks_md_describes(self) -> None:
        h = self.rec.headers
        key = base64.b64decode(self.secret[len("whsec_") :])
        signed = f"{h['webhook-id']}.{h['webhook-timestamp']}.".encode() + self.rec.body
        expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        self.assertEqual(h["webhook-signature"], expected)
        self.assertEqual(h["x-gatrix-signature"], hmac.new(self.secret.encode(), self.rec.body, hashlib.sha256).hexdigest())

    def test_a_tampered_body_is_rejected(self) -> None:
        tampered = self.rec.body.replace(b"hooked_user", b"hacked_user")
        self.assertNotEqual(tampered, self.rec.body)
        with self.assertRaisesRegex(WebhookVerificationError, "does not match"):
            gatrix.webhooks.verify(tampered, self.rec.headers, self.secret)
        # Re-serializing the parsed body (what the integration guide's receiver does; docs/integration-guide.md) is not the raw body either.
        reserialized = json.dumps(json.loads(self.rec.body), indent=1).encode()
        with self.assertRaises(WebhookVerificationError):
            gatrix.webhooks.verify(reserialized, self.rec.headers, self.secret)

    def test_a_wrong_secret_is_rejected(self) -> None:
        near = self.secret[:-3] + ("A" if self.secret[-3] != "A" else "B") + self.secret[-2:]  # one character off
        for wrong in ("whsec_" + base64.b64encode(b"x" * 32).decode(), "some-other-secret", near, self.secret[len("whsec_") :]):
            with self.subTest(secret=wrong):
                with self.assertRaises(WebhookVerificationError):
                    gatrix.webhooks.verify(self.rec.body, self.rec.headers, wrong)

    def test_an_old_timestamp_is_rejected(self) -> None:
        sent_at = int(self.rec.headers["webhook-timestamp"])
        self.assertLess(abs(sent_at - time.time()), 60)
        # The same delivery replayed ten minutes later.
        with self.assertRaisesRegex(WebhookVerificationError, "too old"):
            gatrix.webhooks.verify(self.rec.body, self.rec.headers, self.secret, now=sent_at + 600)
        # A tighter tolerance, and a timestamp from the future.
        with self.assertRaisesRegex(WebhookVerificationError, "too old"):
            gatrix.webhooks.verify(self.rec.body, self.rec.headers, self.secret, now=sent_at + 31, tolerance=30)
        with self.assertRaisesRegex(WebhookVerificationError, "future"):
            gatrix.webhooks.verify(self.rec.body, self.rec.headers, self.secret, now=sent_at - 600)
        # Rewriting the timestamp header to look fresh breaks the signature, which covers it.
        forged = {**self.rec.headers, "webhook-timestamp": str(sent_at + 600)}
        with self.assertRaisesRegex(WebhookVerificationError, "does not match"):
            gatrix.webhooks.verify(self.rec.body, forged, self.secret, now=sent_at + 600)
        # An old timestamp fails even though x-gatrix-signature (which has none) is valid: no fallback then.
        with self.assertRaises(WebhookVerificationError):
            gatrix.webhooks.verify(self.rec.body, self.rec.headers, self.secret, now=sent_at + 3600)

    def test_x_gatrix_signature_is_the_fallback_when_standard_headers_are_absent(self) -> None:
        legacy = {k: v for k, v in self.rec.headers.items() if not k.startswith("webhook-")}
        self.assertEqual(gatrix.webhooks.verify(self.rec.body, legacy, self.secret).event, "user.created")
        with self.assertRaisesRegex(WebhookVerificationError, "x-gatrix-signature"):
            gatrix.webhooks.verify(self.rec.body + b" ", legacy, self.secret)
        with self.assertRaises(WebhookVerificationError):
            gatrix.webhooks.verify(self.rec.body, legacy, "wrong-secret")
        with self.assertRaisesRegex(WebhookVerificationError, "no signature"):
            gatrix.webhooks.verify(self.rec.body, legacy, self.secret, allow_gatrix_signature=False)
        with self.assertRaisesRegex(WebhookVerificationError, "no signature"):
            gatrix.webhooks.verify(self.rec.body, {"content-type": "application/json"}, self.secret)
        partial = {**legacy, "webhook-id": self.rec.headers["webhook-id"]}
        with self.assertRaisesRegex(WebhookVerificationError, "incomplete"):
            gatrix.webhooks.verify(self.rec.body, partial, self.secret)

    def test_deliveries_delivery_retry_and_recover(self) -> None:
        c = admin()
        deliveries = c.webhooks.deliveries(self.webhook.id)
        first = [d for d in deliveries if d.event_id == self.rec.headers["webhook-id"]][0]
        self.assertEqual(first.event, "user.created")
        detail = c.webhooks.delivery(first.id)
        for _ in range(300):  # the worker records the attempt just after the receiver answered
            if detail.status == "delivered":
                break
            time.sleep(0.1)
            detail = c.webhooks.delivery(first.id)
        self.assertEqual((detail.status, detail.attempts), ("delivered", 1))
        self.assertEqual(detail.attempts_log[0].response_status, 204)
        self.assertEqual(detail.payload.event, "user.created")
        self.assertEqual([d.id for d in c.webhooks.iterate_deliveries(self.webhook.id, status="delivered", limit=1)], [d.id for d in c.webhooks.deliveries(self.webhook.id, status="delivered")])

        assert receiver is not None
        hooks = receiver
        before = len(hooks.requests)
        retried = c.webhooks.retry(first.id)
        self.assertEqual(retried.id, first.id)
        again = hooks.wait_for(
            lambda r: r.path == "/hook/users" and r.headers.get("webhook-id") == first.event_id and hooks.requests.index(r) >= before,
            DELIVERY_TIMEOUT,
        )
        self.assertEqual(again.body, self.rec.body, "a retry sends the same bytes")
        self.assertEqual(gatrix.webhooks.verify(again.body, again.headers, self.secret).id, first.event_id)

        since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        self.assertEqual(c.webhooks.recover(self.webhook.id, since).requeued, 0, "nothing failed")
        with self.assertRaises(NotFoundError):
            c.webhooks.delivery(999_999)


class WebhookResourceTests(unittest.TestCase):
    def test_crud_test_event_and_generated_secret(self) -> None:
        c = admin()
        hook = c.webhooks.create(url=hook_url("generated"), events=["webhook.test"], description="generated secret", headers={"X-Team": "ops"})
        self.assertTrue(hook.secret.startswith("whsec_"))
        self.assertEqual(hook.headers, {"X-Team": "[REDACTED]"}, "header names are kept as sent, values never shown")
        self.assertNotIn("secret", c.webhooks.get(hook.id))
        self.assertIn(hook.id, [h.id for h in c.webhooks.list()])

        queued = c.webhooks.test(hook.id)
        self.assertEqual((queued.webhook_id, queued.event), (hook.id, "webhook.test"))
        rec = delivery("generated", "webhook.test")
        self.assertEqual(rec.headers["x-team"], "ops")
        event = gatrix.webhooks.verify(rec.body, rec.raw_headers, hook.secret)
        self.assertEqual((event.event, event.data.webhook_id), ("webhook.test", hook.id))

        updated = c.webhooks.update(hook.id, active=False, events=["webhook.test", "world.*"])
        self.assertEqual((updated.active, updated.events), (False, ["webhook.test", "world.*"]))
        self.assertEqual([h.id for h in c.webhooks.list(active=False)], [hook.id])
        with self.assertRaises(ValidationError) as caught:
            c.webhooks.create(url=hook_url("bad"), events=["Not An Event"])
        self.assertTrue(any(p.startswith("events") for p in caught.exception.field_errors))
        c.webhooks.delete(hook.id)
        with self.assertRaises(NotFoundError):
            c.webhooks.get(hook.id)

    def test_a_plain_secret_signs_with_its_utf8_bytes(self) -> None:
        c = admin()
        secret = "your-webhook-secret"  # the integration guide's secret (docs/integration-guide.md): not whsec_, so the key is the string itself
        hook = c.webhooks.create(url=hook_url("plain"), events=["webhook.test"], secret=secret, active=True)
        c.webhooks.test(hook.id)
        rec = delivery("plain", "webhook.test")
        h = rec.headers
        mac = hmac.new(secret.encode(), f"{h['webhook-id']}.{h['webhook-timestamp']}.".encode() + rec.body, hashlib.sha256).digest()
        self.assertEqual(h["webhook-signature"], "v1," + base64.b64encode(mac).decode())
        self.assertEqual(gatrix.webhooks.verify(rec.body, h, secret).event, "webhook.test")
        with self.assertRaises(WebhookVerificationError):
            gatrix.webhooks.verify(rec.body, h, secret.upper())

    def test_rotation_signs_with_both_secrets_during_the_grace_period(self) -> None:
        c = admin()
        hook = c.webhooks.create(url=hook_url("rotated"), events=["webhook.test"])
        old = hook.secret
        rotated = c.webhooks.rotate_secret(hook.id)
        self.assertNotEqual(rotated.secret, old)
        self.assertTrue(rotated.secret_rotation_ends_at)
        c.webhooks.test(hook.id)
        rec = delivery("rotated", "webhook.test")
        self.assertEqual(len(rec.headers["webhook-signature"].split()), 2)
        for secret in (rotated.secret, old, [old, rotated.secret]):
            with self.subTest(secret=secret):
                self.assertEqual(gatrix.webhooks.verify(rec.body, rec.headers, secret).event, "webhook.test")
        # x-gatrix-signature stays the old secret's until the grace period ends, so a receiver that checks only it
        # with its one configured secret keeps working until then.
        legacy = {k: v for k, v in rec.headers.items() if not k.startswith("webhook-")}
        self.assertEqual(gatrix.webhooks.verify(rec.body, legacy, old).event, "webhook.test")
        self.assertEqual(gatrix.webhooks.verify(rec.body, legacy, [rotated.secret, old]).event, "webhook.test")
        with self.assertRaises(WebhookVerificationError):
            gatrix.webhooks.verify(rec.body, legacy, rotated.secret)

    def test_event_types(self) -> None:
        types = {t.event: t for t in admin().webhooks.event_types()}
        self.assertIn("user.created", types)
        self.assertEqual(types["user.created"].socket_event, "user_registered")


class VerifyUnitTests(unittest.TestCase):
    """``sign`` and ``verify`` agree, and the edge cases of the key and the headers."""

    def test_sign_and_verify_round_trip(self) -> None:
        body = b'{"id":"evt_1","event":"user.created","timestamp":"2026-01-01T00:00:00.000Z","data":{}}'
        for secret in ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "plain-secret-123"):
            headers: Dict[str, str] = gatrix.webhooks.sign(body, secret, msg_id="evt_1")
            self.assertEqual(gatrix.webhooks.verify(body, headers, secret).id, "evt_1")
            self.assertEqual(gatrix.webhooks.verify(body.decode(), headers, secret).id, "evt_1")

    def test_whsec_keys_decode_like_node(self) -> None:
        # Buffer.from(s, 'base64') in Node: URL-safe characters accepted, padding optional; an empty decode falls back.
        self.assertEqual(gatrix.webhooks.signing_key("whsec_AQID"), b"\x01\x02\x03")
        self.assertEqual(gatrix.webhooks.signing_key("whsec_-_8"), base64.b64decode("+/8="))
        self.assertEqual(gatrix.webhooks.signing_key("whsec_"), b"whsec_")
        self.assertEqual(gatrix.webhooks.signing_key("plain"), b"plain")

    def test_inputs_that_cannot_be_verified(self) -> None:
        body = b'{"a":1}'
        with self.assertRaises(TypeError):
            gatrix.webhooks.verify({"a": 1}, {}, "secret-123")  # type: ignore[arg-type]
        with self.assertRaises(ValueError):
            gatrix.webhooks.verify(body, {}, "")
        headers = gatrix.webhooks.sign(b"[1,2]", "secret-123", msg_id="m")
        with self.assertRaisesRegex(WebhookVerificationError, "not a JSON object"):
            gatrix.webhooks.verify(b"[1,2]", headers, "secret-123")
        headers = gatrix.webhooks.sign(b"not json", "secret-123", msg_id="m")
        with self.assertRaisesRegex(WebhookVerificationError, "not JSON"):
            gatrix.webhooks.verify(b"not json", headers, "secret-123")
        headers = {**gatrix.webhooks.sign(body, "secret-123", msg_id="m"), "webhook-signature": "v2,abc"}
        with self.assertRaisesRegex(WebhookVerificationError, "no v1"):
            gatrix.webhooks.verify(body, headers, "secret-123")
        headers = {**gatrix.webhooks.sign(body, "secret-123", msg_id="m"), "webhook-timestamp": "yesterday"}
        with self.assertRaisesRegex(WebhookVerificationError, "not a Unix time"):
            gatrix.webhooks.verify(body, headers, "secret-123")

    def test_a_missing_secret_is_named_in_the_error(self) -> None:
        # e.g. os.environ.get("GATRIX_WEBHOOK_SECRET") when the variable is unset
        body = b'{"a":1}'
        headers = gatrix.webhooks.sign(body, "secret-123", msg_id="m")
        for missing in (None, [None], [], ""):
            with self.subTest(secret=missing):
                with self.assertRaisesRegex(ValueError, "secret is missing"):
                    gatrix.webhooks.verify(body, headers, missing)  # type: ignore[arg-type]
        with self.assertRaisesRegex(ValueError, "secret is missing"):
            gatrix.webhooks.sign(body, None, msg_id="m")  # type: ignore[arg-type]


if __name__ == "__main__":
    unittest.main()
