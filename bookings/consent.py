"""The signed consent before a session (docs/api.md, "After the session"; docs/security.md row 24).

The customer fills it from the mailed link or the booking page: date of birth (18 or older on the
session's day), the health questions, the typed full name as signature, and the agreement. What
they wrote is sealed (tattoo/core/crypto.py) before it reaches the database; only the booking's
two parties ever see it opened; staff see that it exists. A booking cannot be marked completed
without it (bookings/services/moves.py `session_started_refusal`, 409 `consent_missing`).

The answers never go into a log line, a mail or a job's arguments: jobs carry the booking id, mails
link to the booking page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User, name_problem
from bookings.models import Booking, BookingStatus, ConsentRecord, status_word
from bookings.selectors import booking_get_for
from tattoo.core import crypto
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError

logger = logging.getLogger("inkbook.consent")

FORM_VERSION = 1
ADULT_AGE = 18
# The yes/no questions, in the form's order, with their words (the page and the booking page).
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("pregnant_or_nursing", gettext_lazy("Are you pregnant or breastfeeding?")),
    ("blood_thinners", gettext_lazy("Do you take blood thinners, or have a bleeding or clotting disorder?")),
    (
        "skin_condition",
        gettext_lazy("Do you have a skin condition (eczema, psoriasis, keloids) where the tattoo goes?"),
    ),
    ("diabetes", gettext_lazy("Do you have diabetes?")),
    ("heart_condition", gettext_lazy("Do you have a heart condition?")),
    ("epilepsy", gettext_lazy("Do you have epilepsy or seizures?")),
)
# Free-text answers that raise a flag when filled in.
TEXT_ANSWERS: tuple[tuple[str, str], ...] = (
    ("allergies", gettext_lazy("Allergies (latex, metals, ink, medicines)")),
    ("medications", gettext_lazy("Medicines you take (isotretinoin in the last 6 months, antibiotics, …)")),
)
ANSWER_TEXT_MAX = 500
NOTES_MAX = 2000
SIGNABLE = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


FLAG_NAMES = tuple(_camel(name) for name, _label in (*QUESTIONS, *TEXT_ANSWERS))


@dataclass(frozen=True)
class ConsentForm:
    """One signed form as its parties read it (the API's camelCase names)."""

    signed_at: datetime
    date_of_birth: date
    answers: dict
    signature: str
    flags: list[str]


def flags_of(answers: dict) -> list[str]:
    """The answers the artist must look at before the session: a "yes", or an allergy or medicine named."""
    return [name for name in FLAG_NAMES if answers.get(name) not in (None, False, "")]


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def session_day(booking: Booking) -> date:
    """The session's date on the artist's clock: the day the customer must be 18 on."""
    return booking.slot.astimezone(ZoneInfo(booking.tattooist.timezone)).date()


def _input_problems(*, date_of_birth: date, signature: str, agree: bool) -> dict[str, list]:
    problems: dict[str, list] = {}
    if date_of_birth > timezone.now().date() or date_of_birth.year < 1900:
        problems["dateOfBirth"] = [_("Enter your real date of birth.")]
    signature_problem = name_problem(signature) if signature.strip() else _("Type your full name to sign.")
    if signature_problem:
        problems["signature"] = [signature_problem]
    if agree is not True:
        problems["agree"] = [_("Tick the box to agree.")]
    return problems


def consent_sign(
    *, booking_id: int, user: User, date_of_birth: date, answers: dict, signature: str, agree: bool
) -> tuple[ConsentRecord, ConsentForm]:
    """The booking's customer signs the consent form (POST /api/bookings/{id}/consent).

    Unknown booking → 404; anyone but its customer → 403; a bad field → 400 on it; 18 only on the
    session's day (the artist's clock) or later → 400 `underage`; a booking that is not pending or
    confirmed → 409 `not_signable`; signed already → 409 `already_signed` (the booking's row lock
    and the one-to-one key: two racing signatures give one 201 and one 409).
    """
    booking = booking_get_for(user=user, booking_id=booking_id)
    if booking.customer_id != user.pk:
        raise NotAllowedError(_("Only the booking's customer signs its consent form."), code="not_customer")
    signature = " ".join(signature.split())
    problems = _input_problems(date_of_birth=date_of_birth, signature=signature, agree=agree)
    if problems:
        raise ApplicationError(_("The consent form is not complete."), code="invalid", fields=problems)
    if age_on(date_of_birth, session_day(booking)) < ADULT_AGE:
        raise ApplicationError(
            _("Tattoos on Inkbook are for people who are 18 or older on the day of the session."),
            code="underage",
            fields={"dateOfBirth": [_("You must be 18 or older on the day of the session.")]},
        )
    form = {
        "dateOfBirth": date_of_birth.isoformat(),
        "answers": answers,
        "signature": signature,
        "flags": flags_of(answers),
    }
    try:
        with transaction.atomic():
            locked = Booking.objects.select_for_update().get(pk=booking.pk)
            refusal = consent_sign_refusal(booking=locked, user=user)
            if refusal is not None:
                raise refusal
            sealed = crypto.seal(form)
            record = ConsentRecord.objects.create(
                booking=locked,
                form_version=FORM_VERSION,
                sealed=sealed.token,
                key_id=sealed.key_id,
                signed_at=timezone.now(),
            )
    except IntegrityError:
        raise _already_signed() from None
    logger.info("consent signed booking=%s", booking.pk)  # never what was written
    return record, _form(record, form)


def _already_signed() -> ConflictError:
    return ConflictError(_("The consent form of this booking is already signed."), code="already_signed")


def consent_sign_refusal(*, booking: Booking, user: User) -> ApplicationError | None:
    """Why `user` may not sign `booking`'s consent now, or None (the booking page asks it for its link)."""
    if booking.customer_id != user.pk:
        return NotAllowedError(_("Only the booking's customer signs its consent form."), code="not_customer")
    if booking.status not in SIGNABLE:
        return ConflictError(
            _("A %(status)s booking takes no consent form.") % {"status": status_word(booking.status)},
            code="not_signable",
        )
    if ConsentRecord.objects.filter(booking_id=booking.pk).exists():
        return _already_signed()
    return None


def consent_exists(booking: Booking) -> bool:
    return ConsentRecord.objects.filter(booking_id=booking.pk).exists()


def consent_missing_error() -> ConflictError:
    return ConflictError(
        _("The customer has not signed the consent form: a session without it cannot be marked completed."),
        code="consent_missing",
    )


def _form(record: ConsentRecord, opened: dict) -> ConsentForm:
    return ConsentForm(
        signed_at=record.signed_at,
        date_of_birth=date.fromisoformat(opened["dateOfBirth"]),
        answers=opened["answers"],
        signature=opened["signature"],
        flags=list(opened["flags"]),
    )


def consent_open(record: ConsentRecord) -> ConsentForm:
    """The signed form, opened (for the booking's parties only: callers check)."""
    return _form(record, crypto.unseal(record.sealed))


@dataclass(frozen=True)
class ConsentView:
    """What a reader may see of a booking's consent: staff get `record` without `form`."""

    record: ConsentRecord | None
    form: ConsentForm | None


def consent_for(*, booking_id: int, user: User) -> ConsentView:
    """A booking's consent as `user` may see it: the parties read the answers, staff only that it
    exists; unknown booking → 404, anyone else → 403 (GET /api/bookings/{id}/consent)."""
    booking = booking_get_for(user=user, booking_id=booking_id)
    record = ConsentRecord.objects.filter(booking_id=booking.pk).first()
    if record is None:
        return ConsentView(record=None, form=None)
    is_party = user.pk in (booking.customer_id, booking.tattooist.user_id)
    return ConsentView(record=record, form=consent_open(record) if is_party else None)


# --- retention and key rotation -------------------------------------------------------------------


def consents_purge(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Delete the consents (and so their answers) of sessions that started more than
    CONSENT_RETENTION_DAYS ago; the daily job's body. Returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CONSENT_RETENTION_DAYS)
    ids = list(
        ConsentRecord.objects.filter(booking__slot__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    deleted, _rows = ConsentRecord.objects.filter(pk__in=ids).delete()
    if deleted:
        logger.info("consents purged count=%s", deleted)
    return deleted


@dataclass(frozen=True)
class ReencryptReport:
    moved: int
    unreadable: list[int]


def consents_reencrypt(*, batch: int = 500) -> ReencryptReport:
    """Move every consent not sealed under the first key to it (MultiFernet.rotate), one row lock
    each, in batches. A row no configured key opens is listed, never changed."""
    primary = crypto.primary_key_id()
    moved, unreadable = 0, []
    last = 0
    while True:
        ids = list(
            ConsentRecord.objects.exclude(key_id=primary)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        for pk in ids:
            with transaction.atomic():
                record = ConsentRecord.objects.select_for_update().filter(pk=pk).first()
                if record is None or record.key_id == primary:
                    continue
                try:
                    sealed = crypto.reseal(record.sealed)
                except crypto.Undecryptable:
                    unreadable.append(pk)
                    continue
                record.sealed, record.key_id = sealed.token, sealed.key_id
                record.save(update_fields=["sealed", "key_id"])
                moved += 1
        last = ids[-1]
    return ReencryptReport(moved=moved, unreadable=unreadable)


def consent_section(*, booking: Booking, user: User) -> dict:
    """The booking page's consent section: whether it is signed, the answers for its two parties
    (each labelled, the flags marked), the link for the customer while it can be signed."""
    record = ConsentRecord.objects.filter(booking_id=booking.pk).first()
    is_party = user.pk in (booking.customer_id, booking.tattooist.user_id)
    form = consent_open(record) if record is not None and is_party else None
    rows = []
    if form is not None:
        for name, label in (*QUESTIONS, *TEXT_ANSWERS):
            value = form.answers.get(_camel(name))
            rows.append({"label": label, "value": value, "flagged": _camel(name) in form.flags})
    return {
        "consent": record,
        "consent_form": form,
        "consent_rows": rows,
        "consent_can_sign": consent_sign_refusal(booking=booking, user=user) is None,
    }
