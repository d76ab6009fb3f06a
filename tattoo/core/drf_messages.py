"""Django REST framework ships no Mongolian catalogue: the messages of its own that reach people
through the API (docs/i18n.md) are listed here, so `makemessages` puts them in our catalogue and
DRF's own gettext calls find their Mongolian there (LOCALE_PATHS comes first). Never imported."""

from django.utils.translation import gettext_noop

DRF_MESSAGES = [
    gettext_noop("Malformed request."),
    gettext_noop("Incorrect authentication credentials."),
    gettext_noop("Authentication credentials were not provided."),
    gettext_noop("You do not have permission to perform this action."),
    gettext_noop("Not found."),
    gettext_noop('Method "{method}" not allowed.'),
    gettext_noop('Unsupported media type "{media_type}" in request.'),
    gettext_noop("Request was throttled."),
    # Throttled's suffix: DRF formats these two lazy texts (in the request's language, so from our
    # catalogue) before its ngettext call, which then finds no entry and keeps them as they are.
    gettext_noop("Expected available in {wait} second."),
    gettext_noop("Expected available in {wait} seconds."),
    gettext_noop("Invalid page."),
    gettext_noop("This field is required."),
    gettext_noop("This field may not be null."),
    gettext_noop("This field may not be blank."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop("Ensure this field has at least {min_length} characters."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("A valid integer is required."),
    gettext_noop("A valid number is required."),
    gettext_noop('"{input}" is not a valid choice.'),
    gettext_noop("Datetime has wrong format. Use one of these formats instead: {format}."),
]
