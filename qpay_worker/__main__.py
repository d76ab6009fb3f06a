"""``python -m qpay_worker``: serve the worker for development (production: gunicorn)."""

from __future__ import annotations

import logging
import os
import sys

from qpay_worker.app import WorkerApp
from qpay_worker.config import Config, ConfigError
from qpay_worker.server import serve


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"[worker] configuration error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    serve(WorkerApp(config), host=os.environ.get("WORKER_HOST", "127.0.0.1"), port=config.port, name="worker")
    return 0


if __name__ == "__main__":
    sys.exit(main())
