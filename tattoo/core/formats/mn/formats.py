"""Mongolian formats (over Django's mn/formats.py): "2026.12.01" short, 24-hour times, weeks from
Monday. The long date form is H2's to finish (docs/i18n.md)."""

DATE_FORMAT = r"Y \о\н\ы F\ы\н j"
SHORT_DATE_FORMAT = "Y.m.d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"Y \о\н\ы F\ы\н j, H:i"
SHORT_DATETIME_FORMAT = "Y.m.d H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = "\u202f"
NUMBER_GROUPING = 3
