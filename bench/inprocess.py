"""Public reads in-process: each WSGI callable called in a loop, no HTTP, no client.

    python scripts/devenv.py --test -- python -m bench.inprocess

Seeds the same data as bench/reads.py, then times the app's WSGI entry point
(tattoo.wsgi:application, Django's handler) against bench/raw_app.py on one thread, in µs per
request. Without gunicorn, the client and the TCP connection this shows what each answer itself
costs, which is where the ratios of bench/reads.py come from. It also prints how a portfolio miss
is split (version lookup, count and page queries, serializer, renderer).
"""

from __future__ import annotations

import os
import sys
import time

from bench.common import app_env, header, miss_host, recreate_database, say
from bench.seed import seed

N = int(os.environ.get("BENCH_INPROCESS_N", "2000"))


def environ(path: str, host: str = "127.0.0.1") -> dict:
    from testing.wsgi import environ_for

    return environ_for(path, host=host)


def per_call(fn, n: int) -> float:
    for _ in range(min(20, n)):
        fn(0)
    started = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - started) / n * 1e6


def main() -> int:
    header("reads in-process: WSGI callables in a loop")
    db_url = recreate_database()
    seed(db_url)
    os.environ.update(app_env(db_url), DJANGO_SETTINGS_MODULE="tattoo.settings")
    import logging

    import bench.raw_app as raw
    from tattoo.wsgi import application

    # The request log lines are written (their cost is part of each answer) to /dev/null.
    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    for logger in (logging.getLogger(), *(logging.getLogger(n) for n in logging.root.manager.loggerDict)):
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
    statuses: dict[str, set[str]] = {}

    def call(app, label: str, path: str):
        def fn(i: int) -> None:
            def start_response(status, headers, exc_info=None):
                statuses.setdefault(label, set()).add(status[:3])

            # a miss: a host of its own per call, which the public cache has never seen
            result = app(environ(path, miss_host(i)) if "miss" in label else environ(path), start_response)
            b"".join(result)
            if hasattr(result, "close"):
                result.close()

        return fn

    cases = [
        ("raw portfolio", raw.application, "/api/portfolio/3"),
        ("app portfolio hit", application, "/api/portfolio/3"),
        ("app portfolio miss", application, "/api/portfolio/3"),
        ("raw artist list ?style=", raw.application, "/api/tattooists?style=koi"),
        ("app artist list hit", application, "/api/tattooists?style=koi"),
        ("app artist list miss", application, "/api/tattooists?style=koi"),
        ("raw availability", raw.application, "/api/availability/3"),
        ("app availability hit", application, "/api/availability/3"),
    ]
    say(f"   {N} calls each (misses: {N // 2}), µs per request")
    for label, app, path in cases:
        us = per_call(call(app, label, path), N // 2 if "miss" in label else N)
        say(f"  {label:28} {us:8.0f} µs   statuses {sorted(statuses[label])}")

    from portfolio import selectors
    from portfolio.serializers import PortfolioItemSerializer
    from tattoo.core import http_cache
    from tattoo.core.renderers import CamelCaseJSONRenderer

    items = list(selectors.portfolio_public(tattooist_id=3)[:20])
    data = {"count": 40, "next": None, "previous": None, "results": PortfolioItemSerializer(items, many=True).data}
    say("   a portfolio miss, split:")
    parts = [
        ("version lookup", lambda i: http_cache.versions(["artist:3"])),
        ("count query", lambda i: selectors.portfolio_public(tattooist_id=3).count()),
        ("page query", lambda i: list(selectors.portfolio_public(tattooist_id=3)[:20])),
        ("serializer (20 items)", lambda i: PortfolioItemSerializer(items, many=True).data),
        ("renderer (camelCase JSON)", lambda i: CamelCaseJSONRenderer().render(data)),
    ]
    for label, fn in parts:
        say(f"  {label:28} {per_call(fn, N):8.0f} µs")
    bad = {label: s for label, s in statuses.items() if s != {"200"}}
    if bad:
        say(f"   unexpected statuses: {bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
