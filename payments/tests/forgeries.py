"""Forged-signature variants (docs/reliability.md W1) as Django test-client arguments."""

from __future__ import annotations

from testing.qpay_worker import forged_variants  # noqa: F401 - shared by both signed hops


def as_meta(headers: dict) -> dict:
    """Headers as Django test-client keyword arguments."""
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
