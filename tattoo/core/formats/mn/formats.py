"""Mongolian formats for Django's own date filters, the admin and the page scripts' get_format (over
Django's mn/formats.py, whose time is 12-hour). The product's texts are written by
tattoo/core/l10n.py from CLDR's mn data; these say the same: "2026.12.01" short (CLDR short),
"2026 оны 12-р сарын 1" (CLDR medium), 24-hour times, weeks from Monday, "1,234" numbers."""

DATE_FORMAT = r"Y \о\н\ы F\ы\н j"
SHORT_DATE_FORMAT = "Y.m.d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"Y \о\н\ы F\ы\н j, H:i"
SHORT_DATETIME_FORMAT = "Y.m.d H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
