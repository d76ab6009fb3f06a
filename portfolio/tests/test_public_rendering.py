"""The public portfolio read answers exactly the bytes of PortfolioItemSerializer and the camelCase renderer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from djangorestframework_camel_case.render import CamelCaseJSONRenderer

from portfolio.models import PortfolioItem
from portfolio.serializers import PortfolioItemSerializer

pytestmark = pytest.mark.django_db


def _serializer_bytes(items, *, count, next_link=None, previous=None) -> bytes:
    data = {"count": count, "next": next_link, "previous": previous}
    data["results"] = PortfolioItemSerializer(items, many=True).data
    return CamelCaseJSONRenderer().render(data)


def test_the_public_portfolio_is_byte_for_byte_the_serializer_answer(api_client, tattooist):
    odd = 'Line\u2028sep \u2029 para, ünïcode "quoted" </script> \\ back'
    for n in range(25):
        PortfolioItem.objects.create(
            tattooist=tattooist,
            image_url=f"https://img.test/{n}.png",
            image_key=f"k/{tattooist.pk}/{n}",
            description=odd if n == 24 else f"item {n}",
            style_tags=["koi", "black and grey"] if n % 2 else [],
        )
    # a whole-second timestamp renders without microseconds on both paths
    PortfolioItem.objects.filter(description="item 0").update(created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    items = list(PortfolioItem.objects.filter(tattooist=tattooist).order_by("-created_at", "-id"))

    first = api_client.get(f"/api/portfolio/{tattooist.pk}")
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json"
    assert first.content == _serializer_bytes(
        items[:20], count=25, next_link=f"http://testserver/api/portfolio/{tattooist.pk}?page=2"
    )
    second = api_client.get(f"/api/portfolio/{tattooist.pk}?page=2")
    assert second.content == _serializer_bytes(
        items[20:], count=25, previous=f"http://testserver/api/portfolio/{tattooist.pk}"
    )
    assert "\u2028" not in second.content.decode()


def test_an_empty_portfolio_and_bad_pages_keep_their_answers(api_client, tattooist):
    empty = api_client.get(f"/api/portfolio/{tattooist.pk}")
    assert empty.content == _serializer_bytes([], count=0)
    bad = api_client.get(f"/api/portfolio/{tattooist.pk}?page=9")
    assert bad.status_code == 400
    assert "page" in bad.json()["fields"]
