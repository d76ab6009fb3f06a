"""How a person reads a moment, a zone, a number or an amount: one helper per kind, from CLDR's data
through Babel, in the active language (docs/i18n.md, "Formats"). Pages use them through the template
filters of `{% load inkbook %}`, mails through bookings/notices.py, the admin and the API's
messages directly. Nothing else formats a date, a time, a zone or an amount by hand.

Languages: Mongolian reads CLDR's `mn` data; English reads CLDR's `en_GB` data (day before month,
the 24-hour clock, as the product has always written English).

| kind | helper | mn | en |
|---|---|---|---|
| amount | `money` | 50,000 ₮ | 50,000 ₮ |
| number | `number` | 1,234 | 1,234 |
| share | `percent` | 88% | 88% |
| date with weekday | `day` | 2026 оны 12-р сарын 1, мягмар гараг | Tuesday, 1 December 2026 |
| date | `date` | 2026 оны 12-р сарын 1 | 1 December 2026 |
| short date | `short_date` | 2026.12.01 | 1 Dec 2026 |
| time | `time` | 14:30 | 14:30 |
| time range | `time_range` | 14:30 – 16:30 | 14:30–16:30 |
| short date and time | `short_datetime` | 2026.12.01 14:30 | 1 Dec 2026, 14:30 |
| a session's time | `when` | date with weekday, time (zone) | Tuesday, 1 December 2026, 14:30 (Ulaanbaatar time) |
| a short moment (mail subjects) | `when_short` | 12-р сарын 1, 14:30 | 1 Dec, 14:30 |
| a zone, as said after a time | `zone_name` | Улаанбаатарын цагаар | Ulaanbaatar time |
| a zone in a list | `zone_label` | Улаанбаатар (Улаанбаатарын цаг) | Ulaanbaatar (Ulaanbaatar Time) |
| a length of time | `duration` | 5 цаг, 2 хоног | 5 hours, 2 days |

Every moment helper takes an aware datetime and the IANA zone to show it in (a session's is its
artist's zone); `language` defaults to the active one (translation.get_language()).
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.conf import settings
from django.utils import translation

from tattoo.core.money import is_whole, quantize

# The product's language -> the CLDR locale it reads.
CLDR_LOCALES = {"mn": "mn", "en": "en_GB"}

# Mongolian's weekday date is CLDR's medium date ("2026 оны 12-р сарын 1", the product's date)
# followed by the weekday as CLDR's full date writes it (", мягмар гараг"); CLDR's full date itself
# spells the month out ("арван хоёрдугаар сарын"), which makes subjects and tables twice as long.
# English keeps CLDR's full date. U+202F: CLDR mn's narrow no-break space after the year.
_DAY_PATTERNS = {"mn": "y\u202f'оны' MMM'ын' d, EEEE 'гараг'"}
# The CLDR width each language's plain dates use: the widths the product already wrote.
_DATE_WIDTHS = {"mn": {"date": "medium", "short_date": "short"}, "en": {"date": "long", "short_date": "medium"}}
# The day without the year, for mail subjects (CLDR skeleton MMMd: "12-р сарын 1" / "1 Dec").
_SHORT_DAY_SKELETON = "MMMd"


def _language(language: str | None) -> str:
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return code if code in CLDR_LOCALES else settings.LANGUAGE_CODE


@functools.cache
def _locale(language: str) -> Locale:
    return Locale.parse(CLDR_LOCALES[language])


def _zone(zone: str | tzinfo) -> tzinfo:
    return ZoneInfo(zone) if isinstance(zone, str) else zone


# --- numbers and money ------------------------------------------------------------------------------

# The tögrög sign: CLDR mn's symbol for MNT. Amounts put it after the number, as Mongolian banks,
# QPay and shops do (CLDR's mn pattern "¤ #,##0.00" puts it first, with cents no one pays).
SIGN = Locale.parse("mn").currency_symbols["MNT"]


def number(value: int | Decimal | float | str, *, language: str | None = None) -> str:
    """A number with CLDR's digit groups and decimal sign: "1,234", "12.5"."""
    return babel_numbers.format_decimal(Decimal(str(value)), locale=_locale(_language(language)))


def percent(share: float | Decimal, *, language: str | None = None) -> str:
    """A share (0.875) as CLDR writes a percentage, whole percent: "88%" (mn and en alike)."""
    return babel_numbers.format_percent(share, format="#,##0%", locale=_locale(_language(language)))


def money(amount: Decimal | int | str | None, *, language: str | None = None) -> str:
    """An amount of tögrög: "50,000 ₮"; cents only when it has any ("33,333.50 ₮"); "-5,000 ₮".
    Nothing for None or ""."""
    if amount is None or amount == "":
        return ""
    value = quantize(amount)
    pattern = "#,##0" if is_whole(value) else "#,##0.00"
    digits = babel_numbers.format_decimal(value, format=pattern, locale=_locale(_language(language)))
    return f"{digits}\u00a0{SIGN}"


# --- dates and times --------------------------------------------------------------------------------


def _local(moment: datetime, zone: str | tzinfo) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed: a naive one has no place on the clock")
    return moment.astimezone(_zone(zone))


def day(moment: datetime, zone: str | tzinfo, *, language: str | None = None) -> str:
    """The date with its weekday where the language puts it: "2026 оны 12-р сарын 1, мягмар гараг" /
    "Tuesday, 1 December 2026"."""
    lang = _language(language)
    locale = _locale(lang)
    pattern = _DAY_PATTERNS.get(lang) or locale.date_formats["full"].pattern
    return babel_dates.format_date(_local(moment, zone), pattern, locale=locale)


def date(moment: datetime, zone: str | tzinfo, *, language: str | None = None) -> str:
    """ "2026 оны 12-р сарын 1" / "1 December 2026"."""
    lang = _language(language)
    return babel_dates.format_date(_local(moment, zone), _DATE_WIDTHS[lang]["date"], locale=_locale(lang))


def short_date(moment: datetime, zone: str | tzinfo, *, language: str | None = None) -> str:
    """ "2026.12.01" / "1 Dec 2026"."""
    lang = _language(language)
    return babel_dates.format_date(_local(moment, zone), _DATE_WIDTHS[lang]["short_date"], locale=_locale(lang))


def time(moment: datetime, zone: str | tzinfo, *, language: str | None = None) -> str:
    """ "14:30": CLDR's short time, the 24-hour clock in both languages."""
    return babel_dates.format_time(_local(moment, zone), "short", locale=_locale(_language(language)))


def duration(span: timedelta, *, language: str | None = None) -> str:
    """ "5 hours" / "5 цаг", "2 days" / "2 хоног": CLDR's words for a length of time, rounded to its
    largest unit (23 hours read "1 day")."""
    return babel_dates.format_timedelta(span, locale=_locale(_language(language)))


def time_range(start: datetime, end: datetime, zone: str | tzinfo, *, language: str | None = None) -> str:
    """ "14:30 – 16:30" / "14:30–16:30": CLDR's interval format for hours and minutes."""
    locale = _locale(_language(language))
    return babel_dates.format_interval(_local(start, zone), _local(end, zone), "Hm", locale=locale)


def _join(date_text: str, time_text: str, width: str, locale: Locale) -> str:
    """A date and a time joined as CLDR's dateTimeFormat of that width says ("{1} {0}", "{1}, {0}")."""
    return str(locale.datetime_formats[width]).replace("{1}", date_text).replace("{0}", time_text)


def short_datetime(moment: datetime, zone: str | tzinfo, *, language: str | None = None) -> str:
    """ "2026.12.01 14:30" / "1 Dec 2026, 14:30" (history, idea threads, time off)."""
    lang = _language(language)
    return _join(short_date(moment, zone, language=lang), time(moment, zone, language=lang), "medium", _locale(lang))


def when(
    start: datetime,
    zone: str | tzinfo,
    *,
    end: datetime | None = None,
    with_zone: bool = True,
    language: str | None = None,
) -> str:
    """A session's time as a person says it: the weekday date, the time (or the range to `end`) and,
    unless with_zone is False, the zone: "2026 оны 12-р сарын 1, мягмар гараг 14:30 (Улаанбаатарын
    цагаар)" / "Tuesday, 1 December 2026, 14:30 (Ulaanbaatar time)"."""
    lang = _language(language)
    clock = time_range(start, end, zone, language=lang) if end is not None else time(start, zone, language=lang)
    text = _join(day(start, zone, language=lang), clock, "full", _locale(lang))
    return f"{text} ({zone_name(zone, language=lang)})" if with_zone else text


def when_short(moment: datetime, zone: str | tzinfo, *, language: str | None = None) -> str:
    """A moment in few words, for a mail's subject: "12-р сарын 1, 14:30" / "1 Dec, 14:30" (the
    mail's body names the year, weekday and zone)."""
    lang = _language(language)
    locale = _locale(lang)
    day_text = babel_dates.format_skeleton(_SHORT_DAY_SKELETON, _local(moment, zone), locale=locale)
    return f"{day_text}, {time(moment, zone, language=lang)}"


# --- zones ------------------------------------------------------------------------------------------

_LATIN = re.compile(r"[A-Za-z]")


@functools.cache
def _zone_name(zone: str, language: str) -> str:
    tz = ZoneInfo(zone)
    locale = _locale(language)
    if language == "mn":
        # CLDR's generic zone name ("Улаанбаатарын цаг", "Төв Европын цаг") in the instrumental case,
        # which is how Mongolian names the clock a time is told by: "Улаанбаатарын цагаар".
        name = babel_dates.get_timezone_name(tz, "long", zone_variant="generic", locale=locale)
        if _LATIN.search(name) or "(" in name:  # no CLDR name (Etc/..., legacy zones): the standard one
            name = babel_dates.get_timezone_name(tz, "long", zone_variant="standard", locale=locale)
        return name + "аар" if name.endswith("цаг") else name
    # English names the place: "Ulaanbaatar time", "Berlin time"; a zone that is no place ("UTC",
    # "Etc/GMT+5") by CLDR's standard name ("Coordinated Universal Time").
    if not is_place_zone(zone):
        return babel_dates.get_timezone_name(tz, "long", zone_variant="standard", locale=locale)
    return f"{babel_dates.get_timezone_location(tz, locale=locale, return_city=True)} time"


def zone_name(zone: str | tzinfo, *, language: str | None = None) -> str:
    """A zone as said after a time: "Улаанбаатарын цагаар" / "Ulaanbaatar time"."""
    return _zone_name(str(zone), _language(language))


@functools.cache
def _zone_label(zone: str, language: str) -> str:
    tz = ZoneInfo(zone)
    locale = _locale(language)
    city = babel_dates.get_timezone_location(tz, locale=locale, return_city=True)
    name = babel_dates.get_timezone_name(tz, "long", zone_variant="generic", locale=locale)
    return f"{city} ({name})"


def zone_label(zone: str, *, language: str | None = None) -> str:
    """A zone in a list to choose from: its city and CLDR's generic name, "Улаанбаатар
    (Улаанбаатарын цаг)" / "Berlin (Central European Time)"."""
    return _zone_label(zone, _language(language))


def is_place_zone(zone: str) -> bool:
    """A zone named after a place ("Asia/Ulaanbaatar"), not an offset or legacy alias ("Etc/GMT+5",
    "EST5EDT", "UTC"): the zones an artist picks from (CLDR names every one of them)."""
    return "/" in zone and not zone.startswith(("Etc/", "SystemV/"))


@functools.cache
def _zone_choices(zones: frozenset[str], language: str) -> list[tuple[str, str]]:
    return sorted(((z, _zone_label(z, language)) for z in zones if is_place_zone(z)), key=lambda c: c[1])


def zone_choices(zones: frozenset[str], *, current: str = "", language: str | None = None) -> list[tuple[str, str]]:
    """(zone, label) choices of the place zones among `zones`, by label, plus `current` if it is not
    one of them (an artist keeps a zone saved before)."""
    choices = _zone_choices(zones, _language(language))
    if current and not any(value == current for value, _ in choices):
        choices = [(current, current), *choices]
    return choices
