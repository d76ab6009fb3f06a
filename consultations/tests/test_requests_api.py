"""Consultation requests over HTTP (docs/consultations.md): create, list, read, messages, withdraw and
decline, each contract line with its refusals, against PostgreSQL (and the local S3 server for
photos)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings.models import Booking
from consultations.models import Consultation, ConsultationEvent, ConsultationImage
from consultations.tests.helpers import local, request_body, send_quote, send_request
from notifications.models import Outbox
from testing.clients import client_for
from testing.s3 import http, upload_via_presign

pytestmark = pytest.mark.django_db
UNKNOWN = 987654321


def outbox(kind: str) -> list[Outbox]:
    return list(Outbox.objects.filter(kind=kind).order_by("id"))


# --- create -------------------------------------------------------------------------------------


def test_a_verified_customer_sends_a_request_and_the_artist_is_mailed(customer, customer_api, artist):
    body = send_request(customer_api, artist, budgetMax="500000", availabilityNote="Weekends")
    assert body["status"] == "submitted"
    assert (body["customerId"], body["tattooistId"]) == (customer.pk, artist.pk)
    assert (body["placement"], body["widthCm"], body["heightCm"], body["colour"]) == ("forearm", 10, 15, "black_grey")
    assert body["budgetMax"] == "500000.00"
    assert (body["messages"], body["quotes"], body["images"]) == ([], [], [])
    assert "dateOfBirth" not in body  # checked, shown to nobody
    row = Consultation.objects.get(pk=body["id"])
    assert str(row.date_of_birth) == "1995-05-01"
    [told] = outbox("consultation_received")
    assert told.recipient_id == artist.user_id
    assert customer.name in told.subject
    assert "forearm, 10 × 15 cm, black and grey" in told.body_text
    assert "koi" not in told.body_text  # the idea itself stays on the page
    assert list(ConsultationEvent.objects.values_list("subject", "from_status", "to_status")) == [
        ("consultation", "", "submitted")
    ]


def test_photos_go_through_the_bucket_and_only_the_parties_get_signed_urls(s3_server, customer_api, artist, outsider):
    uploads = [upload_via_presign(customer_api, folder="consultations", filename=f"arm{i}.png") for i in range(2)]
    body = send_request(customer_api, artist, imageUrls=[u.public_url for u in uploads])
    assert len(body["images"]) == 2
    for upload, image in zip(uploads, body["images"], strict=True):
        assert image["imageUrl"].startswith(upload.attached_url + "?")  # re-encoded, private, signed
        assert "X-Amz-Signature=" in image["imageUrl"]
        assert http().get(image["imageUrl"], timeout=10).status_code == 200
        assert http().get(upload.attached_url, timeout=10).status_code == 403  # the bare URL is refused
    assert ConsultationImage.objects.filter(consultation_id=body["id"], message=None).count() == 2
    artist_view = client_for(artist.user).get(f"/api/consultations/{body['id']}")
    assert artist_view.status_code == 200
    assert len(artist_view.json()["images"]) == 2
    stranger = client_for(outsider).get(f"/api/consultations/{body['id']}")
    assert stranger.status_code == 403
    assert "X-Amz" not in stranger.content.decode()


def test_a_seventh_photo_and_a_photo_listed_twice_are_refused(customer_api, artist):
    urls = [f"http://s3.test/inkbook-private/consultations/1/{i}.png" for i in range(7)]
    too_many = customer_api.post("/api/consultations", request_body(artist, imageUrls=urls), format="json")
    assert too_many.status_code == 400
    assert "imageUrls" in too_many.json()["fields"]
    twice = customer_api.post("/api/consultations", request_body(artist, imageUrls=urls[:1] * 2), format="json")
    assert twice.status_code == 400
    assert "imageUrls" in twice.json()["fields"]
    assert not Consultation.objects.exists()


def test_someone_under_18_that_day_in_the_artists_zone_is_refused(customer_api, artist):
    today = timezone.now().astimezone(ZoneInfo(artist.timezone)).date()
    try:
        eighteen_today = today.replace(year=today.year - 18)  # the latest birthday that is 18 today
    except ValueError:  # 29 February: someone born on 28 February 18 years ago is
        eighteen_today = date(today.year - 18, 2, 28)
    eighteen_tomorrow = eighteen_today + timedelta(days=1)
    response = customer_api.post(
        "/api/consultations", request_body(artist, dateOfBirth=eighteen_tomorrow.isoformat()), format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "underage"
    assert "dateOfBirth" in response.json()["fields"]
    assert send_request(customer_api, artist, dateOfBirth=eighteen_today.isoformat())["status"] == "submitted"


def test_an_artist_who_takes_direct_bookings_only_has_requests_closed(customer_api):
    direct = TattooistFactory(booking_mode="direct")
    response = customer_api.post("/api/consultations", request_body(direct), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "requests_closed"
    assert not Consultation.objects.exists()


def test_a_fourth_open_request_is_refused_until_one_closes(customer_api, artist):
    first = send_request(customer_api, artist)
    for _ in range(2):
        send_request(customer_api, artist)
    fourth = customer_api.post("/api/consultations", request_body(artist), format="json")
    assert fourth.status_code == 409
    assert fourth.json()["code"] == "too_many_requests"
    assert customer_api.post(f"/api/consultations/{first['id']}/withdraw").status_code == 200
    assert send_request(customer_api, artist)["status"] == "submitted"


def test_only_a_verified_customer_may_send_one_and_the_body_is_judged_after(artist):
    unverified = CustomerFactory(email_verified_at=None)
    invalid = {"tattooistId": artist.pk, "widthCm": 9999}
    response = client_for(unverified).post("/api/consultations", invalid, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "email_unverified")
    assert response.json()["fields"] == {}
    other_artist = TattooistFactory()
    assert client_for(other_artist.user).post("/api/consultations", invalid, format="json").status_code == 403


def test_bad_input_is_a_400_on_its_field(customer_api, artist):
    cases = {
        "placement": {"placement": "elbow"},
        "widthCm": {"widthCm": 0},
        "heightCm": {"heightCm": 201},
        "colour": {"colour": "neon"},
        "budgetMax": {"budgetMax": "100.50"},
        "tattooistId": {"tattooistId": UNKNOWN},
    }
    for field, bad in cases.items():
        response = customer_api.post("/api/consultations", request_body(artist, **bad), format="json")
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()["fields"], (field, response.json())
    unapproved = TattooistFactory(approved=False, approved_at=None)
    response = customer_api.post("/api/consultations", request_body(unapproved), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_artist")
    assert not Consultation.objects.exists()


def test_direct_booking_of_an_artist_in_request_mode_is_request_only(customer, customer_api, artist):
    artist.booking_mode = "request"
    artist.save(update_fields=["booking_mode"])
    slot = local(artist, days=3)
    response = customer_api.post(
        "/api/bookings", {"tattooistId": artist.pk, "slot": slot.isoformat(), "depositAmount": "50000"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "request_only"
    assert not Booking.objects.exists()
    assert send_request(customer_api, artist)["status"] == "submitted"  # the way in


# --- lists and reads ------------------------------------------------------------------------------


def test_each_caller_lists_only_their_requests_and_may_filter_by_status(customer_api, artist, admin_user):
    mine = send_request(customer_api, artist)
    other_customer = CustomerFactory()
    theirs = send_request(client_for(other_customer), artist)
    client_for(other_customer).post(f"/api/consultations/{theirs['id']}/withdraw")
    other_artist = TattooistFactory(booking_mode="request")

    def ids(user, query=""):
        response = client_for(user).get(f"/api/consultations{query}")
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids(mine_owner := Consultation.objects.get(pk=mine["id"]).customer) == [mine["id"]]
    assert ids(artist.user) == [theirs["id"], mine["id"]]  # newest first
    assert ids(artist.user, "?status=withdrawn") == [theirs["id"]]
    assert ids(other_artist.user) == []
    assert ids(admin_user) == [theirs["id"], mine["id"]]
    assert mine_owner.pk != other_customer.pk
    bad = client_for(artist.user).get("/api/consultations?status=flying")
    assert bad.status_code == 400
    assert "status" in bad.json()["fields"]
    row = client_for(artist.user).get("/api/consultations").json()["results"][1]
    assert (row["photoCount"], row["messageCount"], row["openQuoteId"], row["projectId"]) == (0, 0, None, None)


def test_a_request_is_read_by_its_parties_and_staff_only(customer_api, artist, outsider, admin_user):
    body = send_request(customer_api, artist)
    path = f"/api/consultations/{body['id']}"
    assert client_for(artist.user).get(path).status_code == 200
    assert client_for(admin_user).get(path).status_code == 200
    assert client_for(outsider).get(path).status_code == 403
    assert client_for(TattooistFactory().user).get(path).status_code == 403
    assert customer_api.get(f"/api/consultations/{UNKNOWN}").status_code == 404


# --- messages -------------------------------------------------------------------------------------


def test_a_message_reaches_the_other_party_by_mail_and_counts_as_the_artists_first_answer(
    customer, customer_api, artist_api, artist
):
    body = send_request(customer_api, artist)
    path = f"/api/consultations/{body['id']}/messages"
    asked = customer_api.post(path, {"body": "Can it go on the inner forearm?"}, format="json")
    assert asked.status_code == 201, asked.content
    assert asked.json()["authorId"] == customer.pk
    assert Consultation.objects.get(pk=body["id"]).first_answered_at is None  # the customer's own
    [to_artist] = outbox("consultation_message")
    assert to_artist.recipient_id == artist.user_id
    assert "inner forearm" not in to_artist.body_text
    answered = artist_api.post(path, {"body": "Yes, 10 cm fits."}, format="json")
    assert answered.status_code == 201
    assert Consultation.objects.get(pk=body["id"]).first_answered_at is not None
    assert outbox("consultation_message")[-1].recipient_id == customer.pk
    thread = customer_api.get(f"/api/consultations/{body['id']}").json()["messages"]
    assert [m["body"] for m in thread] == ["Can it go on the inner forearm?", "Yes, 10 cm fits."]


def test_a_stranger_is_refused_before_the_body_is_judged(customer_api, artist, outsider):
    body = send_request(customer_api, artist)
    start = local(artist, days=3)
    quote = send_quote(client_for(artist.user), body["id"], [start])
    stranger_artist = TattooistFactory().user
    invalid = {"body": "x" * 100_000, "reason": "", "priceMin": "free", "slot": "tomorrow", "imageUrls": 7}
    cases = [
        (outsider, f"/api/consultations/{body['id']}/messages"),
        (outsider, f"/api/consultations/{body['id']}/withdraw"),
        (stranger_artist, f"/api/consultations/{body['id']}/decline"),
        (stranger_artist, f"/api/consultations/{body['id']}/quotes"),
        (outsider, f"/api/quotes/{quote['id']}/accept"),
        (outsider, f"/api/quotes/{quote['id']}/decline"),
    ]
    for who, path in cases:
        response = client_for(who).post(path, invalid, format="json")
        assert response.status_code == 403, (path, response.content)
        assert response.json()["fields"] == {}, path
    # the party, with the same body, is told what is wrong with it
    assert (
        client_for(artist.user).post(f"/api/consultations/{body['id']}/decline", invalid, format="json").status_code
        == 400
    )
    assert customer_api.post(f"/api/quotes/{quote['id']}/accept", invalid, format="json").status_code == 400


def test_an_empty_message_is_400_and_a_closed_request_takes_none(customer_api, artist):
    body = send_request(customer_api, artist)
    path = f"/api/consultations/{body['id']}/messages"
    empty = customer_api.post(path, {"body": "  "}, format="json")
    assert (empty.status_code, empty.json()["code"]) == (400, "empty_message")
    customer_api.post(f"/api/consultations/{body['id']}/withdraw")
    closed = customer_api.post(path, {"body": "Hello?"}, format="json")
    assert (closed.status_code, closed.json()["code"]) == (409, "consultation_closed")


# --- withdraw and decline -------------------------------------------------------------------------


def test_the_customer_withdraws_and_the_artist_is_mailed_once(customer_api, artist_api, artist):
    body = send_request(customer_api, artist)
    assert artist_api.post(f"/api/consultations/{body['id']}/withdraw").status_code == 403  # not theirs to withdraw
    withdrawn = customer_api.post(f"/api/consultations/{body['id']}/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    again = customer_api.post(f"/api/consultations/{body['id']}/withdraw")
    assert (again.status_code, again.json()["code"]) == (409, "illegal_transition")
    assert [o.recipient_id for o in outbox("consultation_withdrawn")] == [artist.user_id]


def test_the_artist_declines_with_a_reason_and_an_open_quote_closes_with_it(customer, customer_api, artist_api, artist):
    body = send_request(customer_api, artist)
    quote = send_quote(artist_api, body["id"], [local(artist, days=3)])
    assert (
        customer_api.post(f"/api/consultations/{body['id']}/decline", {"reason": "x"}, format="json").status_code == 403
    )
    no_reason = artist_api.post(f"/api/consultations/{body['id']}/decline", {"reason": ""}, format="json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["fields"]
    declined = artist_api.post(
        f"/api/consultations/{body['id']}/decline", {"reason": "I do not do colour realism."}, format="json"
    )
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert declined.json()["quotes"][0]["id"] == quote["id"]
    assert declined.json()["quotes"][0]["status"] == "withdrawn"
    [told] = outbox("consultation_declined")
    assert told.recipient_id == customer.pk
    assert "I do not do colour realism." in told.body_text
    assert len(mail.outbox) == 0  # the outbox's jobs send it; nothing is sent from the request
