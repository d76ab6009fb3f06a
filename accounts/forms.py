from __future__ import annotations

from django import forms

from accounts.models import Role
from tattoo.core.forms import PageForm


class SignupForm(PageForm):
    role = forms.ChoiceField(
        label="I am a",
        choices=[(Role.CUSTOMER, "Customer looking for an artist"), (Role.TATTOOIST, "Tattoo artist")],
        initial=Role.CUSTOMER,
        widget=forms.RadioSelect(attrs={"data-role-choice": ""}),
    )
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        max_length=128,
        strip=False,
        help_text="At least 8 characters; not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    bio = forms.CharField(
        label="Bio (artists)",
        max_length=4000,
        required=False,
        help_text="Shown on your public page: your styles, experience and studio.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class LoginForm(PageForm):
    email = forms.CharField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        max_length=128, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    otp = forms.CharField(
        label="One-time code (staff only)",
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeForm(PageForm):
    current_password = forms.CharField(
        max_length=128, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        max_length=128,
        strip=False,
        help_text="At least 8 characters; not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label="New password again",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password_again") not in (None, data["new_password"]):
            self.add_error("new_password_again", "The two new passwords differ.")
        return data


class ArtistSearchForm(PageForm):
    q = forms.CharField(label="Search", max_length=100, required=False)
    style = forms.ChoiceField(label="Style", required=False, choices=[("", "Any style")])

    def __init__(self, *args, styles: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["style"].choices = [("", "Any style"), *((s, s) for s in styles)]


class PasswordResetForm(PageForm):
    email = forms.CharField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class PasswordResetConfirmForm(PageForm):
    new_password = forms.CharField(
        max_length=128,
        strip=False,
        help_text="At least 8 characters; not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
