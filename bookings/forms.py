"""Page forms for booking, the artist's hours, time off and settings.

They only shape the input for rendering; the rules live in the API's serializers (reused through
`apply_serializer`) and the services, so a page and the API can never disagree.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings import consent
from bookings.models import Availability
from bookings.services.schedule import known_timezones
from tattoo.core.forms import PageForm
from tattoo.core.l10n import zone_choices


def apply_serializer(form: forms.Form, serializer_class, data: dict, field_map: dict[str, str] | None = None):
    """Validate `data` with the API's serializer; its errors go next to the form's fields.

    Returns the validated data, or None when the serializer refused it.
    """
    serializer = serializer_class(data=data)
    if serializer.is_valid():
        return serializer.validated_data
    for key, messages in serializer.errors.items():
        name = (field_map or {}).get(key, key)
        target = name if name in form.fields else None
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(target, str(message))
    return None


class BookingForm(PageForm):
    # A plain field with a select widget: the service, not the choice list, decides whether a
    # slot is still free (a slot taken since the page loaded gets the friendly "slot taken").
    slot = forms.CharField(label=_("Time"), widget=forms.Select(attrs={"data-slot-select": ""}))
    notes = forms.CharField(
        label=_("Notes for the artist"),
        max_length=2000,
        required=False,
        help_text=_("Idea, placement, size; you can add reference images on the booking page."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    deposit_amount = forms.DecimalField(
        label=_("Deposit (MNT)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text=_("Paid with QPay to hold the slot."),
    )

    def __init__(self, *args, slot_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].widget.choices = slot_choices


class AvailabilityForm(PageForm):
    day = forms.TypedChoiceField(label=_("Day"), coerce=int, choices=Availability.Day.choices)
    start_time = forms.CharField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.CharField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))


class TimeOffForm(PageForm):
    starts_at = forms.DateTimeField(
        label=_("Away from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label=_("Back at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class SettingsForm(PageForm):
    timezone = forms.ChoiceField(label=_("Time zone"))
    session_minutes = forms.IntegerField(label=_("Session length (minutes)"))
    min_deposit = forms.DecimalField(label=_("Minimum deposit (MNT)"), max_digits=12, decimal_places=2)
    deposit_refundable_hours = forms.IntegerField(
        required=False,  # left out: unchanged
        label=_("Deposit refundable until (hours before the start)"),
        help_text=_("A customer who cancels earlier gets the deposit back; later, you keep it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The place zones, named in the page's language (CLDR: "Улаанбаатар (Улаанбаатарын цаг)").
        current = self.initial.get("timezone") or ""
        self.fields["timezone"].choices = zone_choices(known_timezones(), current=current)


class PortfolioUploadForm(PageForm):
    """Rendered for the upload script; the image goes straight to the bucket, never through Django."""

    image = forms.ImageField(
        label=_("Image"),
        help_text=_("JPEG, PNG or WebP."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    tags = forms.CharField(
        label=_("Styles"), required=False, help_text=_("Comma separated, e.g. fine line, blackwork.")
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ConsentForm(PageForm):
    """The consent form's page (bookings/views.py): each yes/no question must be answered; the
    rules (age, signature, agreement) are bookings/consent.py's, as for the API."""

    date_of_birth = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    allergies = forms.CharField(label="", max_length=500, required=False)
    medications = forms.CharField(label="", max_length=500, required=False)
    notes = forms.CharField(
        label=_("Anything else the artist should know"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signature = forms.CharField(
        label=_("Your full name, as your signature"), max_length=120, help_text=_("Type your first and last name.")
    )
    agree = forms.BooleanField(
        label=_(
            "My answers are true. I understand the risks of a tattoo and the aftercare it needs, and I agree to "
            "the session."
        ),
        error_messages={"required": _("Tick the box to agree.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in consent.QUESTIONS:
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer yes or no.")},
            )
        for name, label in consent.TEXT_ANSWERS:
            self.fields[name].label = label
        order = ["date_of_birth", *(n for n, _l in consent.QUESTIONS), "allergies", "medications", "notes"]
        self.order_fields([*order, "signature", "agree"])

    def answers(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] == "yes" for name, _label in consent.QUESTIONS}
        values |= {name: data[name].strip() for name in ("allergies", "medications", "notes")}
        return {consent._camel(name): value for name, value in values.items()}
