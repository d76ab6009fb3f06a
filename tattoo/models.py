from django.db import models


def status_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    """A CHECK constraint that keeps a status column inside its TextChoices."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)


class CacheVersion(models.Model):
    """A counter per cached public resource ("catalog", "artist:<id>"), bumped after every write.

    It lives in PostgreSQL, not the process-local cache, so every worker process sees a bump at
    once: a rendered answer or an ETag minted before the write can never be served after it.
    """

    key = models.CharField(max_length=64, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = "cache_versions"

    def __str__(self) -> str:
        return f"{self.key}@{self.version}"
