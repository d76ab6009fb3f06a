from __future__ import annotations

import pytest

from portfolio.models import PortfolioItem
from testing.clients import client_for
from testing.races import hammer
from testing.s3 import upload_via_presign


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_one_image_becomes_one_item_when_twenty_requests_race(s3_server, tattooist):
    up = upload_via_presign(client_for(tattooist.user), folder="portfolio")
    clients = [client_for(tattooist.user) for _ in range(20)]

    def attempt(i):
        return clients[i].post("/api/portfolio", {"imageUrl": up.public_url}, format="json").status_code

    results = hammer(attempt, n=20)
    assert sorted(results) == [201] + [409] * 19
    assert PortfolioItem.objects.filter(image_key=up.attached_key).count() == 1
