"""Reviews of completed sessions, the artist's reply, the healed photo and staff moderation."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tattoo.core.models import ImageFields, TimeStampedModel, status_check

RATING_MIN, RATING_MAX = 1, 5
TEXT_MAX = 2000


class Review(TimeStampedModel, ImageFields):
    """One per completed booking, by its customer, published at once (docs/api.md, "After the
    session"). A hidden review (staff, with a reason: ReviewModeration) is out of the public list
    and out of the artist's `rating_count`/`rating_sum` (reviews/services.py keeps both exact). The
    image columns hold the healed photo (a public image kind, "reviews"), empty until one is added."""

    booking = models.OneToOneField(
        "bookings.Booking", verbose_name=_("booking"), on_delete=models.PROTECT, related_name="review"
    )
    tattooist = models.ForeignKey(
        "accounts.Tattooist", verbose_name=_("tattooist"), on_delete=models.PROTECT, related_name="reviews"
    )
    customer = models.ForeignKey(
        "accounts.User", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="reviews_written"
    )
    rating = models.PositiveSmallIntegerField(verbose_name=_("rating"))
    text = models.TextField(verbose_name=_("text"), blank=True, max_length=TEXT_MAX)
    reply = models.TextField(verbose_name=_("reply"), blank=True, max_length=TEXT_MAX)
    replied_at = models.DateTimeField(verbose_name=_("replied at"), null=True, blank=True)
    hidden_at = models.DateTimeField(verbose_name=_("hidden at"), null=True, blank=True)
    hidden_reason = models.TextField(verbose_name=_("reason for hiding"), blank=True, max_length=TEXT_MAX)
    image_url = models.URLField(verbose_name=_("healed photo URL"), max_length=1024, blank=True, default="")
    image_key = models.CharField(verbose_name=_("healed photo key"), max_length=512, blank=True, default="")
    photo_added_at = models.DateTimeField(verbose_name=_("healed photo added at"), null=True, blank=True)

    class Meta:
        db_table = "reviews"
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [
            # the public list: an artist's published reviews, newest first
            models.Index(
                fields=["tattooist", "-created_at", "-id"],
                name="reviews_published_idx",
                condition=Q(hidden_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX), name="reviews_rating_range"
            ),
            # Replacing or deleting a photo deletes its object, so no two reviews may share one.
            models.UniqueConstraint(fields=["image_key"], condition=~Q(image_key=""), name="reviews_image_key_unique"),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="reviews_hidden_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return gettext("review #%(number)s of booking #%(booking)s") % {"number": self.pk, "booking": self.booking_id}

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ModerationAction(models.TextChoices):
    HIDDEN = "hidden", _("Hidden")  # out of the public list and the average
    SHOWN = "shown", _("Shown again")  # back in both


class ReviewModeration(models.Model):
    """The audit trail of staff hiding (or showing again) a review: who, when, why."""

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="moderation")
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("staff member"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(verbose_name=_("action"), max_length=16, choices=ModerationAction.choices)
    reason = models.TextField(verbose_name=_("reason"), max_length=TEXT_MAX)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "review_moderation"
        verbose_name = _("review moderation")
        verbose_name_plural = _("review moderation")
        ordering = ["created_at", "id"]
        constraints = [status_check("action", ModerationAction, "review_moderation_action_valid")]

    def __str__(self) -> str:
        return gettext("review #%(number)s: %(action)s") % {
            "number": self.review_id,
            "action": self.get_action_display(),
        }
