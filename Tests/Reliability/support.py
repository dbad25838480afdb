"""What every probe of the reliability harness shares: the built `herald` binary started and killed on loopback,
keys of every role, a small HTTP client, and a real local SMS provider that records what it is handed and
answers as a probe tells it to.

Nothing here looks inside Herald: it speaks HTTP to `herald serve`, runs the CLI, and reads what the provider
received.
"""
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROLES = ["backend", "staff", "author", "provider", "admin"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Check:
    """One line of the harness's table: a probe, what it checked, whether it held, and the figures seen."""

    def __init__(self, probe, name, passed, figures=""):
        self.probe, self.name, self.passed, self.figures = probe, name, bool(passed), figures

    def as_json(self):
        return {"probe": self.probe, "check": self.name, "passed": self.passed, "figures": self.figures}


class Checks(list):
    def __init__(self, probe):
        super().__init__()
        self.probe = probe

    def add(self, name, passed, figures=""):
        self.append(Check(self.probe, name, passed, figures))
        return passed


class Workspace:
    """A scratch folder for one probe, removed at the end unless kept."""

    def __init__(self, name, keep=False):
        self.path = tempfile.mkdtemp(prefix=f"herald-{name}-")
        self.keep = keep

    def file(self, name):
        return os.path.join(self.path, name)

    def close(self):
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)


class Keys:
    """One key per role, made with `herald keys new`, and the keys file the server reads."""

    def __init__(self, herald_bin, folder):
        self.file = os.path.join(folder, "herald.keys")
        self.key = {}
        for role in ROLES:
            out = subprocess.run([herald_bin, "keys", "new", "--role", role, "--name", f"harness-{role}", "--keys-file", self.file],
                                 capture_output=True, text=True, check=True).stdout
            found = re.search(r"\bhk_[A-Za-z0-9_\-]+", out)
            if not found:
                raise RuntimeError(f"herald keys new printed no key: {out!r}")
            self.key[role] = found.group(0)


class Client:
    """A keep-alive HTTP/1.1 client for one thread."""

    def __init__(self, port, key=None, timeout=30):
        self.port, self.key, self.timeout = port, key, timeout
        self.conn = None

    def request(self, method, path, body=None, key="default", headers=None, raw=None):
        hdrs = {"Content-Type": "application/json"}
        use = self.key if key == "default" else key
        if use:
            hdrs["Authorization"] = f"Bearer {use}"
        hdrs.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                response = self.conn.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, payload, response
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                self.close()
                # A kept-alive connection the server closed while idle: try once on a new one, but only for
                # requests that are safe to repeat. Others report the error to the caller.
                if attempt == 1 or method not in ("GET",):
                    raise error
        raise RuntimeError("unreachable")

    def json(self, method, path, body=None, key="default"):
        status, payload, _ = self.request(method, path, body, key=key)
        try:
            return status, json.loads(payload) if payload else None
        except ValueError:
            return status, payload

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Herald:
    """`herald serve` on loopback over one database, started and killed as a probe says. Its standard error
    and output go to one log file, kept across restarts, that the secrets probe reads at the end."""

    def __init__(self, herald_bin, folder, keys, provider_url=None, extra=(), env=None, db=None, port=None):
        self.bin, self.folder, self.keys = herald_bin, folder, keys
        self.db = db or os.path.join(folder, "herald.sqlite")
        self.port = port or free_port()
        self.provider_url = provider_url
        self.extra = list(extra)
        self.env = dict(env or {})
        self.log_path = os.path.join(folder, "serve.log")
        self.process = None
        self.starts = 0

    def command(self):
        cmd = [self.bin, "serve", "--port", str(self.port), "--db", self.db, "--keys-file", self.keys.file,
               "--templates", os.path.join(ROOT, "Templates"), "--locales", os.path.join(ROOT, "Locales"),
               "--events", os.path.join(ROOT, "Events"), "--quiet-hours", "off", "--rate-limit", "off"]
        if self.provider_url:
            cmd += ["--sms-url", self.provider_url, "--sms-method", "POST", "--sms-id-path", "id"]
        return cmd + self.extra

    def start(self, wait=True, timeout=60):
        env = dict(os.environ)
        env.setdefault("HERALD_LOG_LEVEL", "info")
        env.update(self.env)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.folder)
        log.close()
        self.starts += 1
        if wait:
            self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"herald serve exited with {self.process.returncode}; see {self.log_path}:\n" + self.tail())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"herald serve did not answer /health within {timeout}s:\n" + self.tail())

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout=30):
        """SIGTERM, as a service manager stops it; the exit code, or None when it had to be killed."""
        if not self.process or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def tail(self, n=20):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""

    def client(self, role="admin", timeout=30):
        return Client(self.port, self.keys.key[role] if role else None, timeout=timeout)

    def stats(self):
        status, body = self.client("staff").json("GET", "/v1/stats?since=3650d")
        if status != 200:
            raise RuntimeError(f"/v1/stats answered {status}: {body}")
        return body

    def count(self, *statuses):
        by = self.stats().get("byStatus", {})
        return sum(by.get(s, 0) for s in statuses)

    def wait_settled(self, timeout=120, final=("sent", "delivered", "failed", "expired", "cancelled"), stall=None):
        """Waits until no message is waiting or in flight; the last statistics. With `stall`, waits as long as
        messages keep settling (a long backlog drains), giving up after `stall` seconds without progress or
        `timeout` in all."""
        started = time.monotonic()
        deadline = started + timeout
        least, progress = None, started
        while True:
            stats = self.stats()
            by = stats.get("byStatus", {})
            open_ = sum(n for s, n in by.items() if s not in final)
            now = time.monotonic()
            if least is None or open_ < least:
                least, progress = open_, now
            if open_ == 0 or now > deadline or (stall is not None and now - progress > stall):
                stats["settleSeconds"] = now - started
                return stats
            # A long drain is polled less often: the statistics read every message, and would slow it.
            time.sleep(0.2 if stall is None else 1.0)


# MARK: the provider

class Reply:
    """What the provider does with one request."""

    def __init__(self, status=200, body=None, headers=None, hang=0.0, slow=0.0, close=False):
        self.status, self.body, self.headers = status, body, headers or {}
        self.hang, self.slow, self.close = hang, slow, close


class Provider:
    """A real HTTP SMS provider on loopback. Records every request (arrival time, Idempotency-Key, JSON body)
    and answers as `behaviour(record, tries)` says (by default 200 with a provider id)."""

    def __init__(self, behaviour=None):
        self.records = []
        self.lock = threading.Lock()
        self.tries = {}
        self.behaviour = behaviour or (lambda record, tries: Reply())
        self.in_progress = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                # When this connection was opened: a sender's connections are its own, so a request read after
                # the sender was killed still tells which process sent it.
                self.opened = time.monotonic()

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if len(raw) < length:  # the sender died mid-request: nothing was handed over
                    self.close_connection = True
                    return
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"raw": raw.decode("utf-8", "replace")}
                key = self.headers.get("Idempotency-Key", "")
                with provider.lock:
                    tries = provider.tries.get(key, 0) + 1
                    provider.tries[key] = tries
                    record = {"t": time.monotonic(), "opened": self.opened, "key": key, "body": body, "try": tries}
                    provider.records.append(record)
                    provider.in_progress += 1
                try:
                    reply = provider.behaviour(record, tries)
                    if reply.hang:
                        time.sleep(reply.hang)
                    if reply.close:
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    payload = reply.body if reply.body is not None else json.dumps({"id": f"prov-{len(provider.records)}"})
                    payload = payload.encode() if isinstance(payload, str) else payload
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    if reply.slow:
                        for i in range(len(payload)):
                            self.wfile.write(payload[i:i + 1])
                            self.wfile.flush()
                            time.sleep(reply.slow)
                    else:
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True
                finally:
                    with provider.lock:
                        provider.in_progress -= 1

            do_GET = do_POST

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

            def handle_error(self, request, client_address):
                pass  # a sender killed mid-request resets its connection: expected here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def keys(self):
        with self.lock:
            return dict(self.tries)

    def snapshot(self):
        with self.lock:
            return list(self.records)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def refused_url():
    """A loopback URL where nothing listens: connections are refused."""
    return f"http://127.0.0.1:{free_port()}/send"


# MARK: events

def case_event(i, run, batch=False):
    """A `case.assigned` event whose case number carries its index, so the provider can tell which event a
    message came from. Contacts repeat, as real staff do; numbers are Ethiopian mobiles."""
    person = i % 997
    return {
        "id": f"{run}-{i}",
        "type": "case.assigned",
        "data": {
            "case": {"number": f"H{i:07d}", "title": "Harness case"},
            "assignee": {"id": f"hr-{person}", "phone": f"+2519{person:08d}", "name": "Abebe",
                         "language": ["am", "en"][person % 2]},
            "actor": {"id": "hr-actor", "name": "Selam"},
        },
    }


CASE_TOKEN = re.compile(r"H(\d{7})")


def event_of(text):
    found = CASE_TOKEN.search(text or "")
    return int(found.group(1)) if found else None


def seeded_random(seed):
    return random.Random(seed)


def log(message):
    print(f"  · {message}", file=sys.stderr, flush=True)
