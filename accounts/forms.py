from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
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


class ArtistSearchForm(PageForm):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    style = forms.ChoiceField(label=_("Style"), required=False, choices=[("", _("Any style"))])

    def __init__(self, *args, styles: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["style"].choices = [("", _("Any style")), *((s, s) for s in styles)]


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
