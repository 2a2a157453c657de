"""Every resource against a real Gatrix: CRUD, filters, pagination, iterate, and the errors it answers."""

from __future__ import annotations

import datetime as dt
import os
import unittest
from unittest import mock
import urllib.error
import urllib.request
from typing import Any, Dict, Optional

from gatrix import (
    AuthenticationError,
    ConflictError,
    GatrixClient,
    GatrixObject,
    NotFoundError,
    Page,
    PermissionDeniedError,
    PreconditionFailedError,
    UnprocessableEntityError,
    ValidationError,
)

from .support import GatrixServer, LocalServer, start_with_key

server: Optional[GatrixServer] = None
admin_key = ""


def setUpModule() -> None:
    global server, admin_key
    server, admin_key = start_with_key("admin")


def tearDownModule() -> None:
    if server is not None:
        server.stop()


def admin() -> GatrixClient:
    assert server is not None
    return GatrixClient(api_key=admin_key, base_url=server.base_url, timeout=30)


class UsersTests(unittest.TestCase):
    def test_create_get_update_delete(self) -> None:
        c = admin()
        user = c.users.create(username="crud_user", email="Crud@Example.com", display_name="Crud User", role="viewer")
        self.assertIsInstance(user, GatrixObject)
        self.assertEqual((user.username, user.email, user.display_name, user.role), ("crud_user", "crud@example.com", "Crud User", "viewer"))
        self.assertTrue(user.etag)

        got = c.users.get(user.id)
        self.assertEqual(got, user)
        self.assertEqual(got.etag, user.etag)

        updated = c.users.update(user.id, status="suspended", last_login_at="2026-01-02T03:04:05.000Z")
        self.assertEqual((updated.status, updated.last_login_at, updated.display_name), ("suspended", "2026-01-02T03:04:05.000Z", "Crud User"))
        with self.assertRaises(PreconditionFailedError) as caught:
            c.users.update(user.id, display_name="stale", if_match=user.etag)
        self.assertEqual(caught.exception.status, 412)
        self.assertEqual(c.users.update(user.id, display_name=None, if_match=updated.etag).display_name, None)

        c.users.delete(user.id)
        with self.assertRaises(NotFoundError) as caught:
            c.users.get(user.id)
        e = caught.exception
        self.assertEqual((e.status, e.code), (404, "user_not_found"))
        self.assertTrue(e.request_id)
        self.assertIn(str(user.id), e.detail or "")

    def test_console_calls_cursor_bulk_suspend_unlock_reset_sessions(self) -> None:
        c = admin()
        for i in range(3):
            c.users.create(username=f"cur_py_{i}", email=f"curpy{i}@example.com")
        first = c.users.list(q="cur_py_", limit=2, sort="username")
        self.assertEqual([u.username for u in first], ["cur_py_0", "cur_py_1"])
        self.assertTrue(first.next_cursor)
        second = c.users.list(q="cur_py_", limit=2, sort="username", cursor=first.next_cursor)
        self.assertEqual([u.username for u in second], ["cur_py_2"])
        self.assertIsNone(second.next_cursor)

        result = c.users.bulk("setRole", role="viewer", filter={"q": "cur_py_"}, reason="python test")
        self.assertEqual((result.total, result.succeeded, result.failed), (3, 3, 0))
        with self.assertRaises(ValidationError) as caught:
            c.users.bulk("setRole", ids=[1])
        self.assertEqual(caught.exception.status, 400)

        user = c.users.create(username="py_suspend", email="py_suspend@example.com", password="py-suspend-pass-1")
        until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
        suspended = c.users.suspend(user.id, "Python test", until=until)
        self.assertEqual((suspended.status, suspended.suspended_reason), ("suspended", "Python test"))
        self.assertEqual(c.users.unsuspend(user.id).status, "active")
        self.assertIsNone(c.users.unlock(user.id))
        password = c.users.reset_password(user.id)
        self.assertEqual(len(password), 24)
        assert server is not None
        status, _, _ = server.call("POST", "/api/v1/auth/login", {"username": "py_suspend", "password": password})
        self.assertEqual(status, 200)
        sessions = c.users.sessions(user.id)
        self.assertEqual(len(sessions), 1)
        self.assertTrue(sessions[0].created_at)
        c.users.revoke_session(user.id, sessions[0].id)
        self.assertEqual(c.users.sessions(user.id), [])

    def test_a_dict_works_as_well_as_keywords(self) -> None:
        user = admin().users.create({"username": "dict_user", "email": "dict@example.com", "displayName": "D"})
        self.assertEqual(user.display_name, "D")

    def test_pagination_across_250_users(self) -> None:
        c = admin()
        created = {c.users.create(username=f"page_user_{i:03d}", email=f"page{i:03d}@example.com").id for i in range(250)}
        self.assertEqual(len(created), 250)

        first = c.users.list(q="page_user_", page=1, limit=100)
        self.assertIsInstance(first, Page)
        self.assertEqual((first.pagination.page, first.pagination.limit, first.pagination.total, first.pagination.total_pages), (1, 100, 250, 3))
        self.assertEqual(len(first), 100)
        third = c.users.list(q="page_user_", page=3, limit=100)
        self.assertEqual(len(third.data), 50)
        self.assertFalse(third.has_next_page())
        second = first.next_page()
        assert second is not None
        self.assertEqual(second.pagination.page, 2)

        seen = [u.id for u in c.users.iterate(q="page_user_", limit=100)]
        self.assertEqual(len(seen), 250)
        self.assertEqual(set(seen), created)
        self.assertEqual(seen, sorted(seen), "the default sort is by id")
        self.assertEqual([u.id for u in first.auto_paging_iter()], seen)
        self.assertEqual(sum(1 for _ in c.users.iterate(q="page_user_", limit=7)), 250)
        names = [u.username for u in c.users.iterate(q="page_user_", sort="-username", limit=100)]
        self.assertEqual(names[0], "page_user_249")

    def test_filters(self) -> None:
        c = admin()
        c.users.create(username="filter_op", email="filter_op@example.com", role="operator")
        ops = c.users.list(role="operator", q="filter_")
        self.assertEqual([u.username for u in ops], ["filter_op"])


class ErrorTests(unittest.TestCase):
    def test_409_names_the_taken_field(self) -> None:
        c = admin()
        c.users.create(username="dup_user", email="dup@example.com")
        with self.assertRaises(ConflictError) as caught:
            c.users.create(username="dup_user", email="dup2@example.com")
        e = caught.exception
        self.assertEqual((e.status, e.code), (409, "username_taken"))
        self.assertIn("username", e.field_errors)

    def test_400_validation_names_the_field(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            admin().users.create(username="ok_name", email="not-an-email")
        e = caught.exception
        self.assertEqual((e.status, e.code), (400, "validation_failed"))
        self.assertEqual([f.path for f in e.errors], ["email"])
        self.assertIn("email", e.field_errors)

    def test_422_for_an_idempotency_key_reused_with_another_body(self) -> None:
        c = admin()
        first = c.users.create(username="idem_a", email="idem_a@example.com", idempotency_key="reuse-me")
        replay = c.users.create(username="idem_a", email="idem_a@example.com", idempotency_key="reuse-me")
        self.assertEqual(replay.id, first.id, "the same key and body replay the first answer")
        with self.assertRaises(UnprocessableEntityError) as caught:
            c.users.create(username="idem_b", email="idem_b@example.com", idempotency_key="reuse-me")
        self.assertEqual((caught.exception.status, caught.exception.code), (422, "idempotency_key_reused"))
        self.assertIsInstance(caught.exception, ValidationError)
        self.assertEqual(c.users.list(q="idem_").pagination.total, 1)

    def test_401_for_a_bad_or_missing_key(self) -> None:
        assert server is not None
        for key in ("gtx_admin_not-a-real-key", None):
            with self.subTest(key=key), mock.patch.dict(os.environ, {"GATRIX_API_KEY": ""}):
                with self.assertRaises(AuthenticationError) as caught:
                    GatrixClient(api_key=key, base_url=server.base_url, max_retries=0).users.list()
                self.assertEqual(caught.exception.status, 401)
                self.assertTrue(caught.exception.request_id)

    def test_403_when_the_key_may_not(self) -> None:
        assert server is not None
        server_key = admin().api_keys.create(name="game-server", type="server").key
        c = GatrixClient(api_key=server_key, base_url=server.base_url)
        self.assertIsInstance(c.worlds.list(), Page)  # a server key reads game operations
        with self.assertRaises(PermissionDeniedError) as caught:
            c.users.list()
        self.assertEqual((caught.exception.status, caught.exception.code), (403, "forbidden"))

    def test_404_for_an_unknown_route_through_request(self) -> None:
        with self.assertRaises(NotFoundError) as caught:
            admin().request("GET", "/no-such-thing")
        self.assertEqual(caught.exception.code, "route_not_found")


class EveryMethodFailsCleanlyTests(unittest.TestCase):
    """Each resource method once with a request Gatrix refuses: the typed error, its status and code."""

    def test_table(self) -> None:
        c = admin()
        missing = 987_654
        cases = [
            ("users.get", lambda: c.users.get(missing), NotFoundError, "user_not_found"),
            ("users.update", lambda: c.users.update(missing, status="active"), NotFoundError, "user_not_found"),
            ("users.delete", lambda: c.users.delete(missing), NotFoundError, "user_not_found"),
            ("users.list", lambda: c.users.list(limit=1000), ValidationError, "validation_failed"),
            ("users.iterate", lambda: list(c.users.iterate(role="king")), ValidationError, "validation_failed"),
            ("users.create", lambda: c.users.create(username="no_email"), ValidationError, "validation_failed"),
            ("worlds.get", lambda: c.worlds.get(missing), NotFoundError, None),
            ("worlds.create", lambda: c.worlds.create(world_id="bad id!", name="x"), ValidationError, "validation_failed"),
            ("worlds.update", lambda: c.worlds.update(missing, name="x"), NotFoundError, None),
            ("worlds.delete", lambda: c.worlds.delete(missing), NotFoundError, None),
            ("worlds.set_maintenance", lambda: c.worlds.set_maintenance(missing, True), NotFoundError, None),
            ("worlds.reorder", lambda: c.worlds.reorder([]), ValidationError, "validation_failed"),
            ("worlds.list", lambda: c.worlds.list(page=0), ValidationError, "validation_failed"),
            ("versions.get", lambda: c.versions.get(missing), NotFoundError, None),
            ("versions.list", lambda: c.versions.list(status="SOMETIMES"), ValidationError, "validation_failed"),
            ("versions.create", lambda: c.versions.create(channel="PC"), ValidationError, "validation_failed"),
            ("versions.update", lambda: c.versions.update(missing, memo="x"), NotFoundError, None),
            ("versions.delete", lambda: c.versions.delete(missing), NotFoundError, None),
            ("maintenance.set", lambda: c.maintenance.set(True, message=""), ValidationError, "validation_failed"),
            ("maintenance.get", lambda: GatrixClient(api_key="nope", base_url=c.base_url).maintenance.get(), AuthenticationError, "invalid_credentials"),
            ("whitelist.get", lambda: c.whitelist.get(missing), NotFoundError, None),
            ("whitelist.list", lambda: c.whitelist.list(type="email"), ValidationError, "validation_failed"),
            ("whitelist.iterate", lambda: list(c.whitelist.iterate(type="email")), ValidationError, "validation_failed"),
            ("whitelist.create", lambda: c.whitelist.create(type="ip", value="999.1.1.1"), ValidationError, None),
            ("whitelist.update", lambda: c.whitelist.update(missing, memo="x"), NotFoundError, None),
            ("whitelist.delete", lambda: c.whitelist.delete(missing), NotFoundError, None),
            ("whitelist.import_entries", lambda: c.whitelist.import_entries("300.1.1.1", dry_run=False), UnprocessableEntityError, "whitelist_import_invalid"),
            ("whitelist.test", lambda: c.whitelist.test(ip="not-an-ip"), ValidationError, "validation_failed"),
            ("notices.get", lambda: c.notices.get(missing), NotFoundError, "notice_not_found"),
            ("notices.list", lambda: c.notices.list(state="soon"), ValidationError, "validation_failed"),
            ("notices.iterate", lambda: list(c.notices.iterate(category="news")), ValidationError, "validation_failed"),
            ("notices.create", lambda: c.notices.create(title="t", body="b", min_version="2", max_version="1"), ValidationError, "validation_failed"),
            ("notices.update", lambda: c.notices.update(missing, title="x"), NotFoundError, "notice_not_found"),
            ("notices.delete", lambda: c.notices.delete(missing), NotFoundError, "notice_not_found"),
            ("api_keys.get", lambda: c.api_keys.get(missing), NotFoundError, None),
            ("api_keys.list", lambda: c.api_keys.list(type="root"), ValidationError, "validation_failed"),
            ("api_keys.create", lambda: c.api_keys.create(name="x", type="root"), ValidationError, "validation_failed"),
            ("api_keys.delete", lambda: c.api_keys.delete(missing), NotFoundError, None),
            ("webhooks.get", lambda: c.webhooks.get(missing), NotFoundError, None),
            ("webhooks.list", lambda: c.webhooks.list(limit=0), ValidationError, "validation_failed"),
            ("webhooks.iterate", lambda: list(c.webhooks.iterate(active="maybe")), ValidationError, "validation_failed"),
            ("webhooks.create", lambda: c.webhooks.create(url="http://127.0.0.1:9/x", events=[]), ValidationError, "validation_failed"),
            ("webhooks.update", lambda: c.webhooks.update(missing, active=True), NotFoundError, None),
            ("webhooks.delete", lambda: c.webhooks.delete(missing), NotFoundError, None),
            ("webhooks.test", lambda: c.webhooks.test(missing), NotFoundError, None),
            ("webhooks.rotate_secret", lambda: c.webhooks.rotate_secret(missing), NotFoundError, None),
            ("webhooks.deliveries", lambda: c.webhooks.deliveries(missing), NotFoundError, None),
            ("webhooks.iterate_deliveries", lambda: list(c.webhooks.iterate_deliveries(missing)), NotFoundError, None),
            ("webhooks.delivery", lambda: c.webhooks.delivery(missing), NotFoundError, None),
            ("webhooks.retry", lambda: c.webhooks.retry(missing), NotFoundError, None),
            ("webhooks.recover", lambda: c.webhooks.recover(missing, "yesterday"), ValidationError, "validation_failed"),
            ("webhooks.retry_deliveries", lambda: c.webhooks.retry_deliveries(missing), NotFoundError, "webhook_not_found"),
            ("webhooks.health", lambda: c.webhooks.health(missing), NotFoundError, "webhook_not_found"),
            ("webhooks.health_all", lambda: GatrixClient(api_key="nope", base_url=c.base_url).webhooks.health_all(), AuthenticationError, None),
            ("webhooks.event_types", lambda: GatrixClient(api_key="nope", base_url=c.base_url).webhooks.event_types(), AuthenticationError, None),
            ("audit_logs.list", lambda: c.audit_logs.list(actor_type="robot"), ValidationError, "validation_failed"),
            ("audit_logs.iterate", lambda: list(c.audit_logs.iterate(actor_id=0)), ValidationError, "validation_failed"),
            ("client.client_version", lambda: c.client.client_version("PC", "Steam", "not-a-version"), ValidationError, "validation_failed"),
            ("client.status", lambda: c.client.status(lang="not a language"), ValidationError, "validation_failed"),
            ("client.game_worlds", lambda: GatrixClient(api_key="nope", base_url=c.base_url).client.game_worlds(), AuthenticationError, None),
            ("server.snapshot", lambda: GatrixClient(api_key="nope", base_url=c.base_url).server.snapshot(), AuthenticationError, None),
            ("client.notices", lambda: c.client.notices(version="1.x"), ValidationError, "validation_failed"),
        ]
        for name, call, expected, code in cases:
            with self.subTest(method=name):
                with self.assertRaises(expected) as caught:
                    call()
                self.assertIs(type(caught.exception), expected)
                self.assertTrue(caught.exception.request_id)
                if code is not None:
                    self.assertEqual(caught.exception.code, code)
                if expected is ValidationError:
                    self.assertTrue(caught.exception.field_errors, caught.exception)


class RetryAgainstGatrixTests(unittest.TestCase):
    def test_a_create_whose_response_was_dropped_creates_one_user_not_two(self) -> None:
        """A proxy forwards the first POST to Gatrix, which creates the user, then drops the response. The SDK
        retries with the same Idempotency-Key and Gatrix replays the first answer instead of creating again."""
        assert server is not None
        upstream = server.base_url

        def forward(req, index):  # type: ignore[no-untyped-def]
            headers = {k: v for k, v in req.headers.items() if k not in ("host", "connection", "content-length")}
            r = urllib.request.Request(upstream + req.path, data=req.body or None, method=req.method, headers=headers)
            try:
                with urllib.request.urlopen(r, timeout=30) as resp:
                    status, out_headers, body = resp.status, dict(resp.headers.items()), resp.read()
            except urllib.error.HTTPError as err:
                with err:
                    status, out_headers, body = err.code, dict(err.headers.items()), err.read()
            if index == 0:
                return (-1, {}, b"")  # the user is created; the client never hears of it
            keep = {k: v for k, v in out_headers.items() if k.lower() in ("content-type", "idempotent-replayed", "x-request-id", "etag")}
            return status, keep, body

        with LocalServer(forward) as proxy:
            c = GatrixClient(api_key=admin_key, base_url=proxy.url, max_retries=2, max_retry_delay=0.05)
            user = c.users.create(username="dropped_once", email="dropped_once@example.com")
        self.assertEqual(user.username, "dropped_once")
        self.assertEqual(len(proxy.requests), 2)
        self.assertEqual(proxy.requests[0].headers["idempotency-key"], proxy.requests[1].headers["idempotency-key"])
        found = admin().users.list(q="dropped_once")
        self.assertEqual(found.pagination.total, 1)
        self.assertEqual(found[0].id, user.id)


class WorldsTests(unittest.TestCase):
    def test_crud_maintenance_and_order(self) -> None:
        c = admin()
        a = c.worlds.create(
            world_id="res_world_a",
            name="A",
            region="kr",
            tags=["pvp"],
            custom_payload={"max_users": 5000, "camelKey": True},
            maintenance_messages={"en-US": "Back soon", "ko": "점검 중"},
        )
        b = c.worlds.create(world_id="res_world_b", name="B", visible=False)
        self.assertEqual((a.world_id, a.region, a.tags, a.maintenance), ("res_world_a", "kr", ["pvp"], False))
        self.assertEqual(a.custom_payload, {"max_users": 5000, "camelKey": True}, "free-form keys are kept as sent")
        self.assertEqual(a.maintenance_messages["en-US"], "Back soon")

        self.assertEqual(c.worlds.get(a.id).name, "A")
        self.assertEqual(c.worlds.update(a.id, name="A2").name, "A2")
        self.assertEqual([w.world_id for w in c.worlds.list(q="res_world", visible=False)], ["res_world_b"])

        m = c.worlds.set_maintenance(a.id, True, message="점검", messages={"en": "Maintenance"})
        self.assertEqual((m.maintenance, m.maintenance_message), (True, "점검"))
        ends = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
        scheduled = c.worlds.set_maintenance(a.id, True, starts_at=ends, ends_at=ends + dt.timedelta(hours=1))
        self.assertFalse(scheduled.maintenance, "a window that has not started is not in effect")
        self.assertTrue(scheduled.maintenance_starts_at.startswith(ends.strftime("%Y-%m-%dT%H:%M")))
        self.assertFalse(c.worlds.set_maintenance(a.id, False).maintenance)

        ordered = c.worlds.reorder([b.id, a.id])
        ids = [w.id for w in ordered]
        self.assertLess(ids.index(b.id), ids.index(a.id))

        c.worlds.delete(b.id)
        with self.assertRaises(NotFoundError):
            c.worlds.get(b.id)
        with self.assertRaises(ConflictError):
            c.worlds.create(world_id="res_world_a", name="again")


class VersionsTests(unittest.TestCase):
    def test_crud_and_channel_filters(self) -> None:
        c = admin()
        common: Dict[str, Any] = dict(status="ONLINE", game_server_address="gs.example.com:7777", patch_address="https://patch.example.com")
        steam = c.versions.create(channel="PC", sub_channel="Steam", version="1.0.0", min_patch_version="1.0.1", **common)
        c.versions.create(channel="PC", sub_channel="Steam", version="1.2.0", **common)
        c.versions.create(channel="PC", sub_channel="Epic", version="1.0.0", **common)
        c.versions.create(channel="Mobile", sub_channel="Google", version="2.0.0", **common)
        self.assertEqual((steam.sub_channel, steam.min_patch_version, steam.guest_mode_allowed), ("Steam", "1.0.1", False))

        versions = c.versions.list(channel="PC", sub_channel="Steam")
        self.assertEqual([v.version for v in versions], ["1.0.0", "1.2.0"])
        self.assertEqual(versions.pagination.total, 2)
        self.assertEqual(len(list(c.versions.iterate(channel="PC", limit=1))), 3)

        updated = c.versions.update(steam.id, status="FORCED_UPDATE", memo="old build")
        self.assertEqual((updated.status, updated.memo, updated.game_server_address), ("FORCED_UPDATE", "old build", "gs.example.com:7777"))
        self.assertEqual(c.versions.get(steam.id).status, "FORCED_UPDATE")
        with self.assertRaises(ConflictError):
            c.versions.create(channel="PC", sub_channel="Steam", version="1.2.0", **common)
        with self.assertRaises(ValidationError) as caught:
            c.versions.create(channel="PC", sub_channel="Steam", version="abc", **common)
        self.assertIn("version", caught.exception.field_errors)
        c.versions.delete(steam.id)
        self.assertEqual([v.version for v in c.versions.list(channel="PC", sub_channel="Steam")], ["1.2.0"])


class MaintenanceWhitelistAndClientTests(unittest.TestCase):
    def test_global_maintenance_whitelist_and_the_game_client_api(self) -> None:
        assert server is not None
        c = admin()
        c.versions.create(
            channel="Console",
            sub_channel="PS5",
            version="3.0.0",
            status="ONLINE",
            game_server_address="gs.console:1",
            patch_address="https://patch.console",
            game_server_address_for_whitelist="gs-qa.console:1",
            patch_address_for_whitelist="https://patch-qa.console",
        )
        c.worlds.create(world_id="client_world", name="Client World")
        client_key = c.api_keys.create(name="game-client", type="client").key
        game = GatrixClient(api_key=client_key, base_url=server.base_url)

        self.assertFalse(c.maintenance.get().enabled)
        answer = game.client.client_version("Console", "PS5", "3.0.0")
        self.assertEqual((answer.status, answer.game_server_address), ("ONLINE", "gs.console:1"))
        self.assertIn("client_world", [w.world_id for w in game.client.game_worlds()])

        on = c.maintenance.set(True, message="서버 점검", messages={"en": "Server maintenance"})
        self.assertTrue(on.enabled and on.active)
        self.assertEqual(c.maintenance.get().message, "서버 점검")
        status = game.client.status(lang="en")
        self.assertEqual((status.maintenance, status.message), (True, "Server maintenance"))
        self.assertEqual(game.client.client_version("Console", "PS5", "3.0.0").status, "MAINTENANCE")

        entry = c.whitelist.create(type="account", value="qa-account-1", memo="QA")
        self.assertEqual((entry.type, entry.value, entry.enabled), ("account", "qa-account-1", True))
        self.assertEqual(c.whitelist.get(entry.id).memo, "QA")
        qa = game.client.client_version("Console", "PS5", "3.0.0", account_id="qa-account-1")
        self.assertEqual((qa.status, qa.game_server_address), ("ONLINE", "gs-qa.console:1"))
        self.assertFalse(game.client.status(account_id="qa-account-1").maintenance)

        ip = c.whitelist.create(type="ip", value="10.1.2.3/8", enabled=False)
        self.assertEqual(ip.value, "10.0.0.0/8")
        self.assertEqual([e.value for e in c.whitelist.list(type="ip")], ["10.0.0.0/8"])
        self.assertTrue(c.whitelist.update(ip.id, enabled=True).enabled)
        c.whitelist.delete(ip.id)
        with self.assertRaises(NotFoundError):
            c.whitelist.get(ip.id)
        with self.assertRaises(ValidationError):
            c.whitelist.create(type="ip", value="not-an-ip")

        self.assertFalse(c.maintenance.set(False).enabled)
        self.assertEqual(game.client.client_version("Console", "PS5", "3.0.0").status, "ONLINE")
        with self.assertRaises(PermissionDeniedError):
            game.worlds.list()
        with self.assertRaises(NotFoundError):
            game.client.client_version("Console", "PS5", "9.9.9")

        c.versions.create(channel="Console", sub_channel="PS5", version="3.0.10", status="RECOMMENDED_UPDATE", game_server_address="gs.console:1", patch_address="https://patch.console")
        listed = game.client.client_versions("Console", "PS5")
        self.assertEqual([(v.version, v.status) for v in listed], [("3.0.10", "RECOMMENDED_UPDATE"), ("3.0.0", "ONLINE")])
        self.assertEqual(game.client.client_version("Console", "PS5", "latest").version, "3.0.10")
        self.assertEqual(game.client.client_versions("Console", "Nope"), [])
        with self.assertRaises(NotFoundError):
            game.client.client_version("Console", "Nope", "latest")

        server_key = c.api_keys.create(name="game-server", type="server").key
        game_server = GatrixClient(api_key=server_key, base_url=server.base_url)
        snapshot = game_server.server.snapshot()
        assert snapshot is not None
        self.assertIn("3.0.10", [v.version for v in snapshot.client_versions])
        self.assertIn("client_world", [w.world_id for w in snapshot.worlds])
        self.assertIsNone(game_server.server.snapshot(if_none_match=f'"{snapshot.version}"'))
        with self.assertRaises(PermissionDeniedError):
            game.server.snapshot()


class NoticesTests(unittest.TestCase):
    def test_crud_filters_and_what_a_game_client_gets(self) -> None:
        assert server is not None
        c = admin()
        everyone = c.notices.create(title="For all", body="Hello", translations={"ko": {"title": "모두에게", "body": "안녕"}})
        event = c.notices.create(title="PS5 event", body="XP", category="event", priority=5, channels=["PS5"], world_ids=["w9"], min_version="2.0")
        self.assertEqual((everyone.category, everyone.priority, everyone.enabled), ("notice", 0, True))
        self.assertEqual(c.notices.get(event.id).world_ids, ["w9"])
        self.assertEqual(c.notices.update(event.id, priority=7, if_match=event.etag).priority, 7)
        with self.assertRaises(PreconditionFailedError):
            c.notices.update(event.id, priority=8, if_match=event.etag)
        self.assertEqual([n.id for n in c.notices.list(category="event")], [event.id])
        self.assertEqual([n.id for n in c.notices.iterate(limit=1)], [event.id, everyone.id])

        game = GatrixClient(api_key=c.api_keys.create(name="notices-client", type="client").key, base_url=server.base_url)
        seen = game.client.notices(channel="PS5", world_id="w9", version="2.1", lang="ko-KR")
        self.assertEqual([(n.title, n.lang) for n in seen], [("PS5 event", None), ("모두에게", "ko")])
        self.assertEqual([n.id for n in game.client.notices()], [everyone.id])
        c.notices.delete(event.id)
        c.notices.delete(everyone)
        self.assertEqual(game.client.notices(), [])


class ApiKeysAndAuditTests(unittest.TestCase):
    def test_api_keys_lifecycle(self) -> None:
        assert server is not None
        c = admin()
        created = c.api_keys.create(name="temp-key", type="server", expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc))
        self.assertTrue(created.key.startswith("gtx_"))
        self.assertEqual(created.expires_at, "2099-01-01T00:00:00.000Z")
        listed = {k.id: k for k in c.api_keys.list(type="server")}
        self.assertIn(created.id, listed)
        self.assertNotIn("key", listed[created.id], "the key itself is shown once")
        self.assertEqual(c.api_keys.get(created.id).prefix, created.prefix)
        temp = GatrixClient(api_key=created.key, base_url=server.base_url)
        temp.worlds.list()
        c.api_keys.delete(created.id)
        with self.assertRaises(AuthenticationError):
            temp.worlds.list()
        revoked = [k for k in c.api_keys.iterate(include_revoked=True) if k.id == created.id]
        self.assertTrue(revoked[0].revoked_at)

    def test_audit_logs(self) -> None:
        c = admin()
        user = c.users.create(username="audited", email="audited@example.com")
        c.users.update(user.id, display_name="Audited")
        entries = c.audit_logs.list(target_type="user", target_id=str(user.id))
        self.assertEqual([e.action for e in entries], ["user.update", "user.create"], "newest first")
        self.assertEqual(entries[0].after["displayName"], "Audited")
        self.assertEqual(entries[0].actor_type, "api_key")
        self.assertTrue(entries[0].request_id)
        self.assertGreaterEqual(sum(1 for _ in c.audit_logs.iterate(action="user.*", limit=50)), 2)
        since = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)).isoformat()
        self.assertGreaterEqual(len(c.audit_logs.list(from_=since, action="user.create")), 1)


class AccessTokenTests(unittest.TestCase):
    def test_a_signed_in_user_uses_an_access_token(self) -> None:
        assert server is not None
        c = GatrixClient(access_token=server.login(), base_url=server.base_url)
        me = c.request("GET", "/auth/me")
        self.assertEqual(me.username, "admin")
        self.assertGreaterEqual(c.users.list(limit=1).pagination.total, 1)


if __name__ == "__main__":
    unittest.main()
