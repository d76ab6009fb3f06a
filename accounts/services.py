from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts import mfa, throttling
from accounts.models import Language, Role, Tattooist, User, email_problem, name_problem, normalize_email
from accounts.tokens import (
    AFTERCARE,
    EMAIL_VERIFY,
    PASSWORD_RESET,
    REMINDERS,
    InkbookRefreshToken,
    mail_token_user,
    tokens_for_user,
    unsubscribe_token_user,
)
from tattoo.core import jobs
from tattoo.core.errors import ApplicationError, NotFoundError

logger = logging.getLogger("inkbook.auth")

# Lazy: each is read in the language of the request that raises it (docs/i18n.md).
LOGIN_FAILED = gettext_lazy("Email or password is incorrect.")
OTP_NEEDED = gettext_lazy("Staff accounts also need the 6-digit code from their authenticator app.")
OTP_WRONG = gettext_lazy("That one-time code is wrong or already used.")
REFRESH_INVALID = gettext_lazy("This refresh token is no longer valid. Log in again.")
SIGNUP_THROTTLED = gettext_lazy("Too many sign-ups from this network. Try again later.")
MAIL_THROTTLED = gettext_lazy("Too many requests. Try again later.")
TOKEN_INVALID = gettext_lazy("This link is wrong, expired or already used.")
LANGUAGE_INVALID = gettext_lazy("Choose Mongolian (mn) or English (en).")
VERIFY_MAIL_TASK = "notifications.verify_email"
RESET_MAIL_TASK = "notifications.password_reset"
APPROVAL_MAIL_TASK = "notifications.artist_approval"


def signup_throttle(*, request: HttpRequest) -> None:
    """Count a signup attempt from the caller's address (before anything is validated, so failed
    attempts count too); raise Throttled (429) over SIGNUPS_PER_ADDRESS per SIGNUP_WINDOW_SECONDS."""
    address = throttling.client_address(request)
    if not throttling.signup_allowed(address):
        logger.warning("signup throttled address=%s", address)
        raise Throttled(detail=SIGNUP_THROTTLED)


def request_language() -> str:
    """The saved language a new account gets: the language the signup request is answered in."""
    active = (translation.get_language() or "").split("-")[0]
    return active if active in Language.values else Language.MN


def _require_person_name(name: str) -> None:
    problem = name_problem(name)
    if problem is not None:
        raise ApplicationError(problem, code="invalid_name", fields={"name": [problem]})


def user_signup(*, name: str, email: str, password: str, role: str, bio: str = "", language: str | None = None) -> User:
    if role not in (Role.CUSTOMER, Role.TATTOOIST):
        raise ApplicationError(
            _("Only customer or tattooist accounts can sign up."), fields={"role": [_("Choose customer or tattooist.")]}
        )
    language = language or request_language()
    if language not in Language.values:
        raise ApplicationError(str(LANGUAGE_INVALID), fields={"language": [str(LANGUAGE_INVALID)]})
    _require_person_name(name)
    email = User.objects.normalize_email_address(email)
    problem = email_problem(email)
    if problem:
        raise ApplicationError(problem, fields={"email": [problem]})
    candidate = User(name=name, email=email, role=role)
    try:
        password_validation.validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ApplicationError(_("The password is too weak."), fields={"password": list(exc.messages)}) from None
    taken = ApplicationError(
        _("An account with this email already exists."),
        code="email_taken",
        fields={"email": [_("An account with this email already exists.")]},
    )
    if User.objects.filter(email=email).exists():
        raise taken
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, name=name, role=role, language=language)
            if role == Role.TATTOOIST:
                Tattooist.objects.create(user=user, bio=bio)
            # The verification mail (a job of the notifications app, named: a job name is a message).
            jobs.enqueue(VERIFY_MAIL_TASK, user_id=user.pk, nonce="signup")
    except IntegrityError:
        # A concurrent signup with the same address won the unique index.
        raise taken from None
    logger.info("signup user_id=%s role=%s", user.pk, role)
    return user


def failure_message(exc: AuthenticationFailed) -> str:
    """The human sentence of a login failure (some carry {code, message} for the API)."""
    detail = exc.detail
    return str(detail["message"]) if isinstance(detail, dict) and "message" in detail else str(detail)


@dataclass(frozen=True)
class LoginResult:
    user: User
    otp_device: object | None  # the TOTP device a staff member proved (accounts/mfa.py), else None


def user_login(*, request: HttpRequest, email: str, password: str, otp: str | None = None) -> LoginResult:
    address = throttling.client_address(request)
    if throttling.is_locked(email, address):
        logger.warning("login locked out address=%s", address)
        raise Throttled(detail=_("Too many failed logins. Try again in a few minutes."))
    user = authenticate(request, email=User.objects.normalize_email_address(email), password=password)
    if user is None:
        throttling.record_failure(email, address)
        logger.info("login failed address=%s", address)
        raise AuthenticationFailed(LOGIN_FAILED)
    device = None
    if mfa.requires_otp(user):
        if not otp:
            # Right password, no code yet: not a failure (a client asks for the code and retries).
            logger.info("login needs otp user_id=%s", user.pk)
            raise AuthenticationFailed({"code": "otp_required", "message": OTP_NEEDED})
        device = mfa.verify(user, otp)
        if device is None:
            throttling.record_failure(email, address)
            logger.warning("login otp failed user_id=%s address=%s", user.pk, address)
            raise AuthenticationFailed({"code": "otp_invalid", "message": OTP_WRONG})
    throttling.record_success(email, address)
    logger.info("login ok user_id=%s", user.pk)
    return LoginResult(user=user, otp_device=device)


def _revoke_all_refresh_tokens(user: User) -> int:
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    rows = [BlacklistedToken(token=t) for t in outstanding]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


class _RefreshTokenLockedCheck(InkbookRefreshToken):
    """Verifies signature, expiry and type; the blacklist is checked by the caller under a row lock."""

    def check_blacklist(self) -> None:
        return None


def _decode_refresh(raw: str) -> InkbookRefreshToken | None:
    try:
        # simplejwt annotates the encoded token as a Token; Token.__init__ decodes the string it is given
        return _RefreshTokenLockedCheck(raw)  # type: ignore[arg-type]
    except TokenError:
        return None


def token_refresh(*, raw_refresh: str) -> dict[str, str]:
    """Rotate a refresh token: at most one new token per old one, even under concurrency.

    Stock simplejwt checks the blacklist and blacklists later (check-then-act): concurrent calls
    all succeed. Here the outstanding-token row is locked, so the second caller sees the first
    caller's blacklist row. Presenting an already rotated token revokes the whole family.
    """
    refresh = _decode_refresh(raw_refresh)
    if refresh is None:
        raise AuthenticationFailed(REFRESH_INVALID, code="token_not_valid")
    jti = refresh.payload.get(jwt_settings.JTI_CLAIM)
    reused = False
    with transaction.atomic():
        outstanding = (
            OutstandingToken.objects.select_for_update(of=("self",)).select_related("user").filter(jti=jti).first()
        )
        if outstanding is None or outstanding.user is None:
            raise AuthenticationFailed(REFRESH_INVALID, code="token_not_valid")
        user = outstanding.user
        if BlacklistedToken.objects.filter(token=outstanding).exists():
            reused = True
            _revoke_all_refresh_tokens(user)
        elif not user.is_active or refresh.payload.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(
            user.password
        ):
            BlacklistedToken.objects.get_or_create(token=outstanding)
            raise AuthenticationFailed(REFRESH_INVALID, code="token_not_valid")
        else:
            BlacklistedToken.objects.create(token=outstanding)
            tokens = tokens_for_user(user, otp_verified=bool(refresh.payload.get(mfa.JWT_CLAIM)))
    if reused:
        logger.warning("refresh token reuse detected user_id=%s; all refresh tokens revoked", user.pk)
        raise AuthenticationFailed(REFRESH_INVALID, code="token_not_valid")
    return tokens


def token_logout(*, user: User, raw_refresh: str) -> None:
    refresh = _decode_refresh(raw_refresh)
    if refresh is None:
        raise ApplicationError(_("Invalid refresh token."), fields={"refresh": [_("Invalid or expired token.")]})
    outstanding = OutstandingToken.objects.filter(jti=refresh.payload.get(jwt_settings.JTI_CLAIM), user=user).first()
    if outstanding is None:
        raise ApplicationError(
            _("Invalid refresh token."), fields={"refresh": [_("This token does not belong to you.")]}
        )
    BlacklistedToken.objects.get_or_create(token=outstanding)


def user_change_password(*, user: User, current_password: str, new_password: str, address: str) -> User:
    """Set a new password, given the current one. Wrong guesses count against the account and the
    client address like failed logins, on the same counters (a stolen session or token cannot be
    used to try passwords): locked → 429 before the hash is checked (docs/security.md)."""
    if throttling.is_locked(user.email, address):
        logger.warning("password change locked out user_id=%s address=%s", user.pk, address)
        raise Throttled(detail=_("Too many failed logins. Try again in a few minutes."))
    if not user.check_password(current_password):
        throttling.record_failure(user.email, address)
        raise ApplicationError(_("The current password is wrong."), fields={"currentPassword": [_("Wrong password.")]})
    with transaction.atomic():
        return _password_change_write(user=user, new_password=new_password)


def _password_change_write(*, user: User, new_password: str) -> User:
    try:
        password_validation.validate_password(new_password, user=user)
    except DjangoValidationError as exc:
        raise ApplicationError(_("The new password is too weak."), fields={"newPassword": list(exc.messages)}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # Access tokens die with the password hash (CHECK_REVOKE_TOKEN); refresh tokens are revoked here.
    _revoke_all_refresh_tokens(user)
    return user


# --- e-mail verification ----------------------------------------------------------------------------


def email_verify(*, token: str) -> User:
    """Mark the address of the token's user verified; a wrong, expired or used token → 400."""
    with transaction.atomic():
        user = mail_token_user(token, EMAIL_VERIFY, max_age_seconds=settings.EMAIL_VERIFY_TOKEN_DAYS * 86400, lock=True)
        if user is None:
            raise ApplicationError(str(TOKEN_INVALID), code="token_invalid", fields={"token": [str(TOKEN_INVALID)]})
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    logger.info("email verified user_id=%s", user.pk)
    return user


def email_verify_resend(*, user: User, request: HttpRequest) -> bool:
    """Mail a new verification link (throttled per account and per client; 429 beyond). False when
    the address is already verified (nothing sent)."""
    if user.email_verified:
        return False
    per_account, per_client = throttling.mail_request_allowed("verify", user.email, throttling.client_address(request))
    if not (per_account and per_client):
        raise Throttled(detail=MAIL_THROTTLED)
    jobs.enqueue(VERIFY_MAIL_TASK, user_id=user.pk, nonce=timezone.now().isoformat())
    return True


# --- password reset ---------------------------------------------------------------------------------


def password_reset_request(*, email: str, request: HttpRequest) -> None:
    """Ask for a reset mail. The caller learns nothing about whether the address has an account:
    the same one job is written either way (the job looks the address up), so the answer and its
    timing are the same. Over the per-client limit → 429; over the per-address limit the request
    is dropped silently (a 429 there would tell that the address is in use)."""
    email = normalize_email(email)
    per_account, per_client = throttling.mail_request_allowed("reset", email, throttling.client_address(request))
    if not per_client:
        raise Throttled(detail=MAIL_THROTTLED)
    if per_account:
        jobs.enqueue(RESET_MAIL_TASK, email=email, requested_at=timezone.now().isoformat())


def password_reset_confirm(*, token: str, password: str) -> User:
    """Set a new password with a mailed token: single use (the token is bound to the old password
    hash), bounded by PASSWORD_RESET_MINUTES; every refresh token of the user is revoked."""
    with transaction.atomic():
        user = mail_token_user(token, PASSWORD_RESET, max_age_seconds=settings.PASSWORD_RESET_TIMEOUT, lock=True)
        if user is None:
            raise ApplicationError(str(TOKEN_INVALID), code="token_invalid", fields={"token": [str(TOKEN_INVALID)]})
        try:
            password_validation.validate_password(password, user=user)
        except DjangoValidationError as exc:
            raise ApplicationError(_("The password is too weak."), fields={"password": list(exc.messages)}) from None
        user.set_password(password)
        fields = ["password"]
        if user.email_verified_at is None:  # the mail reached its owner: that proves the address too
            user.email_verified_at = timezone.now()
            fields.append("email_verified_at")
        user.save(update_fields=fields)
        _revoke_all_refresh_tokens(user)
    # The owner proved the address: a lockout an attacker caused no longer keeps them out.
    throttling.account_unlock(user.email)
    logger.info("password reset user_id=%s", user.pk)
    return user


def user_update(
    *,
    user: User,
    name: str | None = None,
    reminders_enabled: bool | None = None,
    aftercare_enabled: bool | None = None,
    language: str | None = None,
) -> User:
    fields = []
    if language is not None:
        if language not in Language.values:
            raise ApplicationError(str(LANGUAGE_INVALID), fields={"language": [str(LANGUAGE_INVALID)]})
        user.language = language
        fields.append("language")
    if name is not None:
        _require_person_name(name)
        user.name = name
        fields.append("name")
    if reminders_enabled is not None:
        user.reminders_enabled = reminders_enabled
        fields.append("reminders_enabled")
    if aftercare_enabled is not None:
        user.aftercare_enabled = aftercare_enabled
        fields.append("aftercare_enabled")
    if fields:
        user.save(update_fields=fields)
    return user


def reminders_unsubscribe(*, token: str, topic: str = REMINDERS) -> User:
    """One-click unsubscribe (RFC 8058) from a reminder mail's link (or, `topic` AFTERCARE, an
    aftercare mail's): that kind of mail off, the same field the settings page and PATCH
    /api/auth/me set. Repeating it is harmless; a wrong or tampered token, or one of the other
    topic → 400 `token_invalid`."""
    user = unsubscribe_token_user(token, topic)
    if user is None:
        raise ApplicationError(str(TOKEN_INVALID), code="token_invalid", fields={"token": [str(TOKEN_INVALID)]})
    if topic == AFTERCARE:
        user_update(user=user, aftercare_enabled=False)
    else:
        user_update(user=user, reminders_enabled=False)
    logger.info("%s unsubscribed user_id=%s", topic, user.pk)
    return user


# --- artist approval (staff) -------------------------------------------------------------------


def tattooist_set_approval(*, tattooist_id: int, approved: bool, actor: User, note: str = "") -> Tattooist:
    """Approve or unapprove an artist. Unapproved artists vanish from public reads and cannot be
    booked (the public selectors filter on `approved`); bookings they already have stay."""
    with transaction.atomic():
        try:
            artist = Tattooist.objects.select_for_update().select_related("user").get(pk=tattooist_id)
        except Tattooist.DoesNotExist:
            raise NotFoundError(_("No such artist.")) from None
        changed = artist.approved != approved
        artist.approved = approved
        artist.approved_at = timezone.now() if approved else None
        # approved_by names the staff member behind the current decision, either way.
        artist.approved_by = actor
        artist.approval_note = note
        artist.save(update_fields=["approved", "approved_at", "approved_by", "approval_note", "updated_at"])
        if changed:  # the artist is told, by a job written in this transaction
            jobs.enqueue(
                APPROVAL_MAIL_TASK,
                tattooist_id=artist.pk,
                approved=approved,
                note=note,
                event=f"artist:{artist.pk}:approval:{timezone.now().isoformat()}",
            )
    logger.info("artist %s %s by user %s", artist.pk, "approved" if approved else "unapproved", actor.pk)
    return artist
