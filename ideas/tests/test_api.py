"""Tattoo ideas API against real PostgreSQL and the real local S3 server."""

from __future__ import annotations

import pytest
from django.test import Client

from bookings.models import BookingStatus
from bookings.tests.factories import BookingFactory
from ideas.models import TattooIdea
from ideas.tests.factories import TattooIdeaFactory
from tattoo.core import uploads
from tattoo.core.models import PendingObjectDeletion
from testing.clients import client_for
from testing.s3 import http, upload_via_presign

pytestmark = pytest.mark.django_db

IDEA_FIELDS = {
    "id",
    "bookingId",
    "description",
    "imageUrl",
    "imageWidth",
    "imageHeight",
    "thumbnails",
    "createdBy",
    "createdByName",
    "createdByRole",
    "createdAt",
    "updatedAt",
}
UNKNOWN = 987654321


@pytest.fixture
def booking(customer, tattooist):
    return BookingFactory(customer=customer, tattooist=tattooist, status=BookingStatus.CONFIRMED)


@pytest.fixture
def customer_client(customer):
    return client_for(customer)


@pytest.fixture
def artist_client(tattooist):
    return client_for(tattooist.user)


def create(client, booking_id, **body):
    return client.post("/api/tattoo-ideas", {"bookingId": booking_id, **body}, format="json")


def make_idea(booking, author, description="An idea", **fields) -> TattooIdea:
    return TattooIdeaFactory(booking=booking, created_by=author, description=description, **fields)


# --- create -----------------------------------------------------------------------------------


def test_a_customer_adds_an_idea_with_an_image_uploaded_through_a_presigned_put(
    s3_server, booking, customer, customer_client
):
    upload = upload_via_presign(customer_client, folder="ideas", filename="rose.png")
    response = create(customer_client, booking.pk, description="A rose on the forearm", imageUrl=upload.public_url)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == IDEA_FIELDS
    assert body["bookingId"] == booking.pk
    # a re-encoded copy in the private bucket (tattoo/core/images.attach_image), given out signed
    assert body["imageUrl"].startswith(upload.attached_url + "?")
    assert "X-Amz-Signature=" in body["imageUrl"]
    assert (body["imageWidth"], body["imageHeight"], body["thumbnails"]) == (8, 8, {})
    assert body["createdBy"] == customer.pk
    assert body["createdByName"] == customer.name
    assert body["createdByRole"] == "customer"
    assert body["description"] == "A rose on the forearm"
    idea = TattooIdea.objects.get(pk=body["id"])
    assert idea.image_key == upload.attached_key
    signed = http().get(body["imageUrl"], timeout=10)
    assert signed.status_code == 200
    assert signed.content.startswith(b"\x89PNG")
    assert http().get(upload.attached_url, timeout=10).status_code == 403  # the bare URL


def test_an_artist_adds_a_note_without_an_image(booking, tattooist, artist_client):
    response = create(artist_client, booking.pk, description="Line work first, then shading")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["imageUrl"] is None
    assert body["createdBy"] == tattooist.user_id
    assert body["createdByRole"] == "tattooist"
    assert TattooIdea.objects.get(pk=body["id"]).image_key == ""


def test_an_image_alone_is_an_idea(s3_server, booking, customer_client):
    upload = upload_via_presign(customer_client, folder="ideas")
    response = create(customer_client, booking.pk, imageUrl=upload.public_url)
    assert response.status_code == 201, response.content
    assert response.json()["description"] == ""


@pytest.mark.parametrize(
    "body", [{}, {"description": ""}, {"description": "   "}, {"imageUrl": ""}, {"imageUrl": None}]
)
def test_it_refuses_an_idea_with_neither_description_nor_image(booking, customer_client, body):
    response = create(customer_client, booking.pk, **body)
    assert response.status_code == 400
    assert response.json()["code"] == "empty_idea"
    assert "description" in response.json()["fields"]
    assert not TattooIdea.objects.exists()


def test_it_refuses_a_description_over_4000_characters(booking, customer_client):
    response = create(customer_client, booking.pk, description="x" * 4001)
    assert response.status_code == 400
    assert "description" in response.json()["fields"]
    assert create(customer_client, booking.pk, description="x" * 4000).status_code == 201


@pytest.mark.parametrize("body", [{"bookingId": "abc"}, {"bookingId": 0}, {"bookingId": 2**64}, {}])
def test_it_refuses_a_bad_booking_id(customer_client, body):
    response = customer_client.post("/api/tattoo-ideas", {"description": "x", **body}, format="json")
    assert response.status_code == 400
    assert "bookingId" in response.json()["fields"]


def test_it_refuses_an_image_under_another_users_prefix(s3_server, booking, other_customer, customer_client):
    foreign = upload_via_presign(client_for(other_customer), folder="ideas")
    response = create(customer_client, booking.pk, description="x", imageUrl=foreign.public_url)
    assert response.status_code == 400
    assert response.json()["code"] == "image_not_yours"
    assert "imageUrl" in response.json()["fields"]
    assert not TattooIdea.objects.exists()


def test_it_refuses_the_artists_own_portfolio_image(s3_server, booking, artist_client):
    portfolio_image = upload_via_presign(artist_client, folder="portfolio")
    response = create(artist_client, booking.pk, description="x", imageUrl=portfolio_image.public_url)
    assert response.status_code == 400
    assert response.json()["code"] == "image_not_yours"
    assert not TattooIdea.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://images.example.com/rose.png",
        "javascript:alert(1)",
        "not a url",
        "{base}/ideas/{uid}/../../portfolio/1/0123456789abcdef0123456789abcdef.png",
        "{base}/ideas/{uid}/0123456789abcdef0123456789abcdef.png?x=1",
    ],
)
def test_it_refuses_an_external_or_crafted_image_url(s3_server, booking, customer, customer_client, url):
    url = url.format(base=s3_server.public_base_url, uid=customer.pk)
    response = create(customer_client, booking.pk, description="x", imageUrl=url)
    assert response.status_code == 400
    assert response.json()["code"] == "image_not_ours"
    assert not TattooIdea.objects.exists()


def test_it_refuses_an_own_prefix_url_with_no_uploaded_object(s3_server, booking, customer, customer_client):
    key = uploads.make_key(folder="ideas", user_id=customer.pk, content_type="image/png")
    response = create(customer_client, booking.pk, description="x", imageUrl=uploads.private_url(key))
    assert response.status_code == 400
    assert response.json()["code"] == "image_missing"


def test_one_image_belongs_to_one_idea(s3_server, booking, customer_client):
    upload = upload_via_presign(customer_client, folder="ideas")
    assert create(customer_client, booking.pk, imageUrl=upload.public_url).status_code == 201
    again = create(customer_client, booking.pk, imageUrl=upload.public_url)
    assert again.status_code == 409
    assert again.json()["code"] == "image_in_use"
    assert TattooIdea.objects.count() == 1


@pytest.mark.parametrize("closed", [BookingStatus.CANCELLED, BookingStatus.EXPIRED])
def test_a_cancelled_or_expired_booking_takes_no_new_ideas_but_keeps_the_old_ones(
    booking, customer, customer_client, closed
):
    make_idea(booking, customer, "from before")
    booking.status = closed
    booking.save(update_fields=["status"])
    response = create(customer_client, booking.pk, description="too late")
    assert response.status_code == 409
    assert response.json()["code"] == "booking_closed"
    assert TattooIdea.objects.count() == 1
    listed = customer_client.get(f"/api/tattoo-ideas/{booking.pk}")
    assert listed.status_code == 200
    assert [i["description"] for i in listed.json()["results"]] == ["from before"]


@pytest.mark.parametrize("state", [BookingStatus.COMPLETED, BookingStatus.DISPUTED])
def test_ideas_stay_readable_after_completed_or_disputed(booking, customer, tattooist, admin_user, state):
    make_idea(booking, customer, "the design")
    booking.status = state
    booking.save(update_fields=["status"])
    for user in (customer, tattooist.user, admin_user):
        response = client_for(user).get(f"/api/tattoo-ideas/{booking.pk}")
        assert response.status_code == 200
        assert response.json()["count"] == 1


# --- list -------------------------------------------------------------------------------------


def test_each_party_reads_the_others_ideas_oldest_first(booking, customer, tattooist, customer_client, artist_client):
    assert create(customer_client, booking.pk, description="first, by the customer").status_code == 201
    assert create(artist_client, booking.pk, description="second, by the artist").status_code == 201
    assert create(customer_client, booking.pk, description="third, by the customer").status_code == 201
    other_booking = BookingFactory(customer=customer, tattooist=tattooist)
    make_idea(other_booking, customer, "on another booking")

    for client in (customer_client, artist_client):
        body = client.get(f"/api/tattoo-ideas/{booking.pk}").json()
        assert body["count"] == 3
        assert [i["description"] for i in body["results"]] == [
            "first, by the customer",
            "second, by the artist",
            "third, by the customer",
        ]
        assert [i["createdByRole"] for i in body["results"]] == ["customer", "tattooist", "customer"]


def test_the_list_is_paginated(booking, customer, customer_client):
    for n in range(5):
        make_idea(booking, customer, f"idea {n}")
    page1 = customer_client.get(f"/api/tattoo-ideas/{booking.pk}?pageSize=2").json()
    assert page1["count"] == 5
    assert [i["description"] for i in page1["results"]] == ["idea 0", "idea 1"]
    assert page1["next"]
    assert page1["previous"] is None
    page3 = customer_client.get(f"/api/tattoo-ideas/{booking.pk}?pageSize=2&page=3").json()
    assert [i["description"] for i in page3["results"]] == ["idea 4"]
    assert customer_client.get(f"/api/tattoo-ideas/{booking.pk}?page=9").status_code == 400


# --- edit -------------------------------------------------------------------------------------


def test_the_author_edits_the_description(booking, customer, customer_client):
    idea = make_idea(booking, customer, "old")
    response = customer_client.patch(f"/api/tattoo-ideas/{idea.pk}", {"description": "new"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "new"
    idea.refresh_from_db()
    assert idea.description == "new"
    assert idea.updated_at > idea.created_at


def test_an_edit_cannot_empty_an_idea_without_an_image(booking, customer, customer_client):
    idea = make_idea(booking, customer, "keep me")
    response = customer_client.patch(f"/api/tattoo-ideas/{idea.pk}", {"description": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "empty_idea"
    idea.refresh_from_db()
    assert idea.description == "keep me"


def test_an_edit_by_someone_else_is_403_before_its_body_is_validated(booking, customer, artist_client):
    idea = make_idea(booking, customer, "mine")
    response = artist_client.patch(f"/api/tattoo-ideas/{idea.pk}", {"description": "x" * 5000}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_author"


# --- delete -----------------------------------------------------------------------------------


def test_deleting_an_idea_removes_its_image_from_the_bucket(
    s3_server, booking, customer_client, django_capture_on_commit_callbacks
):
    upload = upload_via_presign(customer_client, folder="ideas")
    idea_id = create(customer_client, booking.pk, description="x", imageUrl=upload.public_url).json()["id"]
    assert uploads.head_object(upload.attached_key, private=True) is not None

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.delete(f"/api/tattoo-ideas/{idea_id}")
    assert response.status_code == 204
    assert not TattooIdea.objects.filter(pk=idea_id).exists()
    assert uploads.head_object(upload.attached_key, private=True) is None
    assert not PendingObjectDeletion.objects.exists()


def test_deleting_an_idea_without_an_image_queues_nothing(booking, customer, customer_client):
    idea = make_idea(booking, customer)
    assert customer_client.delete(f"/api/tattoo-ideas/{idea.pk}").status_code == 204
    assert not PendingObjectDeletion.objects.exists()


# --- the access matrix --------------------------------------------------------------------------

ROLES = ("customer", "tattooist", "other_customer", "other_tattooist", "admin", "anonymous")

# Expected status per role, in ROLES order. Ideas under test are written by the booking's customer.
MATRIX = {
    "create": (201, 201, 403, 403, 403, 401),
    "create on unknown booking": (404, 404, 404, 404, 404, 401),
    "list": (200, 200, 403, 403, 200, 401),
    "list unknown booking": (404, 404, 404, 404, 404, 401),
    "edit": (200, 403, 403, 403, 200, 401),
    "edit unknown idea": (404, 404, 404, 404, 404, 401),
    "delete": (204, 403, 403, 403, 204, 401),
    "delete unknown idea": (404, 404, 404, 404, 404, 401),
}


def _request(client, action: str, booking, idea):
    if action == "create":
        return create(client, booking.pk, description="x")
    if action == "create on unknown booking":
        return create(client, UNKNOWN, description="x")
    if action.startswith("list"):
        return client.get(f"/api/tattoo-ideas/{UNKNOWN if 'unknown' in action else booking.pk}")
    target = UNKNOWN if "unknown" in action else idea.pk
    if action.startswith("edit"):
        return client.patch(f"/api/tattoo-ideas/{target}", {"description": "edited"}, format="json")
    return client.delete(f"/api/tattoo-ideas/{target}")


@pytest.mark.parametrize(
    ("action", "role", "expected"),
    [(action, role, codes[i]) for action, codes in MATRIX.items() for i, role in enumerate(ROLES)],
)
def test_access_matrix(
    action, role, expected, booking, customer, other_customer, other_tattooist, admin_user, tattooist
):
    idea = make_idea(booking, customer, "the customer's idea")
    users = {
        "customer": customer,
        "tattooist": tattooist.user,
        "other_customer": other_customer,
        "other_tattooist": other_tattooist.user,
        "admin": admin_user,
    }
    client = client_for(users[role]) if role in users else _anonymous_client()
    response = _request(client, action, booking, idea)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"code", "message", "fields"}
    # Refused writes change nothing.
    idea_after = TattooIdea.objects.filter(pk=idea.pk).first()
    if action == "edit" and expected != 200:
        assert idea_after.description == "the customer's idea"
    if action == "delete" and expected != 204:
        assert idea_after is not None
    if action == "create":
        assert TattooIdea.objects.count() == (2 if expected == 201 else 1)


def _anonymous_client():
    from rest_framework.test import APIClient

    return APIClient()


# --- the browser's way in: session cookie + CSRF header -----------------------------------------


def test_a_logged_in_page_posts_with_its_session_and_the_csrf_header(booking, customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    token = "a" * 32
    client.cookies["csrftoken"] = token
    url, body = "/api/tattoo-ideas", {"bookingId": booking.pk, "description": "from the page"}

    without = client.post(url, body, content_type="application/json")
    assert without.status_code == 403
    with_header = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert with_header.status_code == 201, with_header.content
    assert client.get(f"/api/tattoo-ideas/{booking.pk}").json()["count"] == 1


def test_ideas_are_frozen_for_the_parties_while_the_booking_is_disputed(booking, customer, admin_user):
    idea = make_idea(booking, customer, description="Original sketch notes")
    booking.status = BookingStatus.DISPUTED
    booking.save(update_fields=["status"])
    edit = client_for(customer).patch(f"/api/tattoo-ideas/{idea.pk}", {"description": "rewritten"}, format="json")
    assert edit.status_code == 409
    assert edit.json()["code"] == "booking_disputed"
    assert client_for(customer).delete(f"/api/tattoo-ideas/{idea.pk}").status_code == 409
    idea.refresh_from_db()
    assert idea.description == "Original sketch notes"
    # staff can still correct the record
    assert (
        client_for(admin_user)
        .patch(f"/api/tattoo-ideas/{idea.pk}", {"description": "redacted"}, format="json")
        .status_code
        == 200
    )


def test_a_presigned_put_replayed_after_attach_does_not_change_the_ideas_image(s3_server, booking, customer_client):
    """docs/security.md: the idea serves a copy the server made and checked, at a key no URL writes."""
    upload = upload_via_presign(customer_client, folder="ideas", filename="rose.png")
    response = create(customer_client, booking.pk, description="A rose", imageUrl=upload.public_url)
    assert response.status_code == 201, response.content
    served = response.json()["imageUrl"]
    first = http().get(served, timeout=10).content
    other = bytearray(upload.body)
    other[-20] ^= 0xFF
    replay = http().put(upload.presign["uploadUrl"], data=bytes(other), headers=upload.presign["headers"], timeout=30)
    assert replay.status_code == 200, replay.text
    assert http().get(served, timeout=10).content == first
    assert TattooIdea.objects.get().image_key != upload.key
