"""My bookings and the booking page (status, audit trail, deposit payment, moves): the booking's
parties and staff."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from bookings import consent, selectors
from bookings.deposit_window import window_deadline
from bookings.models import Booking, BookingStatus, PaymentStatus, status_word
from bookings.services import moves as booking_moves
from ideas.forms import IdeaForm
from ideas.selectors import ideas_for_booking
from ideas.services import idea_post_refusal
from payments.ledger import deposit_ledger, policy_refund_deadline
from payments.models import Transaction
from payments.selectors import open_invoices
from payments.services import checks as payment_checks
from payments.services import invoices as payment_invoices
from reviews import pages as review_pages
from tattoo.core import l10n
from tattoo.core.errors import ApplicationError
from tattoo.site.views.refusals import FAILED, attempt, refuse


@login_required
def my_bookings(request):
    bookings = selectors.booking_list_for(user=request.user).select_related("tattooist__user")[:100]
    return render(request, "bookings/my_bookings.html", {"bookings": bookings})


def _get_booking(request, booking_id: int) -> Booking:
    try:
        return selectors.booking_get_for(user=request.user, booking_id=booking_id, with_events=True)
    except ApplicationError as exc:
        refuse(exc)
        raise


def _open_invoice(booking: Booking) -> Transaction | None:
    return open_invoices(booking_id=booking.pk, pending=True).last()


def _can_pay(booking: Booking, user: User) -> bool:
    return payment_invoices.payment_refusal(booking=booking, user=user) is None


@login_required
def booking_detail(request, booking_id: int):
    booking = _get_booking(request, booking_id)
    booking = (
        Booking.objects.select_related("tattooist__user", "customer")
        .prefetch_related("events__actor")
        .get(pk=booking.pk)
    )
    tz = ZoneInfo(booking.tattooist.timezone)
    invoice = _open_invoice(booking) if _can_pay(booking, request.user) else None
    now = timezone.now()
    refusal = booking_moves.reschedule_refusal(booking=booking, actor=request.user, now=now)
    reschedule_options = []
    if refusal is None:
        # The artist's next free starts (the booking's own time is taken by itself, so not offered).
        free = selectors.tattooist_slots(tattooist=booking.tattooist, start=now, end=now + RESCHEDULE_WINDOW)
        reschedule_options = [(start, start.astimezone(tz)) for start in free.starts[:RESCHEDULE_CHOICES]]
    return render(
        request,
        "bookings/booking_detail.html",
        {
            "booking": booking,
            "local_start": booking.slot.astimezone(tz),
            "local_end": booking.ends_at.astimezone(tz),
            "moves": booking_moves.allowed_moves(booking=booking, actor=request.user),
            "can_pay": _can_pay(booking, request.user),
            "invoice": invoice,
            "is_customer": booking.customer_id == request.user.pk,
            # The ideas thread (templates/ideas/_thread.html): staff read it, the parties post.
            "ideas": ideas_for_booking(user=request.user, booking_id=booking.pk),
            "can_post_ideas": idea_post_refusal(booking=booking, user=request.user) is None,
            "idea_form": IdeaForm(),
            "reschedule_options": reschedule_options,
            "reschedule_notice_hours": settings.BOOKING_RESCHEDULE_NOTICE_HOURS,
            # Why a party cannot move it (shown to the customer while it is still ahead and active).
            "reschedule_refusal": refusal.message if refusal and refusal.code != "not_reschedulable" else "",
            # The signed consent (bookings/consent.py) and the review (reviews/pages.py).
            **consent.consent_section(booking=booking, user=request.user),
            **review_pages.booking_review_context(booking=booking, user=request.user),
            # The deposit ledger and the policy it follows (docs/deposits.md).
            "deposit": deposit_ledger(booking=booking),
            "refund_deadline": policy_refund_deadline(booking).astimezone(tz),
            # fixed at payment and the booking moved since: not "N hours before the start" any more
            "refund_deadline_moved": policy_refund_deadline(booking) != window_deadline(booking),
        },
    )


@login_required
@require_GET
def booking_state(request, booking_id: int):
    """What static/js/payment.js polls while a deposit is open: a database read, no QPay call."""
    booking = _get_booking(request, booking_id)
    return JsonResponse(
        {"id": booking.pk, "status": booking.status, "paymentStatus": booking.payment_status},
        headers={"Cache-Control": "no-store"},
    )


@login_required
@require_POST
def booking_status(request, booking_id: int):
    _get_booking(request, booking_id)  # who asks, before the form is judged
    to_status = request.POST.get("status", "")
    if to_status not in BookingStatus.values:
        messages.error(request, _("Unknown status."))
    else:
        moved = attempt(
            request,
            lambda: booking_moves.booking_change_status(
                booking_id=booking_id, actor=request.user, to_status=to_status, note=request.POST.get("note", "")[:500]
            ),
        )
        if moved is not FAILED:
            messages.success(request, _("Booking %(status)s.") % {"status": status_word(to_status)})
    return redirect(_back(request, reverse("booking-detail", args=[booking_id])))


RESCHEDULE_WINDOW = timedelta(days=30)
RESCHEDULE_CHOICES = 60


@login_required
@require_POST
def booking_reschedule(request, booking_id: int):
    _get_booking(request, booking_id)  # who asks, before the form is judged
    detail = reverse("booking-detail", args=[booking_id])
    raw = request.POST.get("slot", "")
    try:
        slot = datetime.fromisoformat(raw)
    except ValueError:
        messages.error(request, _("Pick a new time from the list."))
        return redirect(detail)
    booking = attempt(
        request, lambda: booking_moves.booking_reschedule(booking_id=booking_id, actor=request.user, slot=slot)
    )
    if booking is not FAILED:
        when = l10n.when(booking.slot, booking.tattooist.timezone)
        messages.success(request, _("Booking moved to %(when)s.") % {"when": when})
    return redirect(detail)


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    # Only our own site: never an open redirect. Django's check, as the login page's (a hand-made
    # prefix test let `/\evil.com` through: browsers read the backslash as a slash).
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def booking_pay(request, booking_id: int):
    _get_booking(request, booking_id)
    attempt(request, lambda: payment_invoices.payment_create(user=request.user, booking_id=booking_id))
    return redirect("booking-detail", booking_id)


@login_required
@require_POST
def booking_recheck(request, booking_id: int):
    booking = _get_booking(request, booking_id)
    invoice = _open_invoice(booking)
    if invoice is None:
        return redirect("booking-detail", booking_id)
    outcome = payment_checks.payment_status_recheck_if_due(transaction_id=invoice.pk)
    booking.refresh_from_db()
    if booking.payment_status == PaymentStatus.PAID:
        messages.success(request, _("Payment received: your booking is confirmed."))
    elif outcome is None:
        messages.info(request, _("We checked recently; the page updates by itself as soon as the payment lands."))
    else:
        messages.info(request, _("QPay has not reported the payment yet. It can take a minute."))
    return redirect("booking-detail", booking_id)
