import hashlib
import hmac
import json
import time

import pytest
import time_machine

import qpay_signing as signing

SECRETS = ["new-secret-0123456789abcdef", "old-secret-0123456789abcdef"]
BODY = b'{"qpayInvoiceId":"abc","status":"paid"}'
HOP = {"direction": signing.TO_WORKER, "method": "POST", "path": "/worker/qpay/check"}


def sign(body, secrets, **kw):
    return signing.sign(body, secrets, **(HOP | kw))


def verify(body, headers, secrets, **kw):
    return signing.verify(body, headers, secrets, **(HOP | kw))


def test_the_hmac_primitive_matches_githubs_published_vector():
    digest = hmac.new(b"It's a Secret to Everybody", b"Hello, World!", hashlib.sha256).hexdigest()
    assert digest == "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_a_signed_body_verifies_and_returns_its_id():
    headers = sign(BODY, SECRETS, msg_id="msg_1")
    assert verify(BODY, headers, SECRETS) == "msg_1"


def test_it_accepts_either_secret_during_rotation_and_refuses_a_removed_one():
    old_only = sign(BODY, [SECRETS[1]])
    assert verify(BODY, old_only, SECRETS)
    with pytest.raises(signing.SignatureError):
        verify(BODY, old_only, [SECRETS[0]])


def test_it_signs_the_raw_bytes_so_reserialized_json_fails():
    headers = sign(BODY, SECRETS)
    reformatted = json.dumps(json.loads(BODY), indent=2).encode()
    with pytest.raises(signing.SignatureError):
        verify(reformatted, headers, SECRETS)


def test_it_compares_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    verify(BODY, sign(BODY, SECRETS), SECRETS)
    assert len(calls) == len(SECRETS)


@pytest.mark.parametrize("offset", [-299, 299])
def test_it_accepts_timestamps_within_the_tolerance(offset):
    now = time.time()
    headers = sign(BODY, SECRETS, timestamp=int(now))
    with time_machine.travel(now + offset, tick=False):
        assert verify(BODY, headers, SECRETS)


@pytest.mark.parametrize("offset", [-301, 301])
def test_it_refuses_stale_and_future_timestamps(offset):
    now = time.time()
    headers = sign(BODY, SECRETS, timestamp=int(now))
    with time_machine.travel(now + offset, tick=False), pytest.raises(signing.SignatureError):
        verify(BODY, headers, SECRETS)


@pytest.mark.parametrize(
    "other",
    [
        {"direction": signing.TO_WEB},
        {"direction": signing.ANSWER},
        {"method": "GET"},
        {"path": "/worker/qpay/cancel"},
        {"path": "/worker/qpay/check/"},
    ],
)
def test_a_signature_is_good_for_one_direction_method_and_path_only(other):
    headers = sign(BODY, SECRETS)
    assert verify(BODY, headers, SECRETS)
    with pytest.raises(signing.SignatureError):
        verify(BODY, headers, SECRETS, **other)


def test_a_replay_guard_refuses_an_id_it_has_accepted_but_not_a_forgery_with_that_id():
    guard = signing.MemoryReplayGuard()
    headers = sign(BODY, SECRETS, msg_id="msg_once")
    forged = {**headers, signing.SIGNATURE_HEADER: "v2,AAAA"}
    with pytest.raises(signing.SignatureError):
        verify(BODY, forged, SECRETS, replay_guard=guard)  # not remembered: it proved nothing
    assert verify(BODY, headers, SECRETS, replay_guard=guard) == "msg_once"
    with pytest.raises(signing.SignatureError, match="replay"):
        verify(BODY, headers, SECRETS, replay_guard=guard)


def test_one_secret_in_both_directions_is_refused():
    with pytest.raises(ValueError, match="must not share"):
        signing.check_separate(["a", "b"], ["c", "b"])
    signing.check_separate(["a"], ["c"])
