"""English formats for Django's own date filters, the admin and the page scripts' get_format (over
Django's en/formats.py). The product's texts are written by tattoo/core/l10n.py from CLDR's en_GB
data; these say the same: day before month, the 24-hour clock, weeks from Monday."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
