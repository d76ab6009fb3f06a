"""Shared benchmark plumbing: a throwaway database, gunicorn servers on loopback, a load client.

Everything is bounded: each load phase stops at a time limit or a request count, whichever comes
first, and every server is stopped by its process id.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
LOGS = ROOT / ".data" / "bench"
BENCH_DB = "inkbook_bench"


def say(msg: str) -> None:
    print(msg, flush=True)


def bench_db_url() -> str:
    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit("DATABASE_URL is not set: run through `make bench` (scripts/devenv.py)")
    return urlunsplit(urlsplit(base)._replace(path=f"/{BENCH_DB}"))


def admin_url() -> str:
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))


def recreate_database() -> str:
    """Drop and create the benchmark database, migrate it, and return its URL."""
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    url = bench_db_url()
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=app_env(url),
        check=True,
    )
    return url


# The public cache keys a stored answer on the request's host (tattoo/core/http_cache.py, etag_for)
# and drops undeclared query parameters, so a request on a host of its own is a real miss: the whole
# view runs. `?miss=N` would not be (the cache ignores it).
MISS_DOMAIN = "miss.bench"


def miss_host(n: int) -> str:
    return f"m{n}.{MISS_DOMAIN}"


def app_env(db_url: str, **extra: str) -> dict[str, str]:
    """Production-like settings, served over plain http on loopback."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        DEBUG="false",
        HTTPS="false",
        # MISS_HOSTS: a host name per request, to measure the public cache's misses (miss_host).
        ALLOWED_HOSTS=f"127.0.0.1,localhost,.{MISS_DOMAIN}",
        STATIC_MANIFEST="false",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str], *, workers: int = 2, name: str, threads: int = 1):
    """Serve `app` (module:callable) on a free loopback port; yields the base URL."""
    LOGS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = open(LOGS / f"{name}.log", "w")  # noqa: SIM115 - closed below
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "60",
        app,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited early; see {LOGS / (name + '.log')}")
            try:
                requests.get(base + "/healthz", timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start in 30 s") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    elapsed: float = 0.0

    def merge(self, other: Stats) -> None:
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.elapsed += other.elapsed

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self, label: str) -> str:
        codes = " ".join(f"{k}:{v}" for k, v in sorted(self.statuses.items()))
        return (
            f"  {label:<34} {self.rps:8.1f} req/s   p50 {self.pct(50):6.1f} ms   p99 {self.pct(99):6.1f} ms"
            f"   n={len(self.latencies)} [{codes}]"
        )


def load(
    base: str,
    paths: list[str],
    *,
    seconds: float,
    max_requests: int,
    concurrency: int,
    conditional: bool = False,
    miss: bool = False,
) -> Stats:
    """Keep-alive GETs from `concurrency` threads until `seconds` pass or `max_requests` are sent.

    conditional=True behaves like a browser or CDN: it remembers each path's ETag and revalidates
    with If-None-Match. miss=True sends each request with a Host of its own (miss_host), so the
    public cache has never seen it.
    """
    stats = Stats()
    lock = threading.Lock()
    counter = iter(range(max_requests))
    stop_at = time.monotonic() + seconds

    host, port = urlsplit(base).hostname, urlsplit(base).port

    def worker(offset: int) -> None:
        # http.client, not requests: requests spends ~0.3 ms of client CPU per call, which on two
        # shared cores made the client the ceiling for every fast answer (app and raw alike).
        conn = http.client.HTTPConnection(host, port, timeout=30)
        etags: dict[str, str] = {}
        mine = Stats()
        while time.monotonic() < stop_at:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            path = paths[(n + offset) % len(paths)]
            headers = {"If-None-Match": etags[path]} if conditional and path in etags else {}
            if miss:
                headers["Host"] = miss_host(n)
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            r.read()
            mine.latencies.append(time.perf_counter() - t0)
            mine.statuses[r.status] += 1
            if conditional:
                etag = r.getheader("ETag")
                if etag:
                    etags[path] = etag
            if r.will_close:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.close()
        with lock:
            stats.latencies += mine.latencies
            stats.statuses.update(mine.statuses)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i * 7,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats.elapsed = time.perf_counter() - started
    return stats


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def header(title: str) -> None:
    say(f"== {title}")
    say(f"   date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {git_commit()}, cores {os.cpu_count()}")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
