"""`Idempotency-Key` on POST /api/bookings and POST /api/payments/create (tattoo/core/idempotency.py)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings import api as booking_api
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import open_every_day
from payments.models import Transaction
from tattoo.core.models import IdempotencyKey, IdempotencyStatus
from testing.clients import client_for
from testing.qpay import free_port
from testing.races import hammer

BOOKINGS = "/api/bookings"
PAYMENTS = "/api/payments/create"
# Three days ahead at 12:00 in Ulaanbaatar: inside the 10:00-18:00 window, past the notice.
SLOT = (timezone.now() + timedelta(days=3)).astimezone(UTC).replace(hour=4, minute=0, second=0, microsecond=0)


@pytest.fixture
def artist(db):
    artist = TattooistFactory(approved=True)
    open_every_day(artist)
    return artist


def book(client, artist, *, key: str | None = None, slot=SLOT, notes: str = ""):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    body = {"tattooistId": artist.pk, "slot": slot.isoformat(), "depositAmount": "50000", "notes": notes}
    return client.post(BOOKINGS, body, format="json", **headers)


@pytest.mark.django_db
class TestBookings:
    def test_a_retry_with_the_same_key_replays_the_first_response_and_books_once(self, customer, artist):
        client = client_for(customer)
        first = book(client, artist, key="7b0c1f9e-3c1a-4a51-9a7e-0d2f3f4b5c6d")
        again = book(client, artist, key="7b0c1f9e-3c1a-4a51-9a7e-0d2f3f4b5c6d")

        assert first.status_code == again.status_code == 201, again.json()
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert not first.has_header("Idempotent-Replayed")
        assert Booking.objects.count() == 1
        assert BookingEvent.objects.count() == 1
        row = IdempotencyKey.objects.get()
        assert (row.user_id, row.status, row.response_status) == (customer.pk, IdempotencyStatus.DONE, 201)

    def test_the_same_key_with_another_body_is_422_and_books_nothing_more(self, customer, artist):
        client = client_for(customer)
        assert book(client, artist, key="k-1").status_code == 201
        response = book(client, artist, key="k-1", notes="changed my mind")

        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_key_reused"
        assert "Idempotency-Key" in response.json()["fields"]
        assert Booking.objects.count() == 1

    def test_the_same_key_on_another_endpoint_is_422(self, customer, artist):
        client = client_for(customer)
        booking_id = book(client, artist, key="k-2").json()["id"]
        response = client.post(PAYMENTS, {"bookingId": booking_id}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_key_reused"
        assert Transaction.objects.count() == 0

    def test_a_retry_while_the_first_is_still_running_is_409(self, customer, artist):
        client = client_for(customer)
        book(client, artist, key="k-3")
        # as if the first request had claimed the key and were still working
        IdempotencyKey.objects.update(status=IdempotencyStatus.IN_FLIGHT, response_status=None, response_body=None)

        response = book(client, artist, key="k-3")

        assert response.status_code == 409
        assert response.json()["code"] == "idempotency_in_flight"
        assert Booking.objects.count() == 1
        assert IdempotencyKey.objects.get().status == IdempotencyStatus.IN_FLIGHT  # left to its owner

    def test_a_claim_abandoned_by_a_dead_process_is_taken_over_after_the_lease(self, customer, artist):
        from tattoo.core.idempotency import IN_FLIGHT_LEASE

        client = client_for(customer)
        book(client, artist, key="k-dead")
        # as if the process had claimed the key, then died before its work committed
        Booking.objects.all().delete()
        IdempotencyKey.objects.update(
            status=IdempotencyStatus.IN_FLIGHT,
            response_status=None,
            response_body=None,
            created_at=timezone.now() - IN_FLIGHT_LEASE + timedelta(seconds=5),
        )
        assert book(client, artist, key="k-dead").status_code == 409  # still within the lease
        IdempotencyKey.objects.update(created_at=timezone.now() - IN_FLIGHT_LEASE - timedelta(seconds=1))
        assert book(client, artist, key="k-dead", notes="another body").status_code == 422
        retried = book(client, artist, key="k-dead")

        assert retried.status_code == 201, retried.json()
        assert Booking.objects.count() == 1
        row = IdempotencyKey.objects.get()
        assert (row.status, row.response_status) == (IdempotencyStatus.DONE, 201)
        assert book(client, artist, key="k-dead").json() == retried.json()

    def test_a_business_refusal_is_stored_and_replayed_like_stripe(self, customer, artist):
        blocker = BookingFactory(tattooist=artist, slot=SLOT, ends_at=SLOT + timedelta(hours=2))
        client = client_for(customer)
        first = book(client, artist, key="k-4")
        assert first.status_code == 409
        assert first.json()["code"] == "slot_taken"

        Booking.objects.filter(pk=blocker.pk).update(status=BookingStatus.CANCELLED)  # the slot is free again
        again = book(client, artist, key="k-4")

        assert again.status_code == 409
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert book(client, artist, key="k-5").status_code == 201  # a new key is a new attempt

    def test_keys_belong_to_one_user(self, customer, other_customer, artist):
        mine = book(client_for(customer), artist, key="shared-key")
        theirs = book(client_for(other_customer), artist, key="shared-key")

        assert mine.status_code == 201
        assert theirs.status_code == 409  # their own attempt at the taken slot, not a replay of mine
        assert theirs.json()["code"] == "slot_taken"
        assert not theirs.has_header("Idempotent-Replayed")
        elsewhere = book(client_for(other_customer), artist, key="shared-key", slot=SLOT + timedelta(days=1))
        assert elsewhere.status_code == 422  # their key now holds their first request
        assert IdempotencyKey.objects.filter(key="shared-key").count() == 2

    @pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there", "nul\x00"])
    def test_an_unusable_key_is_400_with_a_field_message_and_nothing_stored(self, customer, artist, key):
        response = book(client_for(customer), artist, key=key)

        assert response.status_code == 400
        assert "Idempotency-Key" in response.json()["fields"]
        assert not Booking.objects.exists()
        assert not IdempotencyKey.objects.exists()

    def test_the_longest_key_is_accepted(self, customer, artist):
        assert book(client_for(customer), artist, key="k" * 255).status_code == 201

    def test_without_the_header_nothing_changes(self, customer, artist):
        client = client_for(customer)
        assert book(client, artist).status_code == 201
        second = book(client, artist)

        assert second.status_code == 409
        assert second.json()["code"] == "slot_taken"
        assert not IdempotencyKey.objects.exists()

    def test_an_unexpected_error_releases_the_key_for_a_retry(self, customer, artist, monkeypatch):
        def broken(**kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr(booking_api, "booking_create", broken)
        client = client_for(customer)
        with pytest.raises(RuntimeError):
            book(client, artist, key="k-6")
        assert not IdempotencyKey.objects.exists()

        monkeypatch.undo()
        assert book(client, artist, key="k-6").status_code == 201

    def test_a_finished_key_without_a_response_is_refused_by_the_database(self, customer):
        with pytest.raises(IntegrityError), transaction.atomic():
            IdempotencyKey.objects.create(user=customer, key="k", request_hash="0" * 64, status=IdempotencyStatus.DONE)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_retries_with_one_key_book_once():
    artist = TattooistFactory(approved=True)
    open_every_day(artist)
    client = client_for(CustomerFactory())

    def attempt(i):
        response = book(client, artist, key="3f2a6c1e-concurrent")
        return response.status_code, response.json()

    results = hammer(attempt, n=10)

    statuses = Counter(status for status, _ in results)
    assert set(statuses) <= {201, 409}, results
    assert statuses[201] >= 1, results
    assert {body["id"] for status, body in results if status == 201} == {Booking.objects.get().pk}
    assert {body["code"] for status, body in results if status == 409} <= {"idempotency_in_flight"}
    assert IdempotencyKey.objects.get().status == IdempotencyStatus.DONE


@pytest.mark.django_db
class TestPayments:
    @pytest.fixture
    def booking(self, customer, tattooist):
        return BookingFactory(customer=customer, tattooist=tattooist, deposit_amount=Decimal("50000.00"))

    def test_a_retry_replays_the_invoice_and_qpay_is_called_once(self, qpay_worker, customer, booking):
        client = client_for(customer)
        invoices_before = qpay_worker.calls().get("POST /invoice", 0)
        first = client.post(PAYMENTS, {"bookingId": booking.pk}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
        again = client.post(PAYMENTS, {"bookingId": booking.pk}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")

        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert Transaction.objects.count() == 1
        assert qpay_worker.calls().get("POST /invoice", 0) == invoices_before + 1

    def test_a_503_from_a_down_worker_is_not_stored_so_the_same_key_can_retry(
        self, qpay_worker, settings, customer, booking
    ):
        client = client_for(customer)
        worker_url = settings.QPAY_WORKER_URL
        settings.QPAY_WORKER_URL = f"http://127.0.0.1:{free_port()}"
        down = client.post(PAYMENTS, {"bookingId": booking.pk}, format="json", HTTP_IDEMPOTENCY_KEY="pay-2")
        assert down.status_code == 503
        assert not IdempotencyKey.objects.exists()

        settings.QPAY_WORKER_URL = worker_url  # the worker is back
        back = client.post(PAYMENTS, {"bookingId": booking.pk}, format="json", HTTP_IDEMPOTENCY_KEY="pay-2")

        assert back.status_code == 201
        assert not back.has_header("Idempotent-Replayed")
        assert Transaction.objects.count() == 1
        assert IdempotencyKey.objects.get().response_status == 201

    def test_an_unusable_key_is_400(self, customer, booking):
        response = client_for(customer).post(
            PAYMENTS, {"bookingId": booking.pk}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256
        )
        assert response.status_code == 400
        assert "Idempotency-Key" in response.json()["fields"]
        assert Transaction.objects.count() == 0


@pytest.mark.django_db
def test_the_purge_command_deletes_only_keys_older_than_a_day(customer):
    for key, age in (("old", timedelta(hours=25)), ("young", timedelta(hours=23))):
        row = IdempotencyKey.objects.create(user=customer, key=key, request_hash="0" * 64)
        IdempotencyKey.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)

    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["young"]
    assert "deleted 1" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("purge_idempotency_keys", "--hours", "1")
    assert IdempotencyKey.objects.count() == 1
