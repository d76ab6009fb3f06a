#!/usr/bin/env python3
"""Run a command inside the project's embedded development environment.

    python scripts/devenv.py [--test] -- COMMAND...

* Secrets: generated once into .data/dev.env (never committed) and exported, unless the
  environment already sets them.
* Storage: S3_* settings shared by the web app and the local S3 server (scripts/s3-dev-server.js),
  so both sides use the same key pair, port and bucket.
* PostgreSQL: when DATABASE_URL is not set, a project-local cluster in .data/postgres is
  created with the machine's PostgreSQL binaries (initdb), started on a free loopback port and
  reused on later runs; DATABASE_URL is then exported for the command.

Standard library only: it runs before the virtualenv's packages matter.
"""

from __future__ import annotations

import base64
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
PGDATA = DATA / "postgres"
PGSOCK = DATA / "pgsock"
DEV_ENV = DATA / "dev.env"
PG_DB = "inkbook"

SECRET_NAMES = (
    "SECRET_KEY",
    "JWT_SIGNING_KEY",
    "WEB_TO_WORKER_SECRET",
    "WORKER_TO_WEB_SECRET",
    "QPAY_CALLBACK_SECRET",
    "FIELD_ENCRYPTION_KEYS",
)


def generated_secret(name: str) -> str:
    if name == "FIELD_ENCRYPTION_KEYS":
        # a Fernet key: 32 random bytes, URL-safe base64 (tattoo/core/crypto.py)
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return secrets.token_urlsafe(48)


def log(msg: str) -> None:
    print(f"[devenv] {msg}", file=sys.stderr, flush=True)


def fail(msg: str) -> None:
    print(f"[devenv] error: {msg}", file=sys.stderr)
    sys.exit(2)


def load_dev_env() -> dict[str, str]:
    DATA.mkdir(exist_ok=True)
    values: dict[str, str] = {}
    if DEV_ENV.exists():
        for line in DEV_ENV.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                values[k] = v
    changed = False
    for name in SECRET_NAMES:
        if name not in values:
            values[name] = generated_secret(name)
            changed = True
    if changed:
        DEV_ENV.write_text(
            "# Generated development secrets (scripts/devenv.py). Not for production; never commit.\n"
            + "".join(f"{k}={v}\n" for k, v in sorted(values.items()))
        )
        DEV_ENV.chmod(0o600)
    return values


def pg_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for path in reversed(candidates):
        if (Path(path) / "initdb").exists():
            return Path(path)
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    fail(
        "no PostgreSQL server binaries (initdb, pg_ctl) found.\n"
        "  Install them (Debian/Ubuntu: `sudo apt-get install postgresql`; macOS: `brew install postgresql@15`)\n"
        "  or set DATABASE_URL=postgres://USER:PASS@HOST:PORT/DB to use an existing PostgreSQL 15+ server."
    )
    raise AssertionError  # unreachable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: run its binaries as the `postgres` user then."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        fail("running as root and there is no `postgres` user to run the server as")
    return ["runuser", "-u", "postgres", "--"]


def make_traversable_for_postgres(path: Path) -> None:
    """As root, the cluster runs as `postgres`, which must be able to reach the project folder.

    A checkout inside a private folder (mktemp -d makes mode 700) would lock it out, so give
    ancestors search permission (x, not read) where they lack it.
    """
    if os.geteuid() != 0:
        return
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            os.chmod(parent, mode | 0o001)


def pg_running(bindir: Path, runas: list[str]) -> bool:
    r = subprocess.run([*runas, str(bindir / "pg_ctl"), "-D", str(PGDATA), "status"], capture_output=True)
    return r.returncode == 0


def ensure_postgres() -> str:
    bindir = pg_bindir()
    runas = as_postgres_user()
    DATA.mkdir(exist_ok=True)
    make_traversable_for_postgres(DATA)
    port_file = DATA / "postgres.port"
    if not (PGDATA / "PG_VERSION").exists():
        log(f"creating a project-local PostgreSQL cluster in {PGDATA}")
        PGDATA.mkdir(parents=True, exist_ok=True)
        if runas:
            shutil.chown(PGDATA, "postgres", "postgres")
        subprocess.run(
            [
                *runas,
                str(bindir / "initdb"),
                "-D",
                str(PGDATA),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    PGSOCK.mkdir(exist_ok=True)
    if runas:
        shutil.chown(PGSOCK, "postgres", "postgres")
    if not pg_running(bindir, runas):
        port = free_port()
        port_file.write_text(str(port))
        opts = (
            f"-p {port} -k {PGSOCK} -c listen_addresses=127.0.0.1 -c max_connections=200 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB"
        )
        log(f"starting PostgreSQL on 127.0.0.1:{port}")
        subprocess.run(
            [
                *runas,
                str(bindir / "pg_ctl"),
                "-D",
                str(PGDATA),
                "-l",
                str(PGDATA / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                opts,
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    port = int(port_file.read_text())
    # Create the application database once.
    psql = [*runas, str(bindir.parent / "bin" / "psql")] if (bindir / "psql").exists() else [*runas, "psql"]
    base = [*psql, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qtAX"]
    for _ in range(50):
        r = subprocess.run(
            [*base, "-d", "postgres", "-c", f"SELECT 1 FROM pg_database WHERE datname='{PG_DB}'"],
            capture_output=True,
            text=True,
        )
        if r.returncode == 0:
            break
        time.sleep(0.2)
    else:
        fail(f"PostgreSQL did not answer on port {port}: {r.stderr.strip()} (see {PGDATA / 'server.log'})")
    if r.stdout.strip() != "1":
        subprocess.run([*base, "-d", "postgres", "-c", f"CREATE DATABASE {PG_DB}"], check=True)
    return f"postgres://postgres@127.0.0.1:{port}/{PG_DB}"


def stop_postgres() -> None:
    if not (PGDATA / "PG_VERSION").exists():
        return
    bindir = pg_bindir()
    runas = as_postgres_user()
    if pg_running(bindir, runas):
        subprocess.run([*runas, str(bindir / "pg_ctl"), "-D", str(PGDATA), "-m", "fast", "stop"], check=False)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def storage_env(env: dict[str, str], *, test: bool) -> None:
    """S3_* for the web app and the local S3 server (scripts/s3-dev-server.js): one source, so they agree."""
    if test:
        env.setdefault("S3_ACCESS_KEY_ID", "testkey")
        env.setdefault("S3_SECRET_ACCESS_KEY", "testsecret-" + env["SECRET_KEY"][:16])
        # Tests start their own server per process (testing/s3.py, fixture s3_server) and point
        # settings at it. Until then the endpoint is a port nothing listens on, so a stray bucket call
        # fails fast instead of reaching a development bucket.
        env.setdefault("S3_ENDPOINT_URL", "http://127.0.0.1:1")
        return
    env.setdefault("S3_ACCESS_KEY_ID", "devkey")
    env.setdefault("S3_SECRET_ACCESS_KEY", "devsecret")
    if not env.get("S3_PORT"):
        # Chosen once and kept: seeded rows store public URLs that include this port.
        port_file = DATA / "s3.port"
        if port_file.exists():
            env["S3_PORT"] = port_file.read_text().strip()
        else:
            env["S3_PORT"] = "9000" if port_free(9000) else str(free_port())
            port_file.write_text(env["S3_PORT"])
    env.setdefault("S3_ENDPOINT_URL", f"http://127.0.0.1:{env['S3_PORT']}")
    env.setdefault("S3_DATA_DIR", str(DATA / "s3"))
    site_port = env.get("PORT", "8000")
    env.setdefault("S3_CORS_ORIGINS", f"http://127.0.0.1:{site_port},http://localhost:{site_port}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["stop-db"]:
        stop_postgres()
        return 0
    flags = []
    while argv and argv[0].startswith("--"):
        flag = argv.pop(0)
        if flag == "--":
            break
        flags.append(flag)
    cmd = argv
    env = dict(os.environ)
    for key, value in load_dev_env().items():
        env.setdefault(key, value)
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = ensure_postgres()
    # The QPay worker and its sandbox (Procfile `worker:`/`sandbox:`): local defaults so `make run`
    # needs no configuration. The sandbox accepts exactly the client id/secret the worker sends.
    env.setdefault("PORT", "8000")
    env.setdefault("SANDBOX_PORT", "8002")
    env.setdefault("SANDBOX_CLIENT_ID", "TEST_MERCHANT")
    env.setdefault("SANDBOX_CLIENT_SECRET", "sandbox-secret")
    env.setdefault("SANDBOX_INVOICE_CODE", "TEST_INVOICE")
    env.setdefault("QPAY_BASE_URL", f"http://127.0.0.1:{env['SANDBOX_PORT']}/v2")
    env.setdefault("QPAY_CLIENT_ID", env["SANDBOX_CLIENT_ID"])
    env.setdefault("QPAY_CLIENT_SECRET", env["SANDBOX_CLIENT_SECRET"])
    env.setdefault("QPAY_INVOICE_CODE", env["SANDBOX_INVOICE_CODE"])
    env.setdefault("WORKER_PORT", "8001")
    env.setdefault("WORKER_PUBLIC_URL", f"http://127.0.0.1:{env['WORKER_PORT']}")
    env.setdefault("QPAY_WORKER_URL", f"http://127.0.0.1:{env['WORKER_PORT']}")
    env.setdefault("WEB_NOTIFY_URL", f"http://127.0.0.1:{env['PORT']}/api/payments/notify")
    # The local mail catcher (Procfile `mail:`, maildev): SMTP on MAIL_PORT, inbox on MAIL_UI_PORT.
    env.setdefault("MAIL_PORT", "1025")
    env.setdefault("MAIL_UI_PORT", "1080")
    env.setdefault("EMAIL_HOST", "127.0.0.1")
    env.setdefault("EMAIL_PORT", env["MAIL_PORT"])
    env.setdefault("EMAIL_USE_TLS", "false")
    env.setdefault("DEFAULT_FROM_EMAIL", "Inkbook <no-reply@inkbook.test>")
    if "--test" in flags:
        # Test runs: production-like settings served over plain http on loopback.
        env.setdefault("DEBUG", "false")
        env.setdefault("HTTPS", "false")
        env.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
        env.setdefault("FAST_PASSWORD_HASHER", "true")
        env.setdefault("STATIC_MANIFEST", "false")
        # Production-like settings require these outside DEBUG (docs/security.md): say them.
        env.setdefault("SITE_URL", f"http://127.0.0.1:{env['PORT']}")
        env.setdefault("TRUSTED_PROXY_COUNT", "0")
        env.setdefault("LOCAL_MEMORY_CACHE", "true")  # each test process is the only server of its data
        # The suite starts many Python processes (xdist workers, the stack's gunicorn, job and QPay
        # workers, manage.py). With PYTHONDONTWRITEBYTECODE set (some shells and CI images set it)
        # each compiles ~200 project modules from source again (~0.3 s CPU per Django start, measured
        # in docs/development.md) and pytest re-rewrites every test module in every worker.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env.setdefault("DEBUG", "true")
        # honcho hands the first Procfile process $PORT (default 5000); the README promises 8000.
        env.setdefault("PORT", "8000")
        # Payment return links and the notify URL follow the web port when it is overridden.
        env.setdefault("SITE_URL", f"http://127.0.0.1:{env['PORT']}")
    storage_env(env, test="--test" in flags)
    if not cmd:
        print(env["DATABASE_URL"])
        return 0
    venv_bin = ROOT / ".venv" / "bin"
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    os.execvpe(cmd[0], cmd, env)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
