"""Page forms of reviews: they shape the input; reviews/services.py decides, as for the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models import RATING_MAX, RATING_MIN, TEXT_MAX
from tattoo.core.forms import PageForm

STARS = [(n, "★" * n) for n in range(RATING_MAX, RATING_MIN - 1, -1)]


class ReviewForm(PageForm):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=STARS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Give 1 to 5 stars.")},
    )
    text = forms.CharField(
        label=_("Your review"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How was the session, the studio, the result? It is published at once with your first name."),
    )


class ReplyForm(PageForm):
    text = forms.CharField(label=_("Your reply"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
