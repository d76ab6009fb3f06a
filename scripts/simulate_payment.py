#!/usr/bin/env python3
"""Simulate QPay against a running stack (`make run`): pay an invoice in the sandbox, replay a
QPay callback at the worker, or post a signed notification to the web app.

Run inside the dev environment so the secrets match the running processes:

    .venv/bin/python scripts/devenv.py -- python scripts/simulate_payment.py pay INVOICE_ID [--amount 20000]
    .venv/bin/python scripts/devenv.py -- python scripts/simulate_payment.py callback T12 [--payment-id ID]
    .venv/bin/python scripts/devenv.py -- python scripts/simulate_payment.py notify FILE.json

`pay` is what a customer's bank app does: the sandbox records the payment and fires QPay's GET
callback at the worker, which checks payment/check and forwards a signed notification to the web
app. `callback` re-sends that GET (e.g. to test duplicates); `notify` skips QPay and the worker.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qpay_signing as signing
from qpay_worker.app import callback_token


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    pay = sub.add_parser("pay", help="pay an invoice in the sandbox (fires the QPay callback)")
    pay.add_argument("invoice_id")
    pay.add_argument("--amount", help="default: the full amount still open")
    pay.add_argument("--type", default="P2P", choices=["P2P", "CARD"])
    pay.add_argument("--callback", default="once", choices=["once", "twice", "never"])
    pay.add_argument("--sandbox", default=f"http://127.0.0.1:{os.environ.get('SANDBOX_PORT', '8002')}")
    cb = sub.add_parser("callback", help="send QPay's GET callback for a transaction reference to the worker")
    cb.add_argument("reference", help="T<transaction id>")
    cb.add_argument("--payment-id", default="")
    cb.add_argument("--worker", default=os.environ.get("WORKER_PUBLIC_URL", "http://127.0.0.1:8001"))
    nt = sub.add_parser("notify", help="post a signed notification (JSON file) to the web app")
    nt.add_argument("file")
    nt.add_argument("--url", default=os.environ.get("WEB_NOTIFY_URL", "http://127.0.0.1:8000/api/payments/notify"))
    args = parser.parse_args()

    if args.cmd == "pay":
        body = {"paymentType": args.type, "callback": args.callback}
        if args.amount:
            body["amount"] = args.amount
        r = requests.post(f"{args.sandbox}/sandbox/invoices/{args.invoice_id}/pay", json=body, timeout=30)
    elif args.cmd == "callback":
        secret = signing.parse_secrets(os.environ.get("QPAY_CALLBACK_SECRET"))
        if not secret:
            parser.error("QPAY_CALLBACK_SECRET is not set (run through scripts/devenv.py)")
        url = f"{args.worker}/worker/qpay/webhook/{args.reference}/{callback_token(secret[0], args.reference)}"
        if args.payment_id:
            url += f"?qpay_payment_id={args.payment_id}"
        r = requests.get(url, timeout=30)
    else:
        secrets = signing.parse_secrets(os.environ.get("WORKER_TO_WEB_SECRET"))
        if not secrets:
            parser.error("WORKER_TO_WEB_SECRET is not set (run through scripts/devenv.py)")
        raw = Path(args.file).read_bytes()
        json.loads(raw)  # fail early on a broken file
        path = urlsplit(args.url).path
        signature = signing.sign(raw, secrets, direction=signing.TO_WEB, method="POST", path=path)
        headers = {"Content-Type": "application/json", **signature}
        r = requests.post(args.url, data=raw, headers=headers, timeout=30)
    print(r.status_code, r.text)
    return 0 if r.ok else 1


if __name__ == "__main__":
    sys.exit(main())
