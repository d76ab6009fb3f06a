"""Page forms of custom work. They shape the input for rendering; the rules are the services'
(consultations/services/), whose refusals land next to the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import SESSIONS, SIZE_CM, Colour, DepositAppliesTo, Placement
from tattoo.core.forms import PageForm

_NUMBER = {"inputmode": "numeric", "pattern": "[0-9]*"}


class RequestForm(PageForm):
    description = forms.CharField(
        label=_("Your idea"),
        max_length=4000,
        help_text=_("What the tattoo shows, its style, anything the artist should know."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    placement = forms.ChoiceField(label=_("Where on the body"), choices=Placement.choices)
    width_cm = forms.IntegerField(
        label=_("Width (cm)"), min_value=SIZE_CM[0], max_value=SIZE_CM[1], widget=forms.NumberInput(attrs=_NUMBER)
    )
    height_cm = forms.IntegerField(
        label=_("Height (cm)"), min_value=SIZE_CM[0], max_value=SIZE_CM[1], widget=forms.NumberInput(attrs=_NUMBER)
    )
    colour = forms.ChoiceField(label=_("Colour"), choices=Colour.choices, widget=forms.RadioSelect)
    budget_max = forms.DecimalField(
        label=_("Budget up to (₮)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=0,
        widget=forms.NumberInput(attrs=_NUMBER),
    )
    availability_note = forms.CharField(
        label=_("When you can come"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Days of the week, times, how soon."),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        help_text=_("Inkbook artists tattoo people of 18 and over only. The artist does not see it."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class MessageForm(PageForm):
    body = forms.CharField(
        label=_("Message"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineForm(PageForm):
    reason = forms.CharField(
        label=_("Why you decline"),
        max_length=1000,
        help_text=_("The customer reads it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


EXPIRY_CHOICES = [(24, _("1 day")), (72, _("3 days")), (168, _("7 days")), (336, _("14 days"))]


class QuoteForm(PageForm):
    price_min = forms.DecimalField(
        label=_("Price from (₮)"), min_value=0, max_digits=12, decimal_places=0, widget=forms.NumberInput(attrs=_NUMBER)
    )
    price_max = forms.DecimalField(
        label=_("Price up to (₮)"),
        min_value=0,
        max_digits=12,
        decimal_places=0,
        widget=forms.NumberInput(attrs=_NUMBER),
    )
    sessions = forms.IntegerField(label=_("Sessions"), min_value=SESSIONS[0], max_value=SESSIONS[1], initial=1)
    session_minutes = forms.IntegerField(widget=forms.HiddenInput)
    deposit_amount = forms.DecimalField(
        label=_("Deposit (₮)"),
        min_value=1,
        max_digits=12,
        decimal_places=0,
        help_text=_("Paid with QPay when the customer accepts; it holds the first session."),
        widget=forms.NumberInput(attrs=_NUMBER),
    )
    deposit_applies_to = forms.ChoiceField(
        label=_("The deposit counts toward"),
        choices=DepositAppliesTo.choices,
        initial=DepositAppliesTo.FIRST,
        widget=forms.RadioSelect,
    )
    proposed_slots = forms.MultipleChoiceField(
        label=_("Start times to propose (1 to 5)"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "slot-picker"}),
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    expires_in_hours = forms.TypedChoiceField(
        label=_("The quote stays open for"), coerce=int, choices=EXPIRY_CHOICES, initial=72
    )

    def __init__(self, *args, slot_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposed_slots"].choices = slot_choices


class ChooseSlotForm(PageForm):
    slot = forms.ChoiceField(label=_("Start"))

    def __init__(self, *args, slot_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = slot_choices
