from django.db import models


def status_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    """A CHECK constraint that keeps a status column inside its TextChoices."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)
