"""PATCH /api/tattooists/me: the public profile's fields (docs/search.md), the avatar through the
bucket, and 400 on every bad value with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Tattooist
from tattoo.core import uploads
from testing.clients import client_for
from testing.s3 import http, upload_via_presign

pytestmark = pytest.mark.django_db

PROFILE = {
    "studioName": "Black Orchid",
    "city": "Дархан",
    "district": "",
    "address": "4-р баг, Төв зах",
    "priceFrom": 150000,
    "hourlyRate": "120000.00",
    "languages": ["en", "mn", "en"],
    "instagram": "@saraa.ink",
    "bookingMode": "request",
    "healDays": 28,
    "aftercareText": "Keep it clean and out of the sun for two weeks.",
}


def patch(tattooist, body):
    return client_for(tattooist.user).patch("/api/tattooists/me", body, format="json")


def test_an_artist_sets_every_profile_field(tattooist):
    response = patch(tattooist, PROFILE)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert {k: body[k] for k in PROFILE} == {
        **PROFILE,
        "priceFrom": "150000.00",
        "hourlyRate": "120000.00",
        "languages": ["mn", "en"],  # known codes once, in a fixed order
        "instagram": "saraa.ink",  # a handle is kept without its @
    }
    tattooist.refresh_from_db()
    assert (tattooist.city, tattooist.price_from, tattooist.heal_days) == ("Дархан", Decimal("150000.00"), 28)
    me = client_for(tattooist.user).get("/api/auth/me").json()["tattooist"]
    assert me["studioName"] == "Black Orchid"
    assert me["aftercareText"].startswith("Keep it clean")


def test_the_defaults_are_the_contracts(tattooist):
    body = client_for(tattooist.user).get("/api/auth/me").json()["tattooist"]
    assert {k: body[k] for k in ("city", "district", "bookingMode", "healDays", "priceFrom", "hourlyRate")} == {
        "city": "Улаанбаатар",
        "district": "",
        "bookingMode": "both",
        "healDays": 21,
        "priceFrom": None,
        "hourlyRate": None,
    }
    assert body["languages"] == ["mn"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("studioName", "x" * 121),
        ("city", "x" * 81),
        ("district", "downtown"),
        ("address", "x" * 301),
        ("priceFrom", "100.50"),
        ("priceFrom", -1),
        ("priceFrom", "lots"),
        ("priceFrom", "99999999999"),
        ("hourlyRate", "0.01"),
        ("languages", ["mn", "fr"]),
        ("languages", "mn"),
        ("instagram", "saraa ink"),
        ("instagram", "x" * 31),
        ("instagram", "saraa/ink"),
        ("bookingMode", "walk-in"),
        ("healDays", 13),
        ("healDays", 91),
        ("healDays", "soon"),
        ("aftercareText", "x" * 4001),
        ("avatarUrl", "https://elsewhere.example/me.png"),
    ],
)
def test_a_bad_value_is_a_400_on_its_field_and_nothing_is_written(tattooist, field, value):
    response = patch(tattooist, {"studioName": "Never saved", "sessionMinutes": 60, field: value})

    assert response.status_code == 400, response.json()
    assert [name.split(".")[0] for name in response.json()["fields"]] == [field]  # "languages.1": its second
    tattooist.refresh_from_db()
    assert (tattooist.studio_name, tattooist.session_minutes) == ("", 120)


def test_a_bad_booking_setting_leaves_the_profile_unwritten(tattooist):
    response = patch(tattooist, {"studioName": "Never saved", "timezone": "Mars/Olympus"})
    assert response.status_code == 400
    assert Tattooist.objects.get(pk=tattooist.pk).studio_name == ""


def test_empty_values_clear_the_optional_fields(tattooist):
    assert patch(tattooist, PROFILE).status_code == 200
    response = patch(tattooist, {"priceFrom": None, "hourlyRate": None, "instagram": "", "languages": []})
    assert response.status_code == 200
    tattooist.refresh_from_db()
    assert (tattooist.price_from, tattooist.hourly_rate, tattooist.instagram, tattooist.languages) == (
        None,
        None,
        "",
        [],
    )


def test_an_empty_city_is_kept(tattooist):
    # docs/search.md: the city is at most 80 characters, so none at all is allowed too
    response = patch(tattooist, {"city": "  "})

    assert response.status_code == 200, response.json()
    tattooist.refresh_from_db()
    assert tattooist.city == ""


def test_an_unchanged_profile_is_not_written_again(tattooist):
    assert patch(tattooist, PROFILE).status_code == 200
    before = Tattooist.objects.get(pk=tattooist.pk).updated_at

    assert patch(tattooist, PROFILE).status_code == 200
    assert Tattooist.objects.get(pk=tattooist.pk).updated_at == before


def test_the_database_refuses_what_the_rules_refuse(tattooist):
    bad = (
        {"district": "downtown"},
        {"booking_mode": "x"},
        {"heal_days": 7},
        {"languages": ["fr"]},
        {"instagram": "@x"},
    )
    for values in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            Tattooist.objects.filter(pk=tattooist.pk).update(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tattooist.objects.filter(pk=tattooist.pk).update(rating_count=1, rating_sum=6)


def test_the_admin_form_keeps_the_same_rules(tattooist):
    tattooist.instagram = "@fine.handle"
    tattooist.full_clean()
    assert tattooist.instagram == "fine.handle"
    tattooist.price_from = Decimal("10.50")
    with pytest.raises(ValidationError) as refused:
        tattooist.full_clean()
    assert "price_from" in refused.value.message_dict


def test_only_artists_may_upload_avatars(s3_server, customer):
    response = client_for(customer).post(
        "/api/upload/presign",
        {"filename": "me.png", "contentType": "image/png", "folder": "avatars", "size": 10},
        format="json",
    )
    assert response.status_code == 403


def test_an_avatar_is_an_attached_copy_of_an_upload_and_replacing_it_deletes_the_old_one(
    s3_server, tattooist, other_tattooist, django_capture_on_commit_callbacks
):
    first = upload_via_presign(client_for(tattooist.user), folder="avatars", filename="me.png")
    response = patch(tattooist, {"avatarUrl": first.public_url})
    assert response.status_code == 200, response.json()
    avatar = response.json()["avatarUrl"]
    assert avatar != first.public_url  # a copy no presigned URL was made for (docs/security.md)
    assert http().get(avatar, timeout=10).content == first.body
    assert api_avatar(tattooist) == avatar
    assert patch(tattooist, {"avatarUrl": avatar}).status_code == 200  # sending it back changes nothing

    second = upload_via_presign(client_for(tattooist.user), folder="avatars", filename="me2.png")
    with django_capture_on_commit_callbacks(execute=True):
        assert patch(tattooist, {"avatarUrl": second.public_url}).status_code == 200
    assert uploads.head_object(uploads.key_from_public_url(avatar)) is None  # the old one is gone
    new = Tattooist.objects.get(pk=tattooist.pk)
    assert uploads.head_object(new.avatar_key) is not None
    # another artist's upload, or a portfolio upload, is not an avatar
    foreign = upload_via_presign(client_for(other_tattooist.user), folder="avatars")
    assert patch(tattooist, {"avatarUrl": foreign.public_url}).json()["code"] == "image_not_yours"
    portfolio = upload_via_presign(client_for(tattooist.user), folder="portfolio")
    assert patch(tattooist, {"avatarUrl": portfolio.public_url}).json()["code"] == "image_not_yours"

    with django_capture_on_commit_callbacks(execute=True):
        assert patch(tattooist, {"avatarUrl": ""}).json()["avatarUrl"] is None
    assert uploads.head_object(new.avatar_key) is None
    assert api_avatar(tattooist) is None


def api_avatar(tattooist):
    from rest_framework.test import APIClient

    return APIClient().get(f"/api/tattooists/{tattooist.pk}").json()["avatarUrl"]
