"""The real local S3 server (scripts/s3-dev-server.js) for tests, and a wrapper for dev commands.

pytest plugin (registered in the root conftest.py with ``pytest_plugins``):

* ``s3_server`` (session fixture): starts the Node server once per test process (so once per
  pytest-xdist worker) on a free loopback port with an empty data directory, and points
  ``settings.S3_ENDPOINT_URL``/``S3_PUBLIC_BASE_URL`` (and the CSP's connect-src/img-src) at it
  for the rest of the session. It uses
  the key pair from settings (scripts/devenv.py --test exports it). Browser origins
  ``http://127.0.0.1:*`` and ``http://localhost:*`` may PUT (CORS), so a live_server works.
  Missing node or ``npm ci`` → the test errors, loudly.
* ``upload_via_presign(client, folder=..., body=...)``: asks our presign endpoint for a URL, then
  PUTs the bytes over real HTTP exactly as a browser would → ``Upload`` (in the private bucket).
* ``presign_request(client, ...)``, ``presigned_put(user, body)``: our presign endpoint's answer,
  without the PUT.
* ``png_bytes()``: a small valid PNG.

Command line (``make run`` seeds through it so the demo image lands in the dev bucket):
``python -m testing.s3 -- COMMAND...`` runs COMMAND with the dev server up, unless one
already answers on S3_PORT.
"""

from __future__ import annotations

import copy
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from testing.qpay_worker import stop_process

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "scripts" / "s3-dev-server.js"
PACKAGE = ROOT / "node_modules" / "@20minutes" / "s3rver"
TEST_ORIGINS = "http://127.0.0.1:*,http://localhost:*,http://testserver"


class S3ServerMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # http://127.0.0.1:<port>, what the boto3 client signs for
    bucket: str
    public_base_url: str  # {endpoint}/{bucket}
    data_dir: Path
    cors_origins: str
    private_bucket: str = "inkbook-private"  # uploads and private images: no unsigned read

    def object_url(self, key: str) -> str:
        return f"{self.public_base_url}/{key}"

    def private_object_url(self, key: str) -> str:
        """The bare (unsigned) URL of an object in the private bucket: refused, as R2 refuses it."""
        return f"{self.endpoint}/{self.private_bucket}/{key}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def check_installed() -> str:
    node = shutil.which("node")
    if not node:
        raise S3ServerMissing(
            "node is not on PATH: the local S3 server (scripts/s3-dev-server.js) needs Node.js >= 20."
        )
    if not PACKAGE.is_dir():
        raise S3ServerMissing(
            f"{PACKAGE.relative_to(ROOT)} is missing: run `make install` (it runs `npm ci`) in {ROOT}."
        )
    return node


def start_server(*, port: int, data_dir: Path, env: dict[str, str], log_path: Path, timeout: float = 20.0):
    """Start the launcher and wait until it accepts connections → Popen. Raises with its log."""
    node = check_installed()
    log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the process
    proc = subprocess.Popen(
        [node, str(LAUNCHER)],
        cwd=ROOT,
        env={**os.environ, **env, "S3_PORT": str(port), "S3_HOST": "127.0.0.1", "S3_DATA_DIR": str(data_dir)},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log.close()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if _answers("127.0.0.1", port):
            return proc
        time.sleep(0.05)
    stop_process(proc)
    raise S3ServerMissing(
        f"the local S3 server did not start on 127.0.0.1:{port} (exit code {proc.returncode}):\n"
        + log_path.read_text(errors="replace")[-4000:]
    )


# --- pytest ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    from django.conf import settings
    from django.test import override_settings

    data_dir = tmp_path_factory.mktemp("s3-data")
    port = free_port()
    bucket = settings.S3_BUCKET
    env = {
        "S3_ACCESS_KEY_ID": settings.S3_ACCESS_KEY_ID,
        "S3_SECRET_ACCESS_KEY": settings.S3_SECRET_ACCESS_KEY,
        "S3_BUCKET": bucket,
        "S3_PRIVATE_BUCKET": settings.S3_PRIVATE_BUCKET,
        "S3_CORS_ORIGINS": TEST_ORIGINS,
        "S3_PUBLIC_READ": "1",
    }
    try:
        proc = start_server(port=port, data_dir=data_dir, env=env, log_path=data_dir.parent / f"s3-{port}.log")
    except S3ServerMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    endpoint = f"http://127.0.0.1:{port}"
    server = S3Server(
        endpoint=endpoint,
        bucket=bucket,
        public_base_url=f"{endpoint}/{bucket}",
        data_dir=data_dir,
        cors_origins=TEST_ORIGINS,
        private_bucket=settings.S3_PRIVATE_BUCKET,
    )
    overrides = {"S3_ENDPOINT_URL": server.endpoint, "S3_PUBLIC_BASE_URL": server.public_base_url}
    # Pages under test (live_server + browser) may PUT to and show images from this server.
    csp = copy.deepcopy(getattr(settings, "CONTENT_SECURITY_POLICY", None))
    if csp and "DIRECTIVES" in csp:
        for directive in ("connect-src", "img-src"):
            csp["DIRECTIVES"][directive] = [*csp["DIRECTIVES"].get(directive, []), server.endpoint]
        overrides["CONTENT_SECURITY_POLICY"] = csp
    # Session-wide: a session fixture is set up before any test's own `settings` changes, so
    # those stack on top of this and are undone without touching it.
    override = override_settings(**overrides)
    override.enable()
    try:
        yield server
    finally:
        override.disable()
        stop_process(proc)


def http() -> requests.Session:
    """A requests session that talks to loopback directly (no proxy from the environment)."""
    session = requests.Session()
    session.trust_env = False
    return session


def png_bytes(width: int = 8, height: int = 8, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


@dataclass
class Upload:
    presign: dict  # the presign endpoint's JSON: uploadUrl, publicUrl, key, expiresAt, headers
    put: requests.Response  # the bucket's answer to the PUT
    body: bytes

    @property
    def public_url(self) -> str:
        return self.presign["publicUrl"]

    @property
    def key(self) -> str:
        return self.presign["key"]

    @property
    def attached_key(self) -> str:
        """The key a record attached to this upload keeps (its re-encoded copy: tattoo/core/images.py)."""
        from tattoo.core import images

        return images.served_key(self.key)

    @property
    def attached_url(self) -> str:
        """The URL a record attached to this upload stores: public, or for a private kind (ideas)
        the bare private URL, which is refused without a signature."""
        from tattoo.core import images

        return images.stored_url(images.kind_named(self.key.split("/", 1)[0]), self.attached_key)


def upload_via_presign(
    client,
    *,
    folder: str,
    body: bytes | None = None,
    filename: str = "photo.png",
    content_type: str = "image/png",
    check: bool = True,
) -> Upload:
    """Presign through our API with `client` (an APIClient), then PUT `body` to the bucket over HTTP.

    The ``s3_server`` fixture must be active. With check=True both steps must succeed.
    """
    body = png_bytes() if body is None else body
    response = client.post(
        "/api/upload/presign",
        {"filename": filename, "contentType": content_type, "folder": folder, "size": len(body)},
        format="json",
    )
    assert response.status_code == 200, response.content
    presign = response.json()
    put = http().put(presign["uploadUrl"], data=body, headers=presign["headers"], timeout=30)
    if check:
        assert put.status_code == 200, put.text
    return Upload(presign=presign, put=put, body=body)


def presign_request(client, **fields):
    """POST our presign endpoint with `client` (an APIClient) → the response: a 100-byte PNG
    ``rose.png`` for ``ideas`` unless `fields` (its camelCase names) say otherwise; a field given
    as None is left out."""
    body = {"filename": "rose.png", "contentType": "image/png", "folder": "ideas", "size": 100, **fields}
    return client.post("/api/upload/presign", {k: v for k, v in body.items() if v is not None}, format="json")


def presigned_put(user, body: bytes, **fields) -> dict:
    """The presign endpoint's JSON for `user` to PUT `body` (asserted to be a 200), without the PUT."""
    from testing.clients import client_for

    response = presign_request(client_for(user), size=len(body), **fields)
    assert response.status_code == 200, response.content
    return response.json()


# --- command line: run a dev command with the server up ------------------------------------


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m testing.s3 -- COMMAND...", file=sys.stderr)  # noqa: T201
        return 2
    port = int(os.environ.get("S3_PORT", "9000"))
    proc = None
    if not _answers("127.0.0.1", port):
        data_dir = Path(os.environ.get("S3_DATA_DIR") or ROOT / ".data" / "s3")
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            proc = start_server(
                port=port, data_dir=data_dir, env={}, log_path=Path(tempfile.gettempdir()) / f"inkbook-s3-{port}.log"
            )
        except S3ServerMissing as exc:
            print(f"warning: {exc}; running without the storage server", file=sys.stderr)  # noqa: T201
    try:
        return subprocess.call(argv)
    finally:
        if proc is not None:
            stop_process(proc)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
