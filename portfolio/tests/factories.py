from __future__ import annotations

import uuid

import factory

from accounts.tests.factories import TattooistFactory
from portfolio.models import PortfolioItem
from tattoo.core.models import PendingObjectDeletion


class PortfolioItemFactory(factory.django.DjangoModelFactory):
    """A portfolio item whose image key is under its artist's own prefix (as uploads make them);
    `image_url` defaults to a URL outside the bucket, so nothing tries to fetch it."""

    class Meta:
        model = PortfolioItem

    tattooist = factory.SubFactory(TattooistFactory)
    image_key = factory.LazyAttribute(lambda o: f"portfolio/{o.tattooist.user_id}/{uuid.uuid4()}.png")
    image_url = factory.LazyAttribute(lambda o: f"https://img.test/{o.image_key}")
    description = ""
    style_tags = factory.LazyFunction(list)


class PendingObjectDeletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PendingObjectDeletion

    key = factory.LazyFunction(lambda: f"portfolio/0/{uuid.uuid4()}.png")
