from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tattoo.core.models import ImageFields, TimeStampedModel


class TattooIdea(TimeStampedModel, ImageFields):
    booking = models.ForeignKey(
        "bookings.Booking", verbose_name=_("booking"), on_delete=models.CASCADE, related_name="ideas"
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), on_delete=models.PROTECT, related_name="tattoo_ideas"
    )
    image_url = models.URLField(verbose_name=_("image URL"), max_length=1024, blank=True)
    image_key = models.CharField(verbose_name=_("image key"), max_length=512, blank=True)
    # Blank only with an image: an idea is a description, an image, or both (ideas.services).
    description = models.TextField(verbose_name=_("description"), max_length=4000, blank=True)

    class Meta:
        db_table = "tattoo_ideas"
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["booking", "created_at"], name="tattoo_ideas_booking_idx")]
        constraints = [
            # One object, one idea: deleting an idea removes its object, which must not pull the
            # image from under another idea.
            models.UniqueConstraint(
                fields=["image_key"], condition=~models.Q(image_key=""), name="tattoo_ideas_image_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return gettext("idea #%(number)s on booking #%(booking)s") % {"number": self.pk, "booking": self.booking_id}
