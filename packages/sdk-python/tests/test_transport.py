"""Retries, backoff, Retry-After, Idempotency-Key, timeouts and error mapping, against local stub servers.

Only the retry semantics use stubs (a real Gatrix cannot be made to answer 503 on demand); everything the
server really does is tested against a real Gatrix in the other modules.
"""

from __future__ import annotations

import email.utils
import json
import socket
import time
import unittest
import urllib.parse

import gatrix
from gatrix import (
    AuthenticationError,
    ConflictError,
    GatrixClient,
    GatrixConnectionError,
    GatrixError,
    GatrixObject,
    GatrixTimeoutError,
    InternalServerError,
    NotFoundError,
    Page,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    UnprocessableEntityError,
    ValidationError,
)
from gatrix._http import parse_retry_after
from gatrix.objects import to_camel, to_snake

from .support import LocalServer, json_response, problem

USER = {"id": 7, "username": "p1", "email": "p1@example.com", "displayName": None, "role": "player", "status": "active"}


def client_for(server: LocalServer, **kwargs: object) -> GatrixClient:
    kwargs.setdefault("api_key", "gtx_admin_test")
    kwargs.setdefault("max_retry_delay", 0.05)
    return GatrixClient(base_url=server.url, **kwargs)  # type: ignore[arg-type]


class RetryTests(unittest.TestCase):
    def test_503_then_200_reuses_the_idempotency_key_and_waits_retry_after(self) -> None:
        def handler(req, i):  # type: ignore[no-untyped-def]
            if i == 0:
                return problem(503, "unavailable", "try later", {"retry-after": "1"})
            return json_response(201, USER)

        with LocalServer(handler) as stub:
            user = client_for(stub).users.create(username="p1", email="p1@example.com")
        self.assertEqual(user.username, "p1")
        self.assertEqual(len(stub.requests), 2)
        first, second = stub.requests
        key = first.headers.get("idempotency-key")
        self.assertTrue(key)
        self.assertEqual(key, second.headers.get("idempotency-key"))
        self.assertEqual(json.loads(first.body), {"username": "p1", "email": "p1@example.com"})
        self.assertEqual(first.body, second.body)
        waited = second.at - first.at
        self.assertGreaterEqual(waited, 0.95, "Retry-After: 1 must be honoured")
        self.assertLess(waited, 5)

    def test_each_call_gets_its_own_idempotency_key_and_an_explicit_one_is_used(self) -> None:
        with LocalServer(lambda req, i: json_response(201, USER)) as stub:
            c = client_for(stub)
            c.users.create(username="a", email="a@example.com")
            c.users.create(username="a", email="a@example.com")
            c.users.create(username="a", email="a@example.com", idempotency_key="mine-1")
        keys = [r.headers["idempotency-key"] for r in stub.requests]
        self.assertEqual(len(set(keys)), 3)
        self.assertEqual(keys[2], "mine-1")

    def test_429_with_an_http_date_retry_after_then_success(self) -> None:
        def handler(req, i):  # type: ignore[no-untyped-def]
            if i == 0:
                when = email.utils.formatdate(time.time() + 1, usegmt=True)
                return problem(429, "rate_limited", "slow down", {"retry-after": when})
            return json_response(200, {"data": [USER], "pagination": {"page": 1, "limit": 10, "total": 1, "totalPages": 1}})

        with LocalServer(handler) as stub:
            page = client_for(stub).users.list(page=1, limit=10)
        self.assertEqual([u.id for u in page], [7])
        self.assertEqual(len(stub.requests), 2)
        self.assertNotIn("idempotency-key", stub.requests[0].headers, "only POST carries an Idempotency-Key")
        self.assertGreater(stub.requests[1].at - stub.requests[0].at, 0.0)

    def test_502_and_504_are_retried_with_backoff_until_max_retries(self) -> None:
        statuses = [502, 504, 503, 503, 503]

        def handler(req, i):  # type: ignore[no-untyped-def]
            return problem(statuses[i], "upstream", "bad gateway")

        with LocalServer(handler) as stub:
            c = client_for(stub, max_retries=3)
            with self.assertRaises(InternalServerError) as caught:
                c.worlds.list()
        self.assertEqual(len(stub.requests), 4, "1 attempt + 3 retries")
        self.assertEqual(caught.exception.status, 503)
        self.assertEqual(caught.exception.request_id, "req-upstream")

    def test_backoff_grows_exponentially_with_jitter(self) -> None:
        c = GatrixClient(api_key="k", base_url="http://127.0.0.1:9", max_retry_delay=100)
        t = c._transport
        for attempt in range(5):
            ceiling = min(100, 0.5 * 2**attempt)
            delays = [t._backoff(attempt) for _ in range(200)]
            self.assertTrue(all(ceiling / 2 <= d <= ceiling for d in delays), (attempt, min(delays), max(delays)))
            self.assertGreater(len(set(delays)), 150, "jitter spreads the delays")
        self.assertLessEqual(GatrixClient(api_key="k", max_retry_delay=8)._transport._backoff(30), 8)

    def test_errors_that_are_not_transient_are_not_retried(self) -> None:
        for status, code, cls in [
            (400, "validation_failed", ValidationError),
            (401, "invalid_credentials", AuthenticationError),
            (403, "forbidden", PermissionDeniedError),
            (404, "user_not_found", NotFoundError),
            (409, "username_taken", ConflictError),
            (412, "precondition_failed", PreconditionFailedError),
            (422, "idempotency_key_reused", UnprocessableEntityError),
            (500, "internal_error", InternalServerError),
        ]:
            with self.subTest(status=status):
                with LocalServer(lambda req, i, s=status, c=code: problem(s, c, "no")) as stub:
                    with self.assertRaises(cls) as caught:
                        client_for(stub, max_retries=3).users.create(username="x", email="x@example.com")
                self.assertEqual(len(stub.requests), 1)
                self.assertEqual(caught.exception.status, status)
                self.assertEqual(caught.exception.code, code)

    def test_a_retry_after_longer_than_max_retry_after_is_not_waited_for(self) -> None:
        with LocalServer(lambda req, i: problem(429, "rate_limited", "wait", {"retry-after": "3600"})) as stub:
            started = time.monotonic()
            with self.assertRaises(RateLimitError) as caught:
                client_for(stub, max_retry_after=10).users.list()
        self.assertLess(time.monotonic() - started, 2)
        self.assertEqual(len(stub.requests), 1)
        self.assertEqual(caught.exception.retry_after, 3600)

    def test_max_retries_zero_makes_one_attempt(self) -> None:
        with LocalServer(lambda req, i: problem(503, "unavailable", "down")) as stub:
            with self.assertRaises(InternalServerError):
                client_for(stub, max_retries=0).users.list()
        self.assertEqual(len(stub.requests), 1)

    def test_an_idempotent_request_still_in_progress_is_retried(self) -> None:
        def handler(req, i):  # type: ignore[no-untyped-def]
            if i == 0:
                return problem(409, "idempotency_in_progress", "in progress")
            return json_response(201, USER)

        with LocalServer(handler) as stub:
            client_for(stub).users.create(username="p1", email="p1@example.com")
        self.assertEqual(len(stub.requests), 2)
        self.assertEqual(stub.requests[0].headers["idempotency-key"], stub.requests[1].headers["idempotency-key"])

    def test_a_dropped_connection_is_retried_with_the_same_key(self) -> None:
        def handler(req, i):  # type: ignore[no-untyped-def]
            return (-1, {}, b"") if i == 0 else json_response(201, USER)

        with LocalServer(handler) as stub:
            user = client_for(stub).users.create(username="p1", email="p1@example.com")
        self.assertEqual(user.id, 7)
        self.assertEqual(len(stub.requests), 2)
        self.assertEqual(stub.requests[0].headers["idempotency-key"], stub.requests[1].headers["idempotency-key"])

    def test_connection_refused_raises_a_connection_error_after_the_retries(self) -> None:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        c = GatrixClient(api_key="k", base_url=f"http://127.0.0.1:{port}", max_retries=2, max_retry_delay=0.01)
        with self.assertRaises(GatrixConnectionError) as caught:
            c.users.list()
        self.assertNotIsInstance(caught.exception, GatrixTimeoutError)
        self.assertIsNone(caught.exception.status)
        self.assertIsInstance(caught.exception, GatrixError)


class TimeoutTests(unittest.TestCase):
    def test_a_slow_answer_times_out_each_attempt(self) -> None:
        def slow(req, i):  # type: ignore[no-untyped-def]
            time.sleep(1.5)
            return json_response(200, USER)

        with LocalServer(slow) as stub:
            c = client_for(stub, timeout=0.3, max_retries=1)
            started = time.monotonic()
            with self.assertRaises(GatrixTimeoutError) as caught:
                c.users.get(7)
            elapsed = time.monotonic() - started
        self.assertEqual(len(stub.requests), 2, "a timeout is retried like a network error")
        self.assertLess(elapsed, 2.5, "each attempt gave up after its 0.3 s, long before the 1.5 s answer")
        self.assertIn("timed out", str(caught.exception))
        self.assertIsInstance(caught.exception, GatrixConnectionError)

    def test_a_per_call_timeout_overrides_the_client_default(self) -> None:
        def slow(req, i):  # type: ignore[no-untyped-def]
            time.sleep(0.6)
            return json_response(200, USER)

        with LocalServer(slow) as stub:
            c = client_for(stub, timeout=0.2, max_retries=0)
            with self.assertRaises(GatrixTimeoutError):
                c.users.get(7)
            self.assertEqual(c.users.get(7, timeout=5).id, 7)


class RequestShapeTests(unittest.TestCase):
    def test_headers_query_and_camel_case_body(self) -> None:
        answers = {
            "GET": json_response(200, {"data": [], "pagination": {"page": 2, "limit": 5, "total": 0, "totalPages": 0}}),
            "PUT": json_response(200, {"id": 3, "worldId": "w", "maintenance": True}, {"etag": '"abc"'}),
        }
        with LocalServer(lambda req, i: answers[req.method]) as stub:
            c = client_for(stub, api_key="gtx_admin_secret")
            page = c.versions.list(channel="PC", sub_channel="Steam", page=2, limit=5)
            world = c.worlds.set_maintenance(3, True, message="점검", messages={"en-US": "down"}, ends_at="2030-01-01T00:00:00Z")
            c.worlds.list(visible=True)
        get, put, get2 = stub.requests
        path, _, query = get.path.partition("?")
        self.assertEqual(path, "/api/v1/client-versions")
        self.assertEqual(dict(urllib.parse.parse_qsl(query)), {"page": "2", "limit": "5", "channel": "PC", "subChannel": "Steam"})
        self.assertEqual(get.headers["authorization"], "Bearer gtx_admin_secret")
        self.assertTrue(get.headers["user-agent"].startswith(f"gatrix-python/{gatrix.__version__}"))
        self.assertEqual(len(page), 0)
        self.assertEqual(page.pagination.total_pages, 0)
        self.assertEqual(put.path, "/api/v1/game-worlds/3/maintenance")
        self.assertEqual(put.headers["content-type"], "application/json")
        self.assertNotIn("idempotency-key", put.headers)
        self.assertEqual(
            json.loads(put.body),
            {"enabled": True, "message": "점검", "messages": {"en-US": "down"}, "endsAt": "2030-01-01T00:00:00Z"},
        )
        self.assertEqual(world.world_id, "w")
        self.assertEqual(world.etag, '"abc"')
        self.assertEqual(get2.path, "/api/v1/game-worlds?visible=true")

    def test_none_is_sent_as_null_and_values_are_not_renamed(self) -> None:
        with LocalServer(lambda req, i: json_response(200, {"id": 1})) as stub:
            client_for(stub).worlds.update(1, description=None, custom_payload={"some_key": {"inner_key": 1}}, if_match='"e1"')
        req = stub.requests[0]
        self.assertEqual(json.loads(req.body), {"description": None, "customPayload": {"some_key": {"inner_key": 1}}})
        self.assertEqual(req.headers["if-match"], '"e1"')

    def test_access_token_and_base_url_forms(self) -> None:
        with LocalServer(lambda req, i: json_response(200, {"id": 1})) as stub:
            GatrixClient(access_token="jwt.token.here", base_url=stub.url + "/api/v1/").request("GET", "/auth/me")
        self.assertEqual(stub.requests[0].path, "/api/v1/auth/me")
        self.assertEqual(stub.requests[0].headers["authorization"], "Bearer jwt.token.here")
        with self.assertRaises(ValueError):
            GatrixClient(api_key="a", access_token="b")
        with self.assertRaises(ValueError):
            GatrixClient(api_key="a", base_url="ftp://example.com")

    def test_problem_details_become_typed_errors(self) -> None:
        body = {
            "type": "/docs/problems#validation_failed",
            "title": "Bad Request",
            "status": 400,
            "detail": "email must match format \"email\"",
            "code": "validation_failed",
            "requestId": "r-1",
            "errors": [{"path": "email", "message": "must match format \"email\""}],
        }
        with LocalServer(lambda req, i: (400, {"content-type": "application/problem+json", "x-request-id": "r-1"}, json.dumps(body).encode())) as stub:
            with self.assertRaises(ValidationError) as caught:
                client_for(stub).users.create(username="abc", email="nope")
        e = caught.exception
        self.assertEqual((e.status, e.code, e.request_id, e.title), (400, "validation_failed", "r-1", "Bad Request"))
        self.assertEqual(e.field_errors, {"email": 'must match format "email"'})
        self.assertEqual(e.errors[0].path, "email")
        self.assertIn("r-1", str(e))
        self.assertIs(gatrix.BadRequestError, ValidationError)

    def test_a_non_json_error_body_still_raises_a_typed_error(self) -> None:
        with LocalServer(lambda req, i: (404, {"content-type": "text/html"}, b"<h1>nope</h1>")) as stub:
            with self.assertRaises(NotFoundError) as caught:
                client_for(stub).users.get(1)
        self.assertEqual(caught.exception.status, 404)
        self.assertIsNone(caught.exception.code)
        self.assertIn("nope", str(caught.exception))


class ObjectTests(unittest.TestCase):
    def test_objects_read_as_attributes_and_keys_in_either_case(self) -> None:
        obj = gatrix.objects.wrap({"worldId": "w1", "displayOrder": 2, "customPayload": {"my_key": {"deepKey": 1}}, "maintenanceMessages": {"en-US": "x"}})
        self.assertIsInstance(obj, GatrixObject)
        self.assertEqual(obj.world_id, "w1")
        self.assertEqual(obj.worldId, "w1")
        self.assertEqual(obj["world_id"], "w1")
        self.assertEqual(obj["worldId"], "w1")
        self.assertEqual(obj.get("display_order"), 2)
        self.assertIn("display_order", obj)
        self.assertEqual(obj.custom_payload.my_key.deep_key, 1)
        self.assertEqual(obj.maintenance_messages["en-US"], "x")
        self.assertEqual(json.loads(json.dumps(obj)), obj.to_dict())
        self.assertEqual(list(obj.keys()), ["worldId", "displayOrder", "customPayload", "maintenanceMessages"])
        with self.assertRaises(AttributeError):
            _ = obj.nope
        with self.assertRaises(KeyError):
            _ = obj["nope"]
        self.assertIn("world_id", dir(obj))
        import copy
        import pickle

        self.assertEqual(copy.deepcopy(obj), obj)
        self.assertEqual(pickle.loads(pickle.dumps(obj)), obj)

    def test_pages(self) -> None:
        pages = {
            1: Page([1, 2], GatrixObject(page=1, limit=2, total=5, totalPages=3)),
            2: Page([3, 4], GatrixObject(page=2, limit=2, total=5, totalPages=3)),
            3: Page([5], GatrixObject(page=3, limit=2, total=5, totalPages=3)),
        }
        for p in pages.values():
            p._fetch = pages.__getitem__
        first = pages[1]
        self.assertEqual(list(first), [1, 2])
        self.assertEqual(len(first), 2)
        self.assertEqual(first[0], 1)
        self.assertEqual(first["data"], [1, 2])
        self.assertEqual(first["pagination"].total_pages, 3)
        self.assertEqual((first.page, first.limit, first.total, first.total_pages), (1, 2, 5, 3))
        self.assertTrue(first.has_next_page())
        self.assertIsNone(pages[3].next_page())
        self.assertEqual(list(first.auto_paging_iter()), [1, 2, 3, 4, 5])
        self.assertEqual(first.to_dict(), {"data": [1, 2], "pagination": {"page": 1, "limit": 2, "total": 5, "totalPages": 3}})

    def test_case_conversion(self) -> None:
        for snake, camel in [("sub_channel", "subChannel"), ("game_server_address_for_whitelist", "gameServerAddressForWhitelist"), ("name", "name"), ("worldId", "worldId")]:
            self.assertEqual(to_camel(snake), camel)
        self.assertEqual(to_snake("totalPages"), "total_pages")
        self.assertEqual(to_snake("gameServerAddressForWhitelist"), "game_server_address_for_whitelist")

    def test_retry_after_parsing(self) -> None:
        self.assertEqual(parse_retry_after("3"), 3)
        self.assertEqual(parse_retry_after("0.5"), 0.5)
        self.assertEqual(parse_retry_after("-2"), 0)
        self.assertIsNone(parse_retry_after(None))
        self.assertIsNone(parse_retry_after("soon"))
        now = time.time()
        self.assertAlmostEqual(parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) or 0, 30, delta=1.1)
        self.assertEqual(parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now), 0)


if __name__ == "__main__":
    unittest.main()
