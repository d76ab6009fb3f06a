from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import HEAL_DAYS, BookingMode, District, Role, SpokenLanguage
from tattoo.core.forms import PageForm


class SignupForm(PageForm):
    role = forms.ChoiceField(
        label=_("I am a"),
        choices=[(Role.CUSTOMER, _("Customer looking for an artist")), (Role.TATTOOIST, _("Tattoo artist"))],
        initial=Role.CUSTOMER,
        widget=forms.RadioSelect(attrs={"data-role-choice": ""}),
    )
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters; not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    bio = forms.CharField(
        label=_("Bio (artists)"),
        max_length=4000,
        required=False,
        help_text=_("Shown on your public page: your styles, experience and studio."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class LoginForm(PageForm):
    email = forms.CharField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp = forms.CharField(
        label=_("One-time code (staff only)"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeForm(PageForm):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters; not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password_again") not in (None, data["new_password"]):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class PasswordResetForm(PageForm):
    email = forms.CharField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class PasswordResetConfirmForm(PageForm):
    new_password = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters; not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ArtistProfileForm(PageForm):
    """The dashboard's public profile form; the rules are the API's (accounts.serializers,
    accounts.profile), applied through bookings.forms.apply_serializer."""

    studio_name = forms.CharField(label=_("Studio name"), max_length=120, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    district = forms.ChoiceField(
        label=_("District"),
        required=False,
        choices=[("", _("Not in Ulaanbaatar / not said")), *District.choices],
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        help_text=_("Shown on your public page, e.g. the building and the floor."),
    )
    price_from = forms.IntegerField(
        label=_("Price from (MNT)"),
        required=False,
        min_value=0,
        help_text=_("Your smallest piece, in whole tögrög; empty if you would rather not say."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1000"}),
    )
    hourly_rate = forms.IntegerField(
        label=_("Hourly rate (MNT)"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1000"}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        required=False,
        choices=SpokenLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    instagram = forms.CharField(
        label=_("Instagram"), max_length=40, required=False, help_text=_("Your Instagram name, without the @.")
    )
    booking_mode = forms.ChoiceField(
        label=_("How customers reach you"),
        choices=BookingMode.choices,
        widget=forms.RadioSelect,
    )
    heal_days = forms.IntegerField(
        label=_("Healing time between sessions (days)"),
        min_value=HEAL_DAYS[0],
        max_value=HEAL_DAYS[1],
        help_text=_("For work in several sessions: 14 to 90 days."),
    )
    aftercare_text = forms.CharField(
        label=_("Aftercare instructions"),
        max_length=4000,
        required=False,
        help_text=_("Mailed to your customers after a session; empty: Inkbook's default text."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my photo"), required=False)

    @classmethod
    def initial_for(cls, artist) -> dict:
        initial = {name: getattr(artist, name) for name in cls.base_fields if name != "remove_avatar"}
        for name in ("price_from", "hourly_rate"):
            if initial[name] is not None:
                initial[name] = int(initial[name])
        return initial
