"""Rows of custom work written directly (no service rules): for tests that need one in a given state."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings.models import DepositRole
from bookings.tests.factories import PaidBookingFactory
from consultations.models import Consultation, Project, ProjectSession, Quote


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    customer = factory.SubFactory(CustomerFactory)
    tattooist = factory.SubFactory(TattooistFactory, booking_mode="both")
    description = "A koi rising through waves."
    placement = "forearm"
    width_cm = 10
    height_cm = 15
    colour = "black_grey"
    date_of_birth = date(1995, 5, 1)


class QuoteFactory(factory.django.DjangoModelFactory):
    """An open quote proposing one start three days ahead (not checked against the slot rule)."""

    class Meta:
        model = Quote

    consultation = factory.SubFactory(ConsultationFactory, status="quoted")
    version = factory.Sequence(lambda n: n + 1)
    price_min = Decimal("300000.00")
    price_max = Decimal("450000.00")
    sessions = 2
    session_minutes = 180
    deposit_amount = Decimal("100000.00")
    deposit_applies_to = "first"
    proposed_slots = factory.LazyFunction(lambda: [timezone.now().replace(microsecond=0) + timedelta(days=3)])
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=72))
    created_by = factory.LazyAttribute(lambda o: o.consultation.tattooist.user)


class ProjectFactory(factory.django.DjangoModelFactory):
    """An active project of two sessions whose first (paid) session is booked."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    tattooist = factory.SubFactory(TattooistFactory, booking_mode="both")
    consultation = factory.SubFactory(
        ConsultationFactory,
        customer=factory.SelfAttribute("..customer"),
        tattooist=factory.SelfAttribute("..tattooist"),
        status="accepted",
    )
    quote = factory.SubFactory(QuoteFactory, consultation=factory.SelfAttribute("..consultation"), status="accepted")
    sessions_planned = 2
    session_minutes = 180
    deposit_amount = Decimal("100000.00")
    deposit_applies_to = "first"
    status = "active"

    @factory.post_generation
    def first_session(obj, create, extracted, **kwargs):
        if create:
            booking = PaidBookingFactory(
                customer=obj.customer,
                tattooist=obj.tattooist,
                deposit_amount=obj.deposit_amount,
                deposit_role=DepositRole.APPLY,
            )
            ProjectSession.objects.create(project=obj, seq=1, booking=booking)
