from __future__ import annotations

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import Role, Tattooist, User
from accounts.tests.factories import PASSWORD, CustomerFactory, TattooistFactory
from testing.clients import client_for

pytestmark = pytest.mark.django_db


def signup(client, **overrides):
    body = {"name": "Nomin", "email": "nomin@example.test", "password": "a-long-enough-pass", "role": "customer"}
    body.update(overrides)
    return client.post("/api/auth/signup", body, format="json")


def decode(token: str) -> dict:
    return jwt.decode(token, settings.JWT_SIGNING_KEY, algorithms=["HS256"], audience="inkbook-api")


def test_it_signs_up_a_customer_and_returns_tokens(api_client):
    response = signup(api_client)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["user"]["email"] == "nomin@example.test"
    assert body["user"]["role"] == "customer"
    assert body["user"]["tattooist"] is None
    assert set(body) == {"user", "access", "refresh"}
    user = User.objects.get(email="nomin@example.test")
    assert user.password.startswith(("bcrypt_sha256$", "md5$"))
    assert not Tattooist.objects.filter(user=user).exists()


def test_it_signs_up_an_artist_with_an_unapproved_profile(api_client):
    response = signup(api_client, email="ink@example.test", role="tattooist", bio="Dotwork")
    assert response.status_code == 201
    profile = response.json()["user"]["tattooist"]
    assert profile["bio"] == "Dotwork"
    assert profile["approved"] is False
    assert profile["timezone"] == "Asia/Ulaanbaatar"
    assert profile["sessionMinutes"] == 120


def test_it_refuses_the_admin_role_at_signup(api_client):
    response = signup(api_client, role="admin")
    assert response.status_code == 400
    assert "role" in response.json()["fields"]
    assert not User.objects.exists()


def test_it_refuses_a_taken_email_in_any_case(api_client):
    assert signup(api_client).status_code == 201
    response = signup(APIClient(), email="  NOMIN@Example.TEST ")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "email_taken"
    assert body["fields"]["email"] == ["An account with this email already exists."]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-email"), ("password", "short"), ("name", ""), ("role", "wizard"), ("password", "12345678901")],
)
def test_it_refuses_bad_signup_fields_with_a_field_message(api_client, field, value):
    response = signup(api_client, **{field: value})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert field in body["fields"]
    assert not User.objects.exists()


def test_it_refuses_a_body_that_is_not_json(api_client):
    response = api_client.post("/api/auth/signup", "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_it_logs_in_with_the_email_in_any_case(api_client):
    user = CustomerFactory(email="bat@example.test")
    response = api_client.post("/api/auth/login", {"email": "BAT@example.test", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == user.pk
    claims = decode(body["access"])
    assert claims["role"] == "customer"
    assert claims["user_id"] == str(user.pk)


def test_wrong_password_and_unknown_email_get_the_same_401(api_client):
    CustomerFactory(email="bat@example.test")
    wrong = api_client.post("/api/auth/login", {"email": "bat@example.test", "password": "nope-nope"}, format="json")
    unknown = api_client.post("/api/auth/login", {"email": "who@example.test", "password": "nope-nope"}, format="json")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["message"] == "Email or password is incorrect."


def test_the_access_token_carries_the_role(api_client):
    artist = TattooistFactory()
    body = api_client.post("/api/auth/login", {"email": artist.user.email, "password": PASSWORD}, format="json").json()
    assert decode(body["access"])["role"] == Role.TATTOOIST
    assert decode(body["refresh"])["role"] == Role.TATTOOIST


def test_me_returns_the_user_with_the_artist_profile(db):
    artist = TattooistFactory()
    response = client_for(artist.user).get("/api/auth/me")
    assert response.status_code == 200
    assert response.json()["tattooist"]["id"] == artist.pk
    assert response.json()["tattooist"]["userId"] == artist.user.pk


def test_me_without_credentials_is_401(api_client):
    response = api_client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_forged_token_is_401(api_client):
    user = CustomerFactory()
    forged = jwt.encode(
        {
            "user_id": str(user.pk),
            "token_type": "access",
            "aud": "inkbook-api",
            "iss": "inkbook",
            "exp": 9999999999,
            "jti": "x",
        },
        "not-the-key-but-long-enough-to-avoid-warnings",
        algorithm="HS256",
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert api_client.get("/api/auth/me").status_code == 401


def test_a_refresh_token_cannot_be_used_as_an_access_token(api_client):
    user = CustomerFactory()
    tokens = api_client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json").json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['refresh']}")
    assert api_client.get("/api/auth/me").status_code == 401


def login(client, user) -> dict:
    response = client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def test_refresh_rotates_and_the_old_refresh_token_stops_working(api_client):
    user = CustomerFactory()
    tokens = login(api_client, user)
    first = api_client.post("/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert first.status_code == 200
    rotated = first.json()
    assert set(rotated) == {"access", "refresh"}
    assert rotated["refresh"] != tokens["refresh"]
    assert decode(rotated["access"])["role"] == "customer"
    again = api_client.post("/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(api_client):
    user = CustomerFactory()
    tokens = login(api_client, user)
    rotated = api_client.post("/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json").json()
    assert api_client.post("/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json").status_code == 401
    # the thief's replay also kills the legitimate successor
    assert api_client.post("/api/auth/refresh", {"refresh": rotated["refresh"]}, format="json").status_code == 401


def test_refresh_with_garbage_is_401(api_client):
    response = api_client.post("/api/auth/refresh", {"refresh": "garbage"}, format="json")
    assert response.status_code == 401


def test_logout_revokes_the_refresh_token(api_client):
    user = CustomerFactory()
    tokens = login(api_client, user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.post("/api/auth/logout", {"refresh": tokens["refresh"]}, format="json").status_code == 205
    response = APIClient().post("/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401


def test_logout_refuses_someone_elses_refresh_token(api_client):
    victim_tokens = login(APIClient(), CustomerFactory())
    response = client_for(CustomerFactory()).post(
        "/api/auth/logout", {"refresh": victim_tokens["refresh"]}, format="json"
    )
    assert response.status_code == 400
    assert (
        APIClient().post("/api/auth/refresh", {"refresh": victim_tokens["refresh"]}, format="json").status_code == 200
    )


def test_logout_requires_credentials(api_client):
    assert api_client.post("/api/auth/logout", {"refresh": "x"}, format="json").status_code == 401


def test_changing_the_password_revokes_refresh_and_access_tokens(api_client):
    user = CustomerFactory()
    tokens = login(api_client, user)
    other_session = login(APIClient(), user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = api_client.post(
        "/api/auth/password", {"currentPassword": PASSWORD, "newPassword": "a-brand-new-secret"}, format="json"
    )
    assert response.status_code == 204
    for refresh in (tokens["refresh"], other_session["refresh"]):
        assert APIClient().post("/api/auth/refresh", {"refresh": refresh}, format="json").status_code == 401
    assert api_client.get("/api/auth/me").status_code == 401
    fresh = APIClient().post("/api/auth/login", {"email": user.email, "password": "a-brand-new-secret"}, format="json")
    assert fresh.status_code == 200


def test_password_change_needs_the_current_password(db):
    user = CustomerFactory()
    response = client_for(user).post(
        "/api/auth/password", {"currentPassword": "wrong-one", "newPassword": "a-brand-new-secret"}, format="json"
    )
    assert response.status_code == 400
    assert "currentPassword" in response.json()["fields"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_real_bcrypt_sha256_hashes_verify_and_long_passwords_stay_distinct():
    from django.contrib.auth.hashers import check_password, make_password

    base = "x" * 72
    encoded = make_password(base + "A", hasher="bcrypt_sha256")
    assert encoded.startswith("bcrypt_sha256$")
    assert check_password(base + "A", encoded)
    # plain bcrypt truncates at 72 bytes; the SHA-256 pre-hash keeps these apart
    assert not check_password(base + "B", encoded)


def test_the_password_is_stored_in_the_password_hash_column():
    assert User._meta.get_field("password").column == "password_hash"


def test_a_refresh_token_with_a_forged_signature_is_401(api_client):
    user = CustomerFactory()
    tokens = login(api_client, user)
    claims = decode(tokens["refresh"])
    forged = jwt.encode(claims, "x" * 48, algorithm="HS256")
    assert api_client.post("/api/auth/refresh", {"refresh": forged}, format="json").status_code == 401
    # and the genuine token still works: the forgery revoked nothing
    assert api_client.post("/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json").status_code == 200


@pytest.mark.parametrize("change", ["deactivated", "deleted", "password_changed"])
def test_an_access_token_stops_working_when_its_user_changes(api_client, change):
    # accounts/authentication.py reads the user with its own statement: simplejwt's refusals stand.
    user = CustomerFactory()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login(api_client, user)['access']}")
    assert api_client.get("/api/auth/me").json()["id"] == user.pk
    if change == "deactivated":
        User.objects.filter(pk=user.pk).update(is_active=False)
    elif change == "deleted":
        user.delete()
    else:
        user.set_password("another-long-secret")
        user.save(update_fields=["password"])

    response = api_client.get("/api/auth/me")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed", response.json()


@pytest.mark.parametrize("user_id", ["not-a-number", "0", str(2**63), None])
def test_a_signed_token_naming_no_usable_user_id_is_a_401(api_client, user_id):
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(CustomerFactory())
    token["user_id"] = user_id
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert api_client.get("/api/auth/me").status_code == 401


@pytest.mark.parametrize("change", ["none", "deactivated", "deleted", "password_changed"])
def test_the_compiled_user_lookup_answers_as_simplejwts_own_lookup(change):
    # accounts/authentication.py replaces simplejwt's get_user (pinned in requirements.in) with a
    # statement compiled once; whatever simplejwt's own lookup does with a token, ours does too.
    from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
    from rest_framework_simplejwt.exceptions import AuthenticationFailed
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.authentication import JWTAuthentication

    user = CustomerFactory(language="mn")
    token = AccessToken.for_user(user)
    if change == "deactivated":
        User.objects.filter(pk=user.pk).update(is_active=False)
    elif change == "deleted":
        user.delete()
    elif change == "password_changed":
        user.set_password("another-long-secret")
        user.save(update_fields=["password"])

    def outcome(authentication):
        try:
            found = authentication.get_user(token)
        except AuthenticationFailed as refused:
            return type(refused), refused.get_codes()
        return {field.attname: getattr(found, field.attname) for field in User._meta.concrete_fields}

    ours, theirs = outcome(JWTAuthentication()), outcome(SimpleJWTAuthentication())
    assert ours == theirs
    assert isinstance(theirs, dict) == (change == "none")  # the comparison saw both kinds of answer
