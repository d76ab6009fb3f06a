"""tattoo/core/l10n.py: the one way each kind of value is written for a person, from CLDR through
Babel (docs/i18n.md, "Formats"): amounts, numbers, dates with their weekday, times and zones."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from babel import Locale
from babel.dates import format_date
from django.template import Context, Template
from django.utils import translation

from tattoo.core import l10n

NBSP = "\u00a0"
# 06:30 UTC on Tuesday 1 December 2026: 14:30 in Ulaanbaatar (UTC+8, no DST), 07:30 in Berlin (CET).
MOMENT = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)


# --- money -----------------------------------------------------------------------------------------


def test_fifty_thousand_has_cldr_digit_groups_and_the_tugrik_sign_after():
    assert l10n.money(Decimal("50000")) == f"50,000{NBSP}₮"
    assert l10n.money(50000) == l10n.money("50000.00") == f"50,000{NBSP}₮"
    # the sign is CLDR mn's symbol for MNT; the group separator CLDR mn's
    assert Locale.parse("mn").currency_symbols["MNT"] == "₮"
    assert Locale.parse("mn").number_symbols["latn"]["group"] == ","


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("0"), f"0{NBSP}₮"),
        (Decimal("999"), f"999{NBSP}₮"),
        (Decimal("1000"), f"1,000{NBSP}₮"),
        (Decimal("1234567"), f"1,234,567{NBSP}₮"),
        (Decimal("33333.5"), f"33,333.50{NBSP}₮"),
        (Decimal("0.05"), f"0.05{NBSP}₮"),
        (Decimal("10.005"), f"10.01{NBSP}₮"),  # the one rounding rule: two places, half up
        (Decimal("-5000"), f"-5,000{NBSP}₮"),
        (Decimal("-1234.5"), f"-1,234.50{NBSP}₮"),
    ],
)
def test_cents_show_only_when_there_are_any_and_a_minus_stays_in_front(amount, shown):
    assert l10n.money(amount) == shown


def test_no_amount_is_an_empty_text_and_a_text_that_is_no_amount_is_refused():
    assert l10n.money(None) == l10n.money("") == ""
    with pytest.raises(ValueError, match="not an amount"):
        l10n.money("fifty")


def test_amounts_and_numbers_read_the_same_in_both_languages():
    with translation.override("mn"):
        mongolian = l10n.money(Decimal("1500000")), l10n.number(1234567)
    with translation.override("en"):
        english = l10n.money(Decimal("1500000")), l10n.number(1234567)
    assert mongolian == english == (f"1,500,000{NBSP}₮", "1,234,567")


def test_the_mnt_filter_is_the_money_helper_and_leaves_a_text_as_it_is():
    template = Template("{% load inkbook %}{{ a|mnt }}|{{ b|mnt }}|{{ c|number }}")
    assert template.render(Context({"a": Decimal("50000.00"), "b": "free", "c": 12500})) == (
        f"50,000{NBSP}₮|free|12,500"
    )


# --- dates, times, zones ------------------------------------------------------------------------------


def test_a_mongolian_date_puts_its_weekday_after_the_date_as_cldr_mn_does():
    with translation.override("mn"):
        assert l10n.day(MOMENT, "Asia/Ulaanbaatar") == "2026\u202fоны 12-р сарын 1, мягмар гараг"
        assert l10n.date(MOMENT, "Asia/Ulaanbaatar") == "2026\u202fоны 12-р сарын 1"
        assert l10n.short_date(MOMENT, "Asia/Ulaanbaatar") == "2026.12.01"
        assert l10n.time(MOMENT, "Asia/Ulaanbaatar") == "14:30"
        assert l10n.short_datetime(MOMENT, "Asia/Ulaanbaatar") == "2026.12.01 14:30"
    # CLDR's full date: the same order, the weekday after "d,", followed by "гараг"
    assert Locale.parse("mn").date_formats["full"].pattern == "y\u202f'оны' MMMM'ын' d, EEEE 'гараг'"
    assert format_date(MOMENT, "EEEE", locale="mn") == "мягмар"


def test_an_english_date_is_cldr_en_gb_day_first_on_the_24_hour_clock():
    with translation.override("en"):
        assert l10n.day(MOMENT, "Asia/Ulaanbaatar") == "Tuesday, 1 December 2026"
        assert l10n.date(MOMENT, "Asia/Ulaanbaatar") == "1 December 2026"
        assert l10n.short_date(MOMENT, "Asia/Ulaanbaatar") == "1 Dec 2026"
        assert l10n.short_datetime(MOMENT, "Asia/Ulaanbaatar") == "1 Dec 2026, 14:30"


def test_a_session_is_said_with_its_weekday_time_and_the_zone_as_a_person_names_it():
    end = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert l10n.when(MOMENT, "Asia/Ulaanbaatar", end=end, language="mn") == (
        "2026\u202fоны 12-р сарын 1, мягмар гараг 14:30 – 16:30 (Улаанбаатарын цагаар)"
    )
    assert l10n.when(MOMENT, "Asia/Ulaanbaatar", language="en") == (
        "Tuesday, 1 December 2026, 14:30 (Ulaanbaatar time)"
    )
    assert l10n.when_short(MOMENT, "Asia/Ulaanbaatar", language="mn") == "12-р сарын 1, 14:30"
    assert l10n.when_short(MOMENT, "Asia/Ulaanbaatar", language="en") == "1 Dec, 14:30"


@pytest.mark.parametrize(
    ("zone", "mongolian", "english"),
    [
        ("Asia/Ulaanbaatar", "Улаанбаатарын цагаар", "Ulaanbaatar time"),
        ("Asia/Hovd", "Ховдын цагаар", "Khovd time"),
        ("Europe/Berlin", "Төв Европын цагаар", "Berlin time"),
        ("UTC", "Олон улсын зохицуулалттай цагаар", "Coordinated Universal Time"),
    ],
)
def test_zones_are_named_from_cldr_never_by_their_iana_code(zone, mongolian, english):
    assert l10n.zone_name(zone, language="mn") == mongolian
    assert l10n.zone_name(zone, language="en") == english


def test_a_berlin_session_reads_on_berlins_clock_across_daylight_saving_time():
    summer, winter = datetime(2026, 7, 1, 12, tzinfo=UTC), datetime(2026, 12, 1, 13, tzinfo=UTC)
    assert l10n.time(summer, "Europe/Berlin") == l10n.time(winter, "Europe/Berlin") == "14:00"


def test_a_naive_moment_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="aware"):
        l10n.time(datetime(2026, 12, 1, 14, 0), "Asia/Ulaanbaatar")  # noqa: DTZ001 (the point)


def test_the_zone_list_offers_places_named_in_the_language_and_keeps_a_saved_legacy_zone():
    zones = frozenset({"Asia/Ulaanbaatar", "Europe/Berlin", "Etc/GMT+5", "EST5EDT"})
    assert l10n.zone_choices(zones, language="mn") == [
        ("Europe/Berlin", "Берлин (Төв Европын цаг)"),
        ("Asia/Ulaanbaatar", "Улаанбаатар (Улаанбаатарын цаг)"),
    ]
    assert l10n.zone_choices(zones, current="EST5EDT", language="en")[0] == ("EST5EDT", "EST5EDT")


def test_the_when_tag_writes_a_time_element_the_page_script_can_add_the_visitors_time_to():
    template = Template("{% load inkbook %}{% when start zone end=end %}")
    with translation.override("en"):
        html = template.render(
            Context({"start": MOMENT, "end": datetime(2026, 12, 1, 8, 30, tzinfo=UTC), "zone": "Asia/Ulaanbaatar"})
        )
    assert html == (
        '<time datetime="2026-12-01T06:30:00Z" data-zone="Asia/Ulaanbaatar" data-end="2026-12-01T08:30:00Z">'
        'Tuesday, 1 December 2026, 14:30–16:30</time> <span class="zone-name">(Ulaanbaatar time)</span>'
    )
