from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def status_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    """A CHECK constraint that keeps a status column inside its TextChoices."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)


class TimeStampedModel(models.Model):
    """`created_at` (set once, on insert) and `updated_at` (set on every save, and by
    tattoo.core.services.model_update when it writes), for a model that keeps both.

    HackSoft's BaseModel (https://github.com/HackSoftware/Django-Styleguide-Example,
    `styleguide_example/common/models.py`) declares `created_at` with `db_index=True,
    default=timezone.now`; these keep the columns the tables already have: `auto_now_add` (not
    editable, so no form or serializer offers it, and no index a table did not ask for)."""

    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class CacheVersion(models.Model):
    """A counter per cached public resource ("catalog", "artist:<id>"), bumped after every write.

    It lives in PostgreSQL, not the process-local cache, so every worker process sees a bump at
    once: a rendered answer or an ETag minted before the write can never be served after it.
    """

    key = models.CharField(verbose_name=_("key"), max_length=64, primary_key=True)
    version = models.BigIntegerField(verbose_name=_("version"), default=0)

    class Meta:
        db_table = "cache_versions"

    def __str__(self) -> str:
        return f"{self.key}@{self.version}"


class IdempotencyStatus(models.TextChoices):
    IN_FLIGHT = "in_flight", "In flight"  # claimed; the first request is still running
    DONE = "done", "Done"  # the first request's response is stored for replay


class IdempotencyKey(models.Model):
    """One client-chosen `Idempotency-Key` per user (tattoo/core/idempotency.py), kept at least 24 h."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(verbose_name=_("key"), max_length=255)
    request_hash = models.CharField(
        verbose_name=_("request hash"), max_length=64
    )  # sha256 of method, path and canonical JSON body
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=IdempotencyStatus.choices, default=IdempotencyStatus.IN_FLIGHT
    )
    response_status = models.PositiveSmallIntegerField(verbose_name=_("response status"), null=True, blank=True)
    response_body = models.JSONField(verbose_name=_("response body"), null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "idempotency_keys"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_keys_user_key_uniq"),
            status_check("status", IdempotencyStatus, "idempotency_keys_status_valid"),
            # a finished key always has something to replay
            models.CheckConstraint(
                condition=Q(status=IdempotencyStatus.IN_FLIGHT) | Q(response_status__isnull=False),
                name="idempotency_keys_done_has_response",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_keys_created_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} ({self.status})"


class PendingObjectDeletion(TimeStampedModel):
    """A bucket object waiting to be deleted (tattoo/core/uploads/writes.py object_delete_later): written
    in the transaction that deletes the record naming it; retried by the jobs worker and
    `manage.py retry_object_deletes` until the bucket confirms."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(verbose_name=_("key"), max_length=512, unique=True)
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)

    class Meta:
        db_table = "pending_object_deletions"
        verbose_name = _("bucket object to delete")
        verbose_name_plural = _("bucket objects to delete")

    def __str__(self) -> str:
        return gettext("bucket object %(key)s to delete") % {"key": self.key}


class ImageFields(models.Model):
    """What a record carrying an image keeps besides its key and URL (tattoo/core/images.py): the
    served copy's size in pixels (set by the attach, which re-encodes it; null for an image written
    before the pipeline, which the images sweep re-encodes) and the widths of the WebP variants
    made so far (the variants job fills it)."""

    image_width = models.PositiveIntegerField(verbose_name=_("image width"), null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(verbose_name=_("image height"), null=True, blank=True, editable=False)
    image_variants = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("image variants"),
        default=list,
        # also in the database: rows written with SQL (bench/seed.py) start with no variants
        db_default=models.Value([], output_field=ArrayField(models.PositiveSmallIntegerField())),
        blank=True,
        editable=False,
        help_text=_("Widths of the WebP variants made."),
    )

    class Meta:
        abstract = True
