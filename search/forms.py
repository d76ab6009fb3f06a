"""The home page's search form. It only shapes the page: the parameters are the API's (same names
in the URL), judged by search.serializers.ArtistListQuerySerializer."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import District, SpokenLanguage
from tattoo.core.forms import PageForm

SORT_CHOICES = [
    ("", _("Best match")),
    ("rating", _("Top rated")),
    ("price", _("Lowest price")),
    ("soonest", _("Free soonest")),
    ("newest", _("Newest")),
]
RATING_CHOICES = [("", _("Any rating")), ("3", _("3 and up")), ("4", _("4 and up")), ("4.5", _("4.5 and up"))]
# Shown folded under "More filters" unless one of them is in use.
MORE_FILTERS = ("language", "priceMax", "minRating", "availableFrom", "availableTo", "city")


class ArtistSearchForm(PageForm):
    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, studio or style, in either script"),
                "enterkeyhint": "search",
            }
        ),
    )
    district = forms.ChoiceField(label=_("District"), required=False)
    style = forms.ChoiceField(label=_("Style"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    language = forms.ChoiceField(label=_("Speaks"), required=False)
    priceMax = forms.IntegerField(
        label=_("Price from at most (MNT)"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "10000"}),
    )
    minRating = forms.ChoiceField(label=_("Rating"), required=False, choices=RATING_CHOICES)
    availableFrom = forms.DateField(
        label=_("Free from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    availableTo = forms.DateField(
        label=_("Free until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    city = forms.CharField(label=_("City"), max_length=80, required=False)

    def __init__(self, *args, styles: Sequence[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["style"].choices = [("", _("Any style")), *((s, s) for s in styles)]
        self.fields["district"].choices = [("", _("Any district")), *District.choices]
        self.fields["language"].choices = [("", _("Any language")), *SpokenLanguage.choices]

    @property
    def more_filters_open(self) -> bool:
        values = self.data if self.is_bound else self.initial
        return any(values.get(name) for name in MORE_FILTERS)
