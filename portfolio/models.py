from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tattoo.core.models import ImageFields, TimeStampedModel


class PortfolioItem(TimeStampedModel, ImageFields):
    tattooist = models.ForeignKey(
        "accounts.Tattooist", verbose_name=_("tattooist"), on_delete=models.CASCADE, related_name="portfolio_items"
    )
    image_url = models.URLField(verbose_name=_("image URL"), max_length=1024)
    # The bucket key behind image_url; deleting the item deletes this object.
    image_key = models.CharField(verbose_name=_("image key"), max_length=512)
    description = models.TextField(verbose_name=_("description"), blank=True, max_length=2000)
    style_tags = ArrayField(
        models.CharField(max_length=32), verbose_name=_("style tags"), default=list, blank=True, size=20
    )

    class Meta:
        db_table = "portfolios"
        verbose_name = _("portfolio item")
        verbose_name_plural = _("portfolio items")
        indexes = [
            models.Index(fields=["tattooist", "-created_at", "-id"], name="portfolios_tattooist_new_idx"),
            GinIndex(fields=["style_tags"], name="portfolios_style_tags_gin"),
        ]
        constraints = [
            # Deleting an item deletes its object, so no two items may share one.
            models.UniqueConstraint(fields=["image_key"], name="portfolios_image_key_unique"),
        ]

    def __str__(self) -> str:
        return gettext("portfolio image #%(number)s") % {"number": self.pk}
