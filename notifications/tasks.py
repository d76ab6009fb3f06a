"""Notification jobs (docs/jobs.md): one send per outbox row, and the sweep behind them."""

from __future__ import annotations

from django.conf import settings
from procrastinate import RetryStrategy

from notifications import account_mail, services
from tattoo.core.errors import UpstreamUnavailable
from tattoo.core.jobs import app

# A failed attempt is recorded on the row and retried after 2, 4, 8, ... s; the row itself decides
# when to give up (EMAIL_MAX_ATTEMPTS, then `failed` in the admin), so the job allows a few more.
SEND_RETRY = RetryStrategy(
    max_attempts=settings.EMAIL_MAX_ATTEMPTS + 2, exponential_wait=2, retry_exceptions={UpstreamUnavailable}
)


@app.task(name="notifications.send", retry=SEND_RETRY)
def send(outbox_id: int) -> str:
    """Deliver one outbox row (a no-op once it was accepted by the mail server)."""
    return services.outbox_send(outbox_id=outbox_id)


@app.periodic(cron="* * * * *", periodic_id="requeue_stalled_mail")
@app.task(name="notifications.requeue_stalled", queueing_lock="notifications.requeue_stalled")
def requeue_stalled(timestamp: int | None = None) -> int:
    """Every minute: rows whose sender died mid-send, or whose job never ran, get a new job."""
    return services.outbox_requeue_stalled()


@app.periodic(cron="23 3 * * *", periodic_id="purge_account_mail")
@app.task(name="notifications.purge_account_mail", queueing_lock="notifications.purge_account_mail")
def purge_account_mail(timestamp: int | None = None) -> int:
    """Daily: account-link mails (verification, reset) leave the outbox a day after sending."""
    return services.outbox_purge_account_mail()


@app.task(name="notifications.verify_email")
def verify_email(user_id: int, nonce: str) -> int:
    """At signup and on each resend: the verification link (none once the address is verified)."""
    return account_mail.verify_email_send(user_id=user_id, nonce=nonce)


@app.task(name="notifications.password_reset")
def password_reset(email: str, requested_at: str) -> int:
    """On each reset request: the reset link, if the address has an account."""
    return account_mail.password_reset_send(email=email, requested_at=requested_at)


@app.task(name="notifications.artist_approval")
def artist_approval(tattooist_id: int, approved: bool, note: str, event: str) -> int:
    """After staff approve or unapprove an artist (accounts.services.tattooist_set_approval)."""
    return account_mail.artist_approval_send(tattooist_id=tattooist_id, approved=approved, note=note, event=event)
