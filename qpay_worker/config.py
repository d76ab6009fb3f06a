"""Worker configuration, read once from the environment (no Django here)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from qpay_signing import check_separate, parse_secrets


class ConfigError(Exception):
    pass


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        path = os.environ.get(f"{name}_FILE")
        if path:
            with open(path) as fh:
                value = fh.read().strip()
    if not value:
        raise ConfigError(f"{name} must be set")
    return value


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None


@dataclass(frozen=True)
class Config:
    qpay_base_url: str
    qpay_client_id: str
    qpay_client_secret: str
    qpay_invoice_code: str
    request_secrets: tuple[str, ...]  # WEB_TO_WORKER_SECRET: verify the web app's requests
    notify_secrets: tuple[str, ...]  # WORKER_TO_WEB_SECRET: sign notifications and answers (the first)
    callback_secrets: tuple[str, ...]  # per-invoice callback tokens; the first mints
    public_url: str  # where QPay reaches this worker
    web_notify_url: str  # the web app's /api/payments/notify ("" = use the one each invoice request names)
    port: int = 8001
    debounce_seconds: float = 5.0
    notify_attempts: int = 5
    notify_backoff_seconds: float = 0.5
    notify_timeout_seconds: float = 10.0

    @classmethod
    def from_env(cls) -> Config:
        to_worker = parse_secrets(_required("WEB_TO_WORKER_SECRET"))
        to_web = parse_secrets(_required("WORKER_TO_WEB_SECRET"))
        try:
            check_separate(to_worker, to_web)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        callback = parse_secrets(_required("QPAY_CALLBACK_SECRET"))
        return cls(
            qpay_base_url=_required("QPAY_BASE_URL").rstrip("/"),
            qpay_client_id=_required("QPAY_CLIENT_ID"),
            qpay_client_secret=_required("QPAY_CLIENT_SECRET"),
            qpay_invoice_code=_required("QPAY_INVOICE_CODE"),
            request_secrets=tuple(to_worker),
            notify_secrets=tuple(to_web),
            callback_secrets=tuple(callback),
            public_url=_required("WORKER_PUBLIC_URL").rstrip("/"),
            web_notify_url=os.environ.get("WEB_NOTIFY_URL", "").strip(),
            port=int(_float("WORKER_PORT", 8001)),
            debounce_seconds=_float("WORKER_CALLBACK_DEBOUNCE_SECONDS", 5.0),
            notify_attempts=max(1, int(_float("WORKER_NOTIFY_ATTEMPTS", 5))),
            notify_backoff_seconds=_float("WORKER_NOTIFY_BACKOFF_SECONDS", 0.5),
            notify_timeout_seconds=_float("WORKER_NOTIFY_TIMEOUT_SECONDS", 10.0),
        )
