"""What the home page (the search) shows, apart from rendering: the page view (tattoo/site/views/public.py)
asks `search_page` for its context."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import District, SpokenLanguage
from search.forms import ArtistSearchForm
from search.selectors import ArtistQuery, artist_search, style_tags_public
from search.serializers import ArtistListQuerySerializer
from tattoo.core.l10n import money

ARTISTS_PER_PAGE = 12
# Not filters: they never narrow the list.
_NOT_FILTERS = ("page", "pageSize", "sort")


@dataclass(frozen=True)
class Loosen:
    """One filter in force, and the same search without it."""

    label: str
    url: str


def _filter_label(name: str, value: str, query: ArtistQuery) -> str:
    if name == "q":
        return _("“%(text)s”") % {"text": value}
    if name == "district":
        return _("district %(name)s") % {"name": District(value).label}
    if name == "language":
        return _("speaks %(language)s") % {"language": SpokenLanguage(value).label}
    if name == "priceMax":
        return _("price from at most %(amount)s") % {"amount": money(query.price_max)}
    if name == "minRating":
        return _("rated %(rating)s or more") % {"rating": value}
    if name == "availableFrom":
        return _("free from %(day)s") % {"day": date_format(query.available_from, "SHORT_DATE_FORMAT")}
    if name == "availableTo":
        return _("free until %(day)s") % {"day": date_format(query.available_to, "SHORT_DATE_FORMAT")}
    if name == "style":
        return _("style %(style)s") % {"style": value}
    return _("city %(city)s") % {"city": value}


def loosen_links(params: dict[str, str], query: ArtistQuery, path: str) -> list[Loosen]:
    """For an empty result: each filter in force with a link to the same search without it."""
    used = {name: value for name, value in params.items() if value and name not in _NOT_FILTERS}
    links = []
    for name, value in used.items():
        rest = {k: v for k, v in params.items() if k != name and v and k != "page"}
        links.append(Loosen(_filter_label(name, value, query), path + ("?" + urlencode(rest) if rest else "")))
    return links


def search_page(request) -> tuple[dict, int]:
    """The home page's context and status: the form, the page of artists (or, for bad filters, the
    errors next to them and a 400) and, when nothing matches, what to loosen."""
    params = {name: request.GET.get(name, "") for name in ArtistListQuerySerializer.parameter_names()}
    params = {name: value for name, value in params.items() if value and name not in ("page", "pageSize")}
    styles = style_tags_public()
    checked = ArtistListQuerySerializer(data=params)
    if not checked.is_valid():
        # The serializer's words next to the fields, once (not the form's own on top of them).
        form = ArtistSearchForm(params, styles=styles)
        form.full_clean()
        form._errors = ErrorDict()
        for name, messages in checked.errors.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, str(message))
        return {"form": form, "page": None, "filtered": True, "invalid": True}, 400
    form = ArtistSearchForm(initial=params, styles=styles)
    query = checked.to_query()
    page = Paginator(artist_search(query), ARTISTS_PER_PAGE).get_page(request.GET.get("page"))
    filtered = any(name not in _NOT_FILTERS for name in params)
    context = {
        "form": form,
        "page": page,
        "filtered": filtered,
        "invalid": False,
        "sort": query.order,
        "loosen": loosen_links(params, query, request.path) if filtered and not page.paginator.count else [],
    }
    return context, 200
