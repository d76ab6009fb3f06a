"""Money is MNT held as Decimal with two places (numeric(12,2)); never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY = "MNT"
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")


def quantize(value: Decimal | int | str) -> Decimal:
    """The one rounding rule for money: two places, half up."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def is_whole(amount: Decimal) -> bool:
    return amount == amount.to_integral_value()


# A whole, non-negative MNT amount as the API's decimal strings spell it ("50000", "50000.00"): the
# OpenAPI pattern of amounts that must be whole (QPay takes whole tögrög only).
WHOLE_MNT_PATTERN = r"^\d{1,10}(?:\.0{1,2})?$"


# How a person reads an amount: tattoo.core.l10n.money ("50,000 ₮"), the `mnt` template filter.
