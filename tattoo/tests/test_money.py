"""format_mnt: the one way a person reads an amount (docs/i18n.md, "Formats")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tattoo.core.money import format_mnt

NNBSP, NBSP = "\u202f", "\u00a0"


def test_fifty_thousand_is_grouped_by_a_narrow_no_break_space_with_the_sign_after():
    assert format_mnt(Decimal("50000")) == f"50{NNBSP}000{NBSP}₮"
    assert format_mnt(50000) == "50\u202f000\u00a0₮"
    assert format_mnt("50000.00") == "50\u202f000\u00a0₮"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("0"), f"0{NBSP}₮"),
        (Decimal("999"), f"999{NBSP}₮"),
        (Decimal("1000"), f"1{NNBSP}000{NBSP}₮"),
        (Decimal("1234567"), f"1{NNBSP}234{NNBSP}567{NBSP}₮"),
        (Decimal("33333.5"), f"33{NNBSP}333.50{NBSP}₮"),
        (Decimal("0.05"), f"0.05{NBSP}₮"),
        (Decimal("10.005"), f"10.01{NBSP}₮"),  # the one rounding rule: two places, half up
        (Decimal("-5000"), f"-5{NNBSP}000{NBSP}₮"),
        (Decimal("-1234.5"), f"-1{NNBSP}234.50{NBSP}₮"),
    ],
)
def test_cents_show_only_when_there_are_any_and_a_minus_stays_in_front(amount, shown):
    assert format_mnt(amount) == shown


def test_no_amount_is_an_empty_text():
    assert format_mnt(None) == ""
    assert format_mnt("") == ""


def test_the_format_is_the_same_in_both_languages():
    with translation.override("mn"):
        mongolian = format_mnt(Decimal("1500000"))
    with translation.override("en"):
        english = format_mnt(Decimal("1500000"))
    assert mongolian == english == f"1{NNBSP}500{NNBSP}000{NBSP}₮"


def test_a_text_that_is_no_amount_is_refused():
    with pytest.raises(ValueError, match="not an amount"):
        format_mnt("fifty")
