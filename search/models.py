from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArtistSearchEntry(models.Model):
    """What the text search reads of one artist, in the search key's alphabet (docs/search.md):
    derived from the artist's name, studio, portfolio tags and bio by search.services only."""

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

    class Meta:
        db_table = "artist_search"
        verbose_name = _("artist search entry")
        verbose_name_plural = _("artist search entries")
        indexes = [
            GinIndex(fields=["document"], name="artist_search_document_gin"),
            GinIndex(OpClass("names", name="gin_trgm_ops"), name="artist_search_names_trgm"),
        ]

    def __str__(self) -> str:
        return f"search entry of {self.tattooist_id}"
