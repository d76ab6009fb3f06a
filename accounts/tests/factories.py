from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Role, Tattooist, User

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"user{n}@example.test")
    role = Role.CUSTOMER
    # Verified by default: the verification gate is for real signups (accounts/tests/test_verify*.py
    # make unverified users explicitly with email_verified_at=None).
    email_verified_at = factory.LazyFunction(timezone.now)
    # English by default: the suite asserts English texts, and a saved language beats the test
    # clients' Accept-Language on pages and in mails (docs/i18n.md); tests of Mongolian say "mn".
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CustomerFactory(UserFactory):
    role = Role.CUSTOMER


class AdminFactory(UserFactory):
    role = Role.ADMIN


class TattooistUserFactory(UserFactory):
    role = Role.TATTOOIST


class TattooistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tattooist

    user = factory.SubFactory(TattooistUserFactory)
    bio = factory.Faker("sentence")
    approved = True
    approved_at = factory.LazyFunction(timezone.now)
    timezone = "Asia/Ulaanbaatar"
    session_minutes = 120
    min_deposit = Decimal("50000.00")
