"""Test support: a real Gatrix process on a fresh SQLite data dir, and small local HTTP servers.

Each test module starts its own server in ``setUpModule`` and stops it in ``tearDownModule``.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE_DIR.parents[1]
SERVER_ENTRY = REPO_ROOT / "packages" / "server" / "src" / "main.ts"
#: The integration guide ("the seed", docs/integration-guide.md), when a checkout has it beside the repository.
SEED_FILE = REPO_ROOT.parent / "shared" / "seed" / "000_bf73588558538452.txt"

#: The machine may be busy with other suites: starting Node + tsx + migrations can take a while.
START_TIMEOUT = float(os.environ.get("GATRIX_TEST_START_TIMEOUT", "60"))

_LISTENING = re.compile(r"Gatrix API (http://\S+)/api/v1")


class GatrixServer:
    """``node --import tsx packages/server/src/main.ts`` on 127.0.0.1, an OS-chosen port and a temp data dir."""

    def __init__(self, extra_env: Optional[Dict[str, str]] = None) -> None:
        self.extra_env = dict(extra_env or {})
        self.admin_username = "admin"
        self.admin_password = "pw-" + secrets.token_urlsafe(12)
        self.base_url = ""
        self.data_dir = ""
        self.process: Optional[subprocess.Popen[bytes]] = None
        self._output: List[str] = []
        self._ready = threading.Event()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> "GatrixServer":
        node = os.environ.get("NODE") or shutil.which("node")
        if not node:
            raise RuntimeError("node is not on PATH; the SDK tests run against a real Gatrix server")
        self.data_dir = tempfile.mkdtemp(prefix="gatrix-sdk-python-")
        # A clean environment: nothing from the caller's shell (DATABASE_URL, REDIS_URL, PORT…) leaks in.
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "TMPDIR", "LANG", "SYSTEMROOT")}
        env.update(
            {
                "GATRIX_DATA_DIR": self.data_dir,
                "HOST": "127.0.0.1",
                "PORT": "0",
                "LOG_LEVEL": "warn",
                "GATRIX_ADMIN_USERNAME": self.admin_username,
                "GATRIX_ADMIN_EMAIL": "admin@example.com",
                "GATRIX_ADMIN_PASSWORD": self.admin_password,
                "GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
            }
        )
        env.update(self.extra_env)
        self.process = subprocess.Popen(
            [node, "--import", "tsx", str(SERVER_ENTRY.relative_to(REPO_ROOT))],
            cwd=str(REPO_ROOT),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(target=self._read_output, daemon=True).start()
        atexit.register(self.stop)  # even if a test run is interrupted, the server does not outlive it

        deadline = time.monotonic() + START_TIMEOUT
        while not self._ready.wait(0.1):
            if self.process.poll() is not None:
                self._ready.wait(0.5)  # let the reader catch the last lines
                self.stop()
                raise RuntimeError(f"Gatrix exited with {self.process.returncode} before listening:\n{self.output}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Gatrix did not listen within {START_TIMEOUT:g}s:\n{self.output}")
        while True:
            try:
                with urllib.request.urlopen(self.base_url + "/readyz", timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Gatrix /readyz did not answer 200 within {START_TIMEOUT:g}s:\n{self.output}")
            time.sleep(0.1)
        return self

    def _read_output(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace")
            self._output.append(line)
            m = _LISTENING.search(line)
            if m and not self._ready.is_set():
                self.base_url = m.group(1)
                self._ready.set()

    @property
    def output(self) -> str:
        return "".join(self._output)

    def stop(self) -> None:
        proc = self.process
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = ""

    # -- raw HTTP, independent of the SDK under test ------------------------------------------------

    def call(self, method: str, path: str, body: Any = None, token: Optional[str] = None) -> Tuple[int, Dict[str, str], Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            req.add_header("content-type", "application/json")
        if token:
            req.add_header("authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, {k.lower(): v for k, v in r.headers.items()}, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            with err:
                raw = err.read()
            return err.code, {k.lower(): v for k, v in err.headers.items()}, json.loads(raw) if raw else None

    def login(self) -> str:
        status, _, body = self.call("POST", "/api/v1/auth/login", {"username": self.admin_username, "password": self.admin_password})
        if status != 200:
            raise RuntimeError(f"admin login failed: {status} {body}")
        return str(body["accessToken"])

    def create_api_key(self, key_type: str = "admin", name: Optional[str] = None) -> str:
        token = self.login()
        status, _, body = self.call("POST", "/api/v1/api-keys", {"name": name or f"sdk-python-{key_type}", "type": key_type}, token)
        if status != 201:
            raise RuntimeError(f"creating an API key failed: {status} {body}")
        return str(body["key"])


def start_with_key(key_type: str = "admin", name: Optional[str] = None) -> Tuple[GatrixServer, str]:
    """A started server and a new API key on it, for setUpModule; the server is stopped if the key fails."""
    server = GatrixServer().start()
    try:
        return server, server.create_api_key(key_type, name)
    except BaseException:
        server.stop()
        raise


# -- small local HTTP servers ----------------------------------------------------------------------


class Recorded:
    def __init__(self, method: str, path: str, headers: Dict[str, str], body: bytes, raw_headers: Any) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.raw_headers = raw_headers  # the http.client.HTTPMessage as a receiver gets it
        self.at = time.monotonic()


Handler = Callable[[Recorded, int], Tuple[int, Dict[str, str], bytes]]


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 that records every request and answers with ``handler``.

    ``handler(request, index)`` returns ``(status, headers, body)``; ``index`` counts requests from 0.
    The special status ``-1`` closes the connection without answering (a dropped response).
    """

    def __init__(self, handler: Optional[Handler] = None) -> None:
        self.handler: Handler = handler or (lambda req, i: (204, {}, b""))
        self.requests: List[Recorded] = []
        self.received: "queue.Queue[Recorded]" = queue.Queue()
        self._lock = threading.Lock()
        outer = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                rec = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body, self.headers)
                with outer._lock:
                    index = len(outer.requests)
                    outer.requests.append(rec)
                outer.received.put(rec)
                status, headers, out = outer.handler(rec, index)
                if status == -1:
                    self.close_connection = True
                    try:
                        self.connection.shutdown(2)
                    except OSError:
                        pass
                    return
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                if out:
                    self.wfile.write(out)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                # A client that gave up (a timeout test) leaves a broken pipe behind: expected, not news.
                import sys

                if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                    super().handle_error(request, client_address)

        self.httpd = _Server(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "LocalServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for(self, predicate: Callable[[Recorded], bool], timeout: float = 30.0) -> Recorded:
        """The first request (already received or arriving within ``timeout``) that matches."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            with self._lock:
                pending = self.requests[seen:]
                seen = len(self.requests)
            for rec in pending:
                if predicate(rec):
                    return rec
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching request within {timeout:g}s; got {[(r.method, r.path) for r in self.requests]}")
            try:
                self.received.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                pass


def json_response(status: int, body: Any, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], bytes]:
    h = {"content-type": "application/json"}
    h.update(headers or {})
    return status, h, json.dumps(body).encode()


def problem(status: int, code: str, detail: str, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], bytes]:
    h = {"content-type": "application/problem+json", "x-request-id": f"req-{code}"}
    h.update(headers or {})
    body = {"type": f"/docs/problems#{code}", "title": "Error", "status": status, "detail": detail, "code": code, "requestId": f"req-{code}"}
    return status, h, json.dumps(body).encode()


def seed_python_block() -> Optional[str]:
    """The ``### 2. Python SDK`` code block of the integration guide (docs/integration-guide.md), verbatim, or None when the guide is not beside the repo."""
    if not SEED_FILE.exists():
        return None
    text = SEED_FILE.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    sdk = [b for b in blocks if "from gatrix import GatrixClient" in b]
    return sdk[0] if sdk else None
