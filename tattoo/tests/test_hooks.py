"""The one upward-call mechanism (docs/hooks.md): its rules, and the wiring the apps provide."""

from __future__ import annotations

import pytest

from bookings.rules import slot_rules
from bookings.serializers import deposit_reader
from bookings.services.expiry import before_hold_expiry
from bookings.transitions import status_moved
from consultations.services.projects import heal_refusal, project_follow_booking
from payments.ledger import deposit_ledger_api
from payments.services.checks import payment_before_expiry
from tattoo.core import uploads
from tattoo.core.hooks import Hook, HookError


def first(): ...


def second(): ...


def test_every_provider_is_asked_in_order_and_providing_twice_is_harmless():
    hook: Hook = Hook("test.many")
    hook.provide(first)
    hook.provide(second)
    hook.provide(first)  # AppConfig.ready running again adds nothing

    assert hook.providers() == (first, second)
    with pytest.raises(HookError):
        hook.one()


def test_a_single_hook_takes_one_provider():
    hook: Hook = Hook("test.single", single=True)
    assert hook.one() is None
    with pytest.raises(HookError, match=r"no installed app provides hook test\.single"):
        hook.required()

    hook.provide(first)
    with pytest.raises(HookError, match="takes one provider"):
        hook.provide(second)
    assert hook.required() is first


def test_replaced_swaps_the_providers_for_a_block_only():
    hook: Hook = Hook("test.replaced")
    hook.provide(first)
    with hook.replaced(second):
        assert hook.providers() == (second,)

    def fail_inside() -> None:
        with hook.replaced():
            assert hook.providers() == ()
            raise RuntimeError("the block failed")

    with pytest.raises(RuntimeError, match="the block failed"):
        fail_inside()
    assert hook.providers() == (first,)


def test_the_installed_apps_provide_every_hook_in_the_table():
    assert heal_refusal in slot_rules.providers()
    assert project_follow_booking in status_moved.providers()
    assert before_hold_expiry.required() is payment_before_expiry
    assert deposit_reader.required() is deposit_ledger_api
    # one key holder per image kind: avatars, portfolio, ideas, consultations, reviews
    assert len(uploads.key_holders.providers()) >= 5
