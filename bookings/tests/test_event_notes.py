"""Audit notes (booking history, refund reasons, ledger notes): the audit text stays as written in
English; pages and the admin say every note a flow writes in the reader's language, amounts as the
one money format and moments on the booking's clock (bookings/event_notes.py)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from bookings.event_notes import note_display

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CODES = {"QPay", "CARD", "P2P"}  # a brand and QPay's payment types stay as they are

# Every note the flows write (bookings, payments, disputes), as they write it.
FLOW_NOTES = [
    ("booked", "booked", "захиалсан"),
    ("hold expired", "hold expired", None),
    ("seeded", "seeded", None),
    ("QPay invoice cancelled", "QPay invoice cancelled", None),
    ("QPay accepted the card refund", "QPay accepted the card refund", None),
    (
        "QPay invoice 9f1c issued for 50000.00 MNT",
        "QPay invoice 9f1c issued for 50,000\u00a0₮",
        "QPay нэхэмжлэх 9f1c үүсгэсэн, дүн: 50,000\u00a0₮",
    ),
    (
        "QPay payment 2689: 50000.00 MNT; late payment re-took the slot",
        "QPay payment 2689: 50,000\u00a0₮; late payment re-took the slot",
        "QPay төлбөр 2689: 50,000\u00a0₮; хоцорсон төлбөрөөр цагийг дахин авсан",
    ),
    (
        "QPay payment 2689: 50000.00 MNT; arrived after the slot was lost (time_off): refunded",
        "QPay payment 2689: 50,000\u00a0₮; the payment arrived after the slot was lost, so it is refunded",
        "QPay төлбөр 2689: 50,000\u00a0₮; төлбөр цаг алдагдсаны дараа орж ирсэн тул буцаан олгосон",
    ),
    (
        "rescheduled from 2026-12-01T06:30:00+00:00 to 2026-12-02T07:00:00+00:00",
        "rescheduled from 1 Dec 2026, 14:30 to 2 Dec 2026, 15:00",  # Ulaanbaatar's clock
        None,
    ),
    ("dispute 7 opened", "dispute 7 opened", "№7 маргаан үүссэн"),
    ("dispute 7 resolved: cancelled", "dispute 7 resolved: cancelled", "№7 маргаан шийдвэрлэгдсэн: цуцлагдсан"),
    (
        "dispute 7 resolved: completed, refund 5000.00 MNT",
        "dispute 7 resolved: completed, 5,000\u00a0₮ refunded",
        "№7 маргаан шийдвэрлэгдсэн: дууссан, 5,000\u00a0₮ буцаан олгосон",
    ),
    (
        "refund 5000.00 MNT: paid more than the deposit",
        "refund of 5,000\u00a0₮: paid more than the deposit",
        "5,000\u00a0₮ буцаан олголт: урьдчилгаа төлбөрөөс илүү төлсөн",
    ),
    ("refund 5000.00 MNT: booking cancelled: full refund under the deposit policy", None, None),
    ("refund 5000.00 MNT: arrived after the booking was cancelled", None, None),
    ("refund 5000.00 MNT: booking expired", "refund of 5,000\u00a0₮: booking expired", None),
    ("refund 5000.00 MNT: dispute 7: Staff agreed", None, "5,000\u00a0₮ буцаан олголт: №7 маргаан: Staff agreed"),
    ("deposit settled: 50000.00 MNT refunded, 0.00 MNT kept", None, None),
    # a project's deposit (consultations/services/projects.py, payments/ledger.py)
    ("deposit applied: 100000.00 MNT", "deposit of 100,000\u00a0₮ applied to the session", None),
    ("project cancelled", "project cancelled", None),
    ("project deposit applied to this session", "the project's deposit was applied to the session", None),
    ("project deposit applied to the last session", "the project's deposit was applied to the session", None),
    ("refund 100000.00 MNT: project cancelled: full refund under the deposit policy", None, None),
    ("customer cancelled the project within 48 h of the session", None, None),
    ("counts toward the price", None, "шивээсний үнэд тооцогдоно"),
    ("customer did not show", "the customer did not come", "үйлчлүүлэгч ирээгүй"),
    ("customer cancelled within 48 h of the start", None, "үйлчлүүлэгч эхлэхээс 48 цагийн дотор цуцалсан"),
    ("refunded by hand", None, "гараар буцаан олгосон"),
    ("QPay payment 2689 (CARD)", None, "QPay төлбөр 2689 (CARD)"),
    ("QPay payment 2689 (unknown type)", None, "QPay төлбөр 2689 (төрөл тодорхойгүй)"),
]


@pytest.mark.parametrize(("note", "english", "mongolian"), FLOW_NOTES, ids=[n for n, _, _ in FLOW_NOTES])
def test_every_note_a_flow_writes_reads_in_mongolian_with_no_english_left(note, english, mongolian):
    with translation.override("en"):
        shown_en = note_display(note, "Asia/Ulaanbaatar")
    with translation.override("mn"):
        shown_mn = note_display(note, "Asia/Ulaanbaatar")
    if english is not None:
        assert shown_en == english
    if mongolian is not None:
        assert shown_mn == mongolian
    # a staff member's own words ("Staff agreed") are the only English a Mongolian reader may get
    left = set(LATIN_WORD.findall(shown_mn.replace("Staff agreed", ""))) - CODES
    assert not left, f"{note!r} reads {shown_mn!r} in Mongolian"
    assert "MNT" not in shown_en + shown_mn


def test_a_persons_note_is_shown_as_written():
    with translation.override("mn"):
        assert note_display("the customer asked by phone") == "the customer asked by phone"


def test_a_rescheduled_note_reads_on_the_artists_clock():
    note = "rescheduled from 2026-07-01T12:00:00+00:00 to 2026-07-02T12:00:00+00:00"
    with translation.override("mn"):
        assert note_display(note, "Europe/Berlin") == "цаг өөрчилсөн: 2026.07.01 14:00 → 2026.07.02 14:00"
