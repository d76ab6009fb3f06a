from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArtistSearchEntry(models.Model):
    """What the search reads of one artist beyond the artist's own row (docs/search.md): the text
    in the search key's alphabet, the portfolio's tags and its newest item, so the list filters by
    style and draws its cards by joining one row per artist instead of reading the portfolio.
    Derived from the artist's name, studio, portfolio and bio by search.services only."""

    tattooist = models.OneToOneField(
        "accounts.Tattooist",
        verbose_name=_("tattooist"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_entry",
    )
    # inkbook_search_key(name, studio, tags): matched by trigram word similarity (small typos)
    names = models.TextField(verbose_name=_("names"), default="")
    # name (weight A), studio (B), tags (C), bio (D), each through inkbook_search_key: prefix matches
    document = SearchVectorField(verbose_name=_("document"), null=True)
    # Every tag of the portfolio, the most used first (ties by name): the cards' styles, the style filter.
    styles = ArrayField(models.CharField(max_length=32), verbose_name=_("styles"), default=list, blank=True)
    # The newest portfolio item (created_at, then id): the card's picture.
    cover = models.ForeignKey(
        "portfolio.PortfolioItem",
        verbose_name=_("cover"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = "artist_search"
        verbose_name = _("artist search entry")
        verbose_name_plural = _("artist search entries")
        indexes = [
            GinIndex(fields=["document"], name="artist_search_document_gin"),
            GinIndex(OpClass("names", name="gin_trgm_ops"), name="artist_search_names_trgm"),
            GinIndex(fields=["styles"], name="artist_search_styles_gin"),
        ]

    def __str__(self) -> str:
        return f"search entry of {self.tattooist_id}"
