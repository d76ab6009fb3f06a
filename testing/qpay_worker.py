"""Test helpers for the worker and the sandbox as real processes on loopback (no Django here).

The Django-side pytest plugin (testing/qpay.py) builds its fixtures from these.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

import qpay_signing as signing

ROOT = Path(__file__).resolve().parent.parent
SANDBOX_CLIENT_ID = "TEST_MERCHANT"
SANDBOX_CLIENT_SECRET = "sandbox-test-secret"
SANDBOX_INVOICE_CODE = "TEST_INVOICE"

# What the worker and sandbox processes started here print, line by line ("[name] line"), and the
# secrets they were given: the suite-wide log check (testing/logcheck.py) searches both.
OUTPUT: list[str] = []
SECRETS: set[str] = {SANDBOX_CLIENT_SECRET}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, name: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{out}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not become healthy at {url}")


def start_process(module: str, env: dict, health_url: str, name: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(health_url, proc, name)
    except Exception:
        stop_process(proc)
        raise

    # Keep draining output (into OUTPUT) so a chatty process never blocks on a full pipe.
    def drain() -> None:
        for line in iter(proc.stdout.readline, b""):
            OUTPUT.append(f"[{name}] {line.decode(errors='replace').rstrip()}")

    threading.Thread(target=drain, daemon=True).start()
    return proc


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def base_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QPAY_", "WORKER_", "SANDBOX_", "WEB_NOTIFY"))}
    env["PYTHONPATH"] = str(ROOT)
    env["LOG_LEVEL"] = "INFO"  # request lines too: they are kept in OUTPUT and searched for secrets
    return env


def start_on_free_port(start, attempts: int = 3):
    """start(port) on a fresh free port; another process may grab a port between pick and bind."""
    for attempt in range(attempts):
        try:
            return start(free_port())
        except RuntimeError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def start_sandbox(*, token_lifetime: int = 86400) -> tuple[subprocess.Popen, str]:
    return start_on_free_port(lambda port: _start_sandbox(port, token_lifetime))


def _start_sandbox(port: int, token_lifetime: int) -> tuple[subprocess.Popen, str]:
    env = base_env() | {
        "SANDBOX_PORT": str(port),
        "SANDBOX_CLIENT_ID": SANDBOX_CLIENT_ID,
        "SANDBOX_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
        "SANDBOX_INVOICE_CODE": SANDBOX_INVOICE_CODE,
        "SANDBOX_TOKEN_LIFETIME_SECONDS": str(token_lifetime),
    }
    url = f"http://127.0.0.1:{port}"
    return start_process("qpay_worker.sandbox", env, f"{url}/healthz", "sandbox"), url


@dataclass
class QPayStack:
    sandbox_url: str
    worker_url: str
    to_worker_secrets: list[str]  # WEB_TO_WORKER_SECRET: the worker verifies requests with these
    to_web_secrets: list[str]  # WORKER_TO_WEB_SECRET: the worker signs notifications and answers
    callback_secret: str
    processes: list = field(default_factory=list)

    @property
    def qpay_base_url(self) -> str:
        return f"{self.sandbox_url}/v2"

    def calls(self) -> dict[str, int]:
        return requests.get(f"{self.sandbox_url}/sandbox/calls", timeout=5).json()["calls"]

    def checks_of(self, invoice_id: str) -> int:
        """How many payment/check calls the sandbox answered for one invoice."""
        answer = requests.get(f"{self.sandbox_url}/sandbox/calls", timeout=5).json()
        return answer["checksByInvoice"].get(invoice_id, 0)

    def callbacks(self) -> list[dict]:
        return requests.get(f"{self.sandbox_url}/sandbox/calls", timeout=5).json()["callbacks"]

    def pay(self, invoice_id: str, **options) -> requests.Response:
        return requests.post(f"{self.sandbox_url}/sandbox/invoices/{invoice_id}/pay", json=options, timeout=30)

    def callback_url(self, ref: str) -> str:
        from qpay_worker.app import callback_token

        return f"{self.worker_url}/worker/qpay/webhook/{ref}/{callback_token(self.callback_secret, ref)}"

    def worker_config(self, **overrides):
        """A Config equal to the subprocess's, for in-process WorkerApp tests."""
        from qpay_worker.config import Config

        values = dict(
            qpay_base_url=self.qpay_base_url,
            qpay_client_id=SANDBOX_CLIENT_ID,
            qpay_client_secret=SANDBOX_CLIENT_SECRET,
            qpay_invoice_code=SANDBOX_INVOICE_CODE,
            request_secrets=tuple(self.to_worker_secrets),
            notify_secrets=tuple(self.to_web_secrets),
            callback_secrets=(self.callback_secret,),
            public_url=self.worker_url,
            web_notify_url="",
        )
        values.update(overrides)
        return Config(**values)


def start_stack(to_worker_secrets: list[str], to_web_secrets: list[str]) -> QPayStack:
    """Start a sandbox and a worker wired to it; the worker verifies requests with
    `to_worker_secrets` and signs notifications and answers with `to_web_secrets`."""
    sandbox, sandbox_url = start_sandbox()
    callback_secret = secrets.token_urlsafe(32)
    SECRETS.update([callback_secret, *to_worker_secrets, *to_web_secrets])
    try:
        worker, worker_url = start_on_free_port(
            lambda port: _start_worker(port, sandbox_url, to_worker_secrets, to_web_secrets, callback_secret)
        )
    except Exception:
        stop_process(sandbox)
        raise
    return QPayStack(
        sandbox_url=sandbox_url,
        worker_url=worker_url,
        to_worker_secrets=list(to_worker_secrets),
        to_web_secrets=list(to_web_secrets),
        callback_secret=callback_secret,
        processes=[sandbox, worker],
    )


def _start_worker(
    worker_port: int, sandbox_url: str, to_worker: list[str], to_web: list[str], callback_secret: str
) -> tuple[subprocess.Popen, str]:
    worker_url = f"http://127.0.0.1:{worker_port}"
    env = base_env() | {
        "QPAY_BASE_URL": f"{sandbox_url}/v2",
        "QPAY_CLIENT_ID": SANDBOX_CLIENT_ID,
        "QPAY_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
        "QPAY_INVOICE_CODE": SANDBOX_INVOICE_CODE,
        "WEB_TO_WORKER_SECRET": ",".join(to_worker),
        "WORKER_TO_WEB_SECRET": ",".join(to_web),
        "QPAY_CALLBACK_SECRET": callback_secret,
        "WORKER_PUBLIC_URL": worker_url,
        "WORKER_PORT": str(worker_port),
        "WORKER_NOTIFY_BACKOFF_SECONDS": "0.2",
    }
    return start_process("qpay_worker", env, f"{worker_url}/worker/healthz", "worker"), worker_url


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.1):
    """Poll until predicate() is truthy (a bounded wait for another process, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


class ThreadedServer:
    """Serve a WSGI app in a thread on a free loopback port (worker unit tests, fake web app)."""

    def __init__(self, app):
        from wsgiref.simple_server import make_server

        from qpay_worker.server import QuietHandler, ThreadingWSGIServer

        self.httpd = make_server("127.0.0.1", 0, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def forged_variants(
    body: bytes, secrets: list[str], *, direction: str, path: str, other_secrets: list[str] = ()
) -> dict[str, tuple[bytes, dict]]:
    """Ways to get a POST to `path` wrong; `secrets` are the ones the receiver verifies with, and
    `other_secrets` those of the opposite direction (a valid signature, for the wrong hop)."""

    def signed(b: bytes, s=secrets, **kw) -> dict:
        return signing.sign(b, s, **({"direction": direction, "method": "POST", "path": path} | kw))

    good = signed(body)
    flipped = bytearray(body)
    flipped[len(flipped) // 2] ^= 0x01
    other = signed(body + b" ")
    reverse = {signing.TO_WORKER: signing.TO_WEB, signing.TO_WEB: signing.TO_WORKER}.get(direction, signing.TO_WEB)
    swapped = dict(good)
    swapped[signing.ID_HEADER], swapped[signing.TIMESTAMP_HEADER] = (
        good[signing.TIMESTAMP_HEADER],
        good[signing.ID_HEADER],
    )
    return {
        "wrong secret": (body, signed(body, ["not-the-secret"])),
        "signed for another path": (body, signed(body, path=path + "-other")),
        "signed for another method": (body, signed(body, method="PUT")),
        "signed for the other direction": (body, signed(body, direction=reverse)),
        "signed as an answer": (body, signed(body, direction=signing.ANSWER)),
        "the other direction's secret": (body, signed(body, list(other_secrets) or ["x-other-secret"])),
        "old v1 scheme": (
            body,
            {**good, signing.SIGNATURE_HEADER: good[signing.SIGNATURE_HEADER].replace("v2,", "v1,")},
        ),
        "one body byte flipped": (bytes(flipped), good),
        "signature of another body": (body, {**good, signing.SIGNATURE_HEADER: other[signing.SIGNATURE_HEADER]}),
        "missing header": (body, {k: v for k, v in good.items() if k != signing.SIGNATURE_HEADER}),
        "empty v2": (body, {**good, signing.SIGNATURE_HEADER: "v2,"}),
        "unknown scheme only": (
            body,
            {**good, signing.SIGNATURE_HEADER: good[signing.SIGNATURE_HEADER].replace("v2,", "v0,")},
        ),
        "not base64": (body, {**good, signing.SIGNATURE_HEADER: "v2,!!!not-base64!!!"}),
        "id and timestamp swapped": (body, swapped),
    }
