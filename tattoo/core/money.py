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


# How a person reads an amount, in every language: "50 000 ₮" (groups of three split by a narrow
# no-break space, U+202F; a no-break space, then the tögrög sign after the number). Cents show only
# when there are any ("33 333.50 ₮"); a negative amount keeps its minus sign ("-5 000 ₮").
GROUP_SEPARATOR = "\u202f"
SIGN = "₮"


def format_mnt(amount: Decimal | int | str | None) -> str:
    """The one display format of money (pages, mails, admin): see GROUP_SEPARATOR and SIGN."""
    if amount is None or amount == "":
        return ""
    value = quantize(amount)
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = f"{int(value):,}".replace(",", GROUP_SEPARATOR)
    cents = "" if is_whole(value) else f".{int((value % 1) * 100):02d}"
    return f"{sign}{whole}{cents}\u00a0{SIGN}"
