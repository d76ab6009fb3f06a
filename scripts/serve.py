"""`make serve`: the product in its production shape on this machine (docs/deploy.md §5).

    python scripts/devenv.py -- python scripts/serve.py [--instances 2] [--check]

gunicorn with gthread workers (gunicorn.conf.py: WEB_WORKERS x WEB_THREADS from the settings),
DEBUG off, static files collected and served hashed (STATIC_MANIFEST), Django's psycopg
connection pool (DB_POOL_MAX_SIZE, default WEB_THREADS), Redis as the cache, the job worker, the
QPay worker under gunicorn, and the development stand-ins (QPay sandbox, S3 server). With
`--instances 2`: two web instances on two ports and two job workers, sharing PostgreSQL and Redis,
as two machines would run them.

Redis: REDIS_URL when it is set; otherwise the script asks 127.0.0.1:6379 for a PING and uses
`redis://127.0.0.1:6379/SERVE_REDIS_DB` (default 0) when it answers; with no Redis it stops with
a message (production settings need one shared cache: throttles and replay checks). The public
answers' store (PUBLIC_CACHE_URL) defaults to the next database of that Redis. The database
is devenv's (DATABASE_URL), or the database named by SERVE_DATABASE in the same server (the
benchmark's scale data: SERVE_DATABASE=inkbook_scale). Ports: PORT (web; the second instance
PORT+1), WORKER_PORT, SANDBOX_PORT; any that is taken is replaced by a free one. The URLs in use
are written to .data/serve.json for the load scripts. `--check` prints the settings and exits.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pick(port: int, taken: set[int]) -> int:
    while port in taken or not port_free(port):
        port = free_port()
    taken.add(port)
    return port


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def serve_env(env: dict[str, str], *, instances: int) -> tuple[dict[str, str], dict[str, object]]:
    """The environment of every served process, and the URLs (for .data/serve.json)."""
    env = dict(env)
    if env.get("SERVE_DATABASE"):
        env["DATABASE_URL"] = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(path="/" + env["SERVE_DATABASE"]))
    if not env.get("REDIS_URL"):
        if not redis_answers():
            sys.exit(
                "serve: no REDIS_URL and no Redis answering on 127.0.0.1:6379; production settings need one "
                "shared cache (throttles, replay checks). Start Redis or set REDIS_URL."
            )
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{env.get('SERVE_REDIS_DB', '0')}"
    if not env.get("PUBLIC_CACHE_URL"):
        # The rendered public answers need a store of their own (docs/deploy.md, "Redis"); on this
        # machine the next database of the same Redis (production: its own bounded instance).
        parts = urlsplit(env["REDIS_URL"])
        db = int(parts.path.strip("/") or 0)
        env["PUBLIC_CACHE_URL"] = urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))
    taken: set[int] = set()
    web_ports = [pick(int(env.get("PORT", "8000")), taken)]
    for _ in range(1, instances):
        web_ports.append(pick(web_ports[-1] + 1, taken))
    worker_port = pick(int(env.get("WORKER_PORT", "8001")), taken)
    sandbox_port = pick(int(env.get("SANDBOX_PORT", "8002")), taken)
    web = [f"http://127.0.0.1:{p}" for p in web_ports]
    env.update(
        DEBUG="false",
        HTTPS="false",  # plain http on loopback; a real deployment terminates TLS at the proxy
        FAST_PASSWORD_HASHER="false",
        LOCAL_MEMORY_CACHE="false",
        STATIC_MANIFEST="true",
        TRUSTED_PROXY_COUNT=env.get("TRUSTED_PROXY_COUNT", "0"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PORT=str(web_ports[0]),
        SITE_URL=web[0],
        WORKER_PORT=str(worker_port),
        SANDBOX_PORT=str(sandbox_port),
        QPAY_BASE_URL=f"http://127.0.0.1:{sandbox_port}/v2",
        WORKER_PUBLIC_URL=f"http://127.0.0.1:{worker_port}",
        QPAY_WORKER_URL=f"http://127.0.0.1:{worker_port}",
        # Several worker processes: each must know where to notify (docs/deploy.md §5).
        WEB_NOTIFY_URL=f"{web[0]}/api/payments/notify",
    )
    env.setdefault("WEB_WORKERS", "2")
    env.setdefault("WEB_THREADS", "4")
    env.setdefault("DB_POOL_MAX_SIZE", env["WEB_THREADS"])
    urls = {"web": web, "worker": env["QPAY_WORKER_URL"], "sandbox": f"http://127.0.0.1:{sandbox_port}"}
    return env, urls


def procfile(instances: int, web_ports: list[int], worker_port: int) -> str:
    lines = [f"web{i + 1}: gunicorn -c gunicorn.conf.py --bind 127.0.0.1:{p}" for i, p in enumerate(web_ports)]
    lines += [f"jobs{i + 1}: python manage.py procrastinate worker --name serve-{i + 1}" for i in range(instances)]
    lines += [
        f"worker: gunicorn qpay_worker.app:application --bind 127.0.0.1:{worker_port} --workers 2 --threads 4 "
        "--no-control-socket",
        "sandbox: python -m qpay_worker.sandbox",
        "storage: node scripts/s3-dev-server.js",
        # Mail goes to the local catcher, as with `make run` (the Procfile's own line): without a
        # server every send would fail and be retried, and the job worker's CPU would measure that.
        next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("mail:")),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the production shape on this machine")
    parser.add_argument("--instances", type=int, default=int(os.environ.get("SERVE_INSTANCES", "1")))
    parser.add_argument("--check", action="store_true", help="print the settings in force and exit")
    args = parser.parse_args(argv)
    env, urls = serve_env(dict(os.environ), instances=args.instances)
    run = {"cwd": ROOT, "env": env, "check": True}
    if args.check:
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.conf import settings as s; import json; "
                "print(json.dumps({'DEBUG': s.DEBUG, 'cache': s.CACHES['default']['BACKEND'], "
                "'pool': s.DATABASES['default']['OPTIONS'].get('pool', {}).get('max_size'), "
                "'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE'], 'workers': s.WEB_WORKERS, "
                "'threads': s.WEB_THREADS, 'static': s.STORAGES['staticfiles']['BACKEND']}))",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            env={**env, "DJANGO_SETTINGS_MODULE": "tattoo.settings"},
        )
        print(json.dumps({"settings": json.loads(out.stdout), "urls": urls}))
        return 0
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], **run)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], **run)
    web_ports = [int(urlsplit(u).port) for u in urls["web"]]
    path = DATA / "Procfile.serve"
    path.write_text(procfile(args.instances, web_ports, int(env["WORKER_PORT"])))
    (DATA / "serve.json").write_text(json.dumps({**urls, "database": urlsplit(env["DATABASE_URL"]).path[1:]}))
    print(
        f"serve: {', '.join(urls['web'])} (redis {env['REDIS_URL']}, database {urlsplit(env['DATABASE_URL']).path[1:]})"
    )
    os.execvpe("honcho", ["honcho", "-f", str(path), "-d", str(ROOT), "start"], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
