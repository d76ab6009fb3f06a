"""Telling people things: the one notification function and the outbox's delivery.

`notify()` is the only way the product sends a message. It renders the message in the recipient's
language, writes one outbox row per (event, recipient, kind, channel) and enqueues its send job, in
the caller's transaction: a rolled-back change sends nothing, and the same event notified twice
(a retried job, a repeated payment notification) finds its row already there and sends nothing
more. Callers (bookings, payments, disputes, accounts' jobs) pass everything the message needs; this
app imports accounts and the core only.

Channels: e-mail today. An SMS channel is one more `Channel` value, a renderer of its short text
and a branch in `_deliver`; callers do not change.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import F, Q
from django.template import Context
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django_stubs_ext import StrOrPromise

from accounts.models import User
from notifications import links
from notifications.models import Channel, Outbox, OutboxStatus
from tattoo.core import jobs
from tattoo.core.errors import UpstreamUnavailable

logger = logging.getLogger("inkbook.notifications")

SEND_TASK = "notifications.send"


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str  # e.g. 'text/calendar; method=REQUEST; charset="utf-8"'
    content: str


@dataclass
class Message:
    """What a caller wants said; rendered per recipient by `notify`."""

    kind: str  # template notifications/<kind>.txt: first line the subject, the rest the body
    # the template's variables: whatever each message's template reads
    context: dict[str, Any] = field(default_factory=dict)
    action_url: str = ""  # the one button of the HTML part (and a line of the text part)
    action_label: StrOrPromise = ""  # lazy, read in the recipient's language when rendered
    reply_to: User | None = None  # the other party, where answering the mail should reach them
    attachments: Sequence[Attachment] = ()
    headers: dict[str, str] = field(default_factory=dict)
    # A link that acts on the account (notifications/links.py): made at send time in place of
    # action_url, so no live token is ever stored in the outbox.
    account_link: str = ""


# --- the recipient's language: the one place it is chosen -----------------------------------------


def recipient_language(user: User) -> str:
    """The language a person's messages are written in: their saved choice (`User.language`,
    docs/i18n.md), else the site's default."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


@contextmanager
def in_language_of(user: User) -> Iterator[None]:
    with translation.override(recipient_language(user)):
        yield


# --- rendering ------------------------------------------------------------------------------------


# Characters that end or break a header line, or are invisible controls: never in a subject.
_NOT_IN_SUBJECT = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """`text` as one header-safe line: line breaks and control characters become spaces, runs of
    spaces one. A subject with a CR or LF in it fails at send time (BadHeaderError), every try."""
    return " ".join(_NOT_IN_SUBJECT.sub(" ", str(text)).split())


def _action_url(message: Message) -> str:
    return links.PLACEHOLDER if message.account_link else message.action_url


def _render_text(name: str, context: dict[str, Any]) -> str:
    """A plain-text template, without HTML escaping: an apostrophe in a name or a sentence stays an
    apostrophe in the subject and the text part (the HTML part escapes the text once, base.html)."""
    template = get_template(name)
    # The Django engine's (the only one in TEMPLATES): its wrapper holds the Template that takes a Context.
    if not isinstance(template, DjangoTemplate):
        raise TypeError(f"{name} is not a Django template")
    return template.template.render(Context(context, autoescape=False))


def render(message: Message, *, recipient: User) -> tuple[str, str, str]:
    """(subject, text, html) of `message` for `recipient`, in the recipient's language."""
    with in_language_of(recipient):
        context = {
            "recipient": recipient,
            "site_url": settings.SITE_URL,
            "action_url": _action_url(message),
            "action_label": message.action_label,
            **message.context,
        }
        rendered = _render_text(f"notifications/{message.kind}.txt", context).strip()
        subject, _, body = rendered.partition("\n")
        body = re.sub(r"\n{3,}", "\n\n", body.strip())
        paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
        if context["action_url"]:
            body += f"\n\n{message.action_label}: {context['action_url']}"
        html = render_to_string(
            "notifications/base.html",
            {**context, "subject": subject.strip(), "paragraphs": paragraphs},
        )
    return one_line(subject)[:300], body + "\n", html


# --- the one notification function ----------------------------------------------------------------


def notify(
    *,
    event: str,
    recipients: Iterable[User],
    message: Message,
    channels: Sequence[str] = (Channel.EMAIL,),
) -> list[Outbox]:
    """Queue `message` for each recipient on each channel, once per `event` (a stable key of what
    happened, e.g. "booking:42:confirmed:3"). Call it inside the transaction of the change that
    causes it. Returns the rows written now (an event already notified gives none)."""
    return notify_each(event=event, messages=[(recipient, message) for recipient in recipients], channels=channels)


def notify_each(
    *,
    event: str,
    messages: Iterable[tuple[User, Message]],
    channels: Sequence[str] = (Channel.EMAIL,),
) -> list[Outbox]:
    """`notify` with a message of its own for each recipient (a booking's customer and artist are
    told the same event in their own words): every row in one statement, every send job in one."""
    rows: list[Outbox] = []
    for recipient, message in messages:
        if recipient is None or not recipient.email or not recipient.is_active:
            continue
        subject, text, html = render(message, recipient=recipient)
        rows.extend(
            Outbox(
                channel=channel,
                kind=message.kind,
                event_key=event[:200],
                recipient=recipient,
                to_address=recipient.email,
                reply_to=message.reply_to.email if message.reply_to is not None else "",
                subject=subject,
                body_text=text,
                body_html=html,
                headers=dict(message.headers),
                attachments=[a.__dict__ for a in message.attachments],
                language=recipient_language(recipient),
                account_link=message.account_link,
                message_id=_new_message_id(),
                created_at=timezone.now(),
            )
            for channel in channels
        )
    written = _insert_once(rows)
    for row in rows:
        if row.pk is None:
            logger.info("notification %s to user %s for %s already queued", row.kind, row.recipient_id, event)
    with jobs.batched():  # one statement for every row's send job
        for row in written:
            jobs.enqueue(SEND_TASK, outbox_id=row.pk)
    return written


_INSERT_COLUMNS = (
    "channel", "kind", "event_key", "recipient_id", "to_address", "reply_to", "subject", "body_text",
    "body_html", "headers", "attachments", "language", "status", "attempts", "last_error", "message_id",
    "created_at", "account_link",
)  # fmt: skip


def _insert_once(rows: Sequence[Outbox]) -> list[Outbox]:
    """INSERT ... ON CONFLICT DO NOTHING on the (event, recipient, kind, channel) key, every row in
    one statement: a repeat is no error (the caller's transaction goes on). A concurrent writer of
    the same key waits for the first one's commit, then inserts nothing. Returns the rows inserted,
    with their pk set."""
    if not rows:
        return []
    values = []
    for row in rows:
        for name in _INSERT_COLUMNS:
            value = getattr(row, name)
            values.append(json.dumps(value) if name in ("headers", "attachments") else value)
    one = "(" + ", ".join("%s::jsonb" if n in ("headers", "attachments") else "%s" for n in _INSERT_COLUMNS) + ")"
    with connection.cursor() as cursor:
        # S608: the table and columns come from the model and a constant list; every value is a parameter.
        cursor.execute(
            f"INSERT INTO {Outbox._meta.db_table} ({', '.join(_INSERT_COLUMNS)}) VALUES {', '.join([one] * len(rows))} "  # noqa: S608
            "ON CONFLICT (event_key, recipient_id, kind, channel) DO NOTHING RETURNING id, message_id",
            values,
        )
        inserted = {message_id: pk for pk, message_id in cursor.fetchall()}
    written = []
    for row in rows:
        if row.message_id in inserted:
            row.pk = inserted[row.message_id]
            written.append(row)
    return written


def _new_message_id() -> str:
    """A globally unique Message-ID in the sender's domain, stored on the row when it is written:
    every attempt of that row carries it, so a mail that went out twice (a crash between the
    server's acceptance and the `sent` update) is recognisable as one message by the receiving
    server and client. Random rather than derived from the row id: ids restart with a new database,
    and two different mails must never share one."""
    return make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or None)


# --- delivery -------------------------------------------------------------------------------------

SENT, NOT_DUE, RETRY, FAILED = "sent", "not_due", "retry", "failed"


def _claim(outbox_id: int, now: datetime) -> Outbox | None:
    """Take the row for one attempt (compare-and-set, committed at once: no transaction is held
    open while the mail server is talked to). A row that is sent, failed for good, or being sent
    by another runner right now is not taken; a claim older than EMAIL_CLAIM_SECONDS is a runner
    that died mid-send and is taken over."""
    stale = now - timedelta(seconds=settings.EMAIL_CLAIM_SECONDS)
    claimable = Q(status__in=(OutboxStatus.QUEUED, OutboxStatus.RETRYING)) | Q(
        status=OutboxStatus.SENDING, claimed_at__lt=stale
    )
    taken = Outbox.objects.filter(claimable, pk=outbox_id).update(
        status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return Outbox.objects.get(pk=outbox_id) if taken else None


def _email(row: Outbox, connection: BaseEmailBackend | None = None) -> EmailMultiAlternatives:
    headers = {"Message-ID": row.message_id, **row.headers}
    text, html = row.body_text, row.body_html
    if row.account_link:
        # The live link exists only in the copy handed to the mail server (notifications/links.py).
        link = links.link_for(row.account_link, row.recipient)
        text, html = text.replace(links.PLACEHOLDER, link), html.replace(links.PLACEHOLDER, link)
    mail = EmailMultiAlternatives(
        subject=one_line(row.subject),  # rows written before subjects were made one line
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_address],
        reply_to=[row.reply_to] if row.reply_to else None,
        headers=headers,
        connection=connection,
    )
    if html:
        mail.attach_alternative(html, "text/html")
    for a in row.attachments:
        mail.attach(_text_part(a))
    return mail


def _text_part(attachment: dict[str, str]) -> MIMEText:
    """A text attachment whose content type keeps its parameters (text/calendar needs `method`)."""
    maintype, *params = (p.strip() for p in attachment["mimetype"].split(";"))
    part = MIMEText(attachment["content"], maintype.split("/", 1)[1], "utf-8")
    for param in params:
        key, _, value = param.partition("=")
        if key.lower() != "charset":
            part.set_param(key, value.strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=attachment["filename"])
    return part


def _deliver(row: Outbox) -> None:
    if row.channel == Channel.EMAIL:
        connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
        _email(row, connection).send(fail_silently=False)
        return
    raise ValueError(f"no delivery for channel {row.channel!r}")


def outbox_send(*, outbox_id: int, now: datetime | None = None) -> str:
    """One delivery attempt of an outbox row: the `notifications.send` job's body.

    Never sends a row twice once the server accepted it: the row is claimed before the attempt and
    marked sent right after the server's acceptance. A failure is recorded on the row (attempts,
    last_error) and raised as UpstreamUnavailable so the job retries with backoff; after
    EMAIL_MAX_ATTEMPTS the row ends `failed` for staff (Django admin → outgoing messages).
    """
    now = now or timezone.now()
    row = _claim(outbox_id, now)
    if row is None:
        return NOT_DUE
    if not row.message_id:  # a row written before notify() stored one: give it one for good
        Outbox.objects.filter(pk=row.pk, message_id="").update(message_id=_new_message_id())
        row.refresh_from_db(fields=["message_id"])
    try:
        _deliver(row)
    except Exception as exc:  # any failure of the mail server or provider: recorded, then retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        gave_up = row.attempts >= settings.EMAIL_MAX_ATTEMPTS
        Outbox.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.FAILED if gave_up else OutboxStatus.RETRYING, last_error=error
        )
        logger.warning("outbox %s attempt %s failed: %s", row.pk, row.attempts, error)
        if gave_up:
            return FAILED
        raise UpstreamUnavailable(f"outbox {row.pk}: {error}") from exc
    Outbox.objects.filter(pk=row.pk).update(status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="")
    logger.info("outbox %s sent (%s to user %s)", row.pk, row.kind, row.recipient_id)
    return SENT


def outbox_requeue_stalled(*, now: datetime | None = None) -> int:
    """The sweep behind the send jobs: rows whose sender died mid-send (claim older than
    EMAIL_CLAIM_SECONDS) or whose job never ran (queued for 10 minutes) get a new send job."""
    now = now or timezone.now()
    stale = Q(status=OutboxStatus.SENDING, claimed_at__lt=now - timedelta(seconds=settings.EMAIL_CLAIM_SECONDS)) | Q(
        status=OutboxStatus.QUEUED, created_at__lt=now - timedelta(minutes=10)
    )
    count = 0
    for pk in Outbox.objects.filter(stale).values_list("pk", flat=True)[:500]:
        count += jobs.enqueue(SEND_TASK, queueing_lock=f"outbox-{pk}", outbox_id=pk) is not None
    return count


# Kinds whose mails carry an account link (verification, password reset): their rows go a day after
# they were sent, or once their link could no longer work had they not been sent.
ACCOUNT_LINK_KEEP = timedelta(days=1)


def outbox_purge_account_mail(*, now: datetime | None = None) -> int:
    """Delete account-link mails sent more than a day ago, and those never sent whose link would
    have expired (EMAIL_VERIFY_TOKEN_DAYS): the daily job's body. Rows written before links were
    made at send time held live tokens; no row of these kinds is kept longer. Returns the count."""
    now = now or timezone.now()
    expired = now - timedelta(days=max(settings.EMAIL_VERIFY_TOKEN_DAYS, 1))
    old = Outbox.objects.filter(kind__in=(links.VERIFY_EMAIL, links.RESET_PASSWORD)).filter(
        Q(status=OutboxStatus.SENT, sent_at__lt=now - ACCOUNT_LINK_KEEP) | Q(created_at__lt=expired)
    )
    count, _ = old.delete()
    if count:
        logger.info("purged %s account mails", count)
    return count


def outbox_resend(*, outbox_ids: Iterable[int]) -> int:
    """Staff's "send again" on failed rows (the admin action): a fresh set of attempts."""
    count = 0
    with transaction.atomic():
        for pk in Outbox.objects.filter(pk__in=list(outbox_ids), status=OutboxStatus.FAILED).values_list(
            "pk", flat=True
        ):
            Outbox.objects.filter(pk=pk).update(status=OutboxStatus.QUEUED, attempts=0)
            jobs.enqueue(SEND_TASK, outbox_id=pk)
            count += 1
    return count
