"""The eight forged-signature variants (reliability.md W1), shared by both signed hops."""

from __future__ import annotations

from qpay_worker import signing


def forged_variants(body: bytes, secrets: list[str]) -> dict[str, tuple[bytes, dict]]:
    good = signing.sign(body, secrets)
    flipped = bytearray(body)
    flipped[len(flipped) // 2] ^= 0x01
    other = signing.sign(body + b" ", secrets)
    swapped = dict(good)
    swapped[signing.ID_HEADER], swapped[signing.TIMESTAMP_HEADER] = (
        good[signing.TIMESTAMP_HEADER],
        good[signing.ID_HEADER],
    )
    return {
        "wrong secret": (body, signing.sign(body, ["not-the-secret"])),
        "one body byte flipped": (bytes(flipped), good),
        "signature of another body": (body, {**good, signing.SIGNATURE_HEADER: other[signing.SIGNATURE_HEADER]}),
        "missing header": (body, {k: v for k, v in good.items() if k != signing.SIGNATURE_HEADER}),
        "empty v1": (body, {**good, signing.SIGNATURE_HEADER: "v1,"}),
        "unknown scheme only": (
            body,
            {**good, signing.SIGNATURE_HEADER: good[signing.SIGNATURE_HEADER].replace("v1,", "v0,")},
        ),
        "not base64": (body, {**good, signing.SIGNATURE_HEADER: "v1,!!!not-base64!!!"}),
        "id and timestamp swapped": (body, swapped),
    }


def as_meta(headers: dict) -> dict:
    """Headers as Django test-client keyword arguments."""
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
