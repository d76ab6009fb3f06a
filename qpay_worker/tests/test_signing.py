import hashlib
import hmac
import json
import time

import pytest
import time_machine

from qpay_worker import signing

SECRETS = ["new-secret-0123456789abcdef", "old-secret-0123456789abcdef"]
BODY = b'{"qpayInvoiceId":"abc","status":"paid"}'


def test_the_hmac_primitive_matches_githubs_published_vector():
    digest = hmac.new(b"It's a Secret to Everybody", b"Hello, World!", hashlib.sha256).hexdigest()
    assert digest == "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_a_signed_body_verifies_and_returns_its_id():
    headers = signing.sign(BODY, SECRETS, msg_id="msg_1")
    assert signing.verify(BODY, headers, SECRETS) == "msg_1"


def test_it_accepts_either_secret_during_rotation_and_refuses_a_removed_one():
    old_only = signing.sign(BODY, [SECRETS[1]])
    assert signing.verify(BODY, old_only, SECRETS)
    with pytest.raises(signing.SignatureError):
        signing.verify(BODY, old_only, [SECRETS[0]])


def test_it_signs_the_raw_bytes_so_reserialized_json_fails():
    headers = signing.sign(BODY, SECRETS)
    reformatted = json.dumps(json.loads(BODY), indent=2).encode()
    with pytest.raises(signing.SignatureError):
        signing.verify(reformatted, headers, SECRETS)


def test_it_compares_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    signing.verify(BODY, signing.sign(BODY, SECRETS), SECRETS)
    assert len(calls) == len(SECRETS)


@pytest.mark.parametrize("offset", [-299, 299])
def test_it_accepts_timestamps_within_the_tolerance(offset):
    now = time.time()
    headers = signing.sign(BODY, SECRETS, timestamp=int(now))
    with time_machine.travel(now + offset, tick=False):
        assert signing.verify(BODY, headers, SECRETS)


@pytest.mark.parametrize("offset", [-301, 301])
def test_it_refuses_stale_and_future_timestamps(offset):
    now = time.time()
    headers = signing.sign(BODY, SECRETS, timestamp=int(now))
    with time_machine.travel(now + offset, tick=False), pytest.raises(signing.SignatureError):
        signing.verify(BODY, headers, SECRETS)
