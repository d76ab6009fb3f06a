"""The booking history's notes: the audit text stays as written; the page says the flows' notes
in the reader's language, with amounts as the one money format."""

from __future__ import annotations

import pytest
from django.utils import translation

from bookings.event_notes import note_display


@pytest.mark.parametrize(
    ("note", "english", "mongolian"),
    [
        ("booked", "booked", "захиалсан"),
        (
            "QPay invoice 9f1c issued for 50000.00 MNT",
            "QPay invoice 9f1c issued for 50\u202f000\u00a0₮",
            "QPay нэхэмжлэх 9f1c үүсгэсэн, дүн: 50\u202f000\u00a0₮",
        ),
        (
            "QPay payment 2689: 50000.00 MNT; late payment re-took the slot",
            "QPay payment 2689: 50\u202f000\u00a0₮; late payment re-took the slot",
            "QPay төлбөр 2689: 50\u202f000\u00a0₮; хоцорсон төлбөрөөр цагийг дахин авсан",
        ),
        (
            "dispute 7 resolved: cancelled",
            "dispute 7 resolved: cancelled",
            "7 дугаартай маргаан шийдвэрлэгдсэн: цуцлагдсан",
        ),
        (
            "the customer asked by phone",
            "the customer asked by phone",
            "the customer asked by phone",
        ),  # a person's text
    ],
)
def test_a_flows_note_reads_in_the_readers_language_and_a_persons_note_as_written(note, english, mongolian):
    with translation.override("en"):
        assert note_display(note) == english
    with translation.override("mn"):
        assert note_display(note) == mongolian
