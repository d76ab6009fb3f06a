"""The outbox: one row per (event, recipient, kind, channel), written in the transaction of the
event that causes it, delivered by the `notifications.send` job (docs/notifications.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tattoo.core.models import status_check


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")  # Django's mail backend (SMTP locally, SMTP or anymail in production)


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # written with its event; its send job has not run yet
    SENDING = "sending", _("Sending")  # a send job claimed it (claimed_at) and is talking to the server
    RETRYING = "retrying", _("Retrying")  # the last attempt failed (last_error); its job runs again after a backoff
    SENT = "sent", _("Sent")  # the mail server accepted it (sent_at): never sent again
    FAILED = "failed", _("Failed")  # EMAIL_MAX_ATTEMPTS attempts failed: staff look at last_error and resend


class Outbox(models.Model):
    channel = models.CharField(verbose_name=_("channel"), max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    kind = models.CharField(verbose_name=_("kind"), max_length=64)  # the template: notifications/<kind>.txt
    # What caused it, e.g. "booking:42:confirmed:3": the same event never gives a second row.
    event_key = models.CharField(verbose_name=_("event key"), max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    to_address = models.CharField(verbose_name=_("to address"), max_length=254)
    reply_to = models.CharField(verbose_name=_("reply to"), max_length=254, blank=True)
    subject = models.CharField(verbose_name=_("subject"), max_length=300)
    body_text = models.TextField(verbose_name=_("body text"))
    body_html = models.TextField(verbose_name=_("body HTML"), blank=True)
    headers = models.JSONField(verbose_name=_("headers"), default=dict, blank=True)
    # [{"filename", "mimetype", "content"}] with text content (calendar invites)
    attachments = models.JSONField(verbose_name=_("attachments"), default=list, blank=True)
    language = models.CharField(verbose_name=_("language"), max_length=16, blank=True)
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    message_id = models.CharField(verbose_name=_("message ID"), max_length=200, blank=True)
    # The account link (verify_email, password_reset) the body holds a placeholder for: made when
    # the mail is sent, never stored (notifications/links.py).
    account_link = models.CharField(verbose_name=_("account link"), max_length=32, blank=True, db_default="")
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(verbose_name=_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)

    class Meta:
        db_table = "notification_outbox"
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient", "kind", "channel"], name="notification_outbox_once"
            ),
            status_check("status", OutboxStatus, "notification_outbox_status_valid"),
            status_check("channel", Channel, "notification_outbox_channel_valid"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="notif_outbox_status_idx")]

    def __str__(self) -> str:
        status = OutboxStatus(self.status).label if self.status in OutboxStatus.values else self.status
        return gettext("e-mail to %(address)s (%(status)s)") % {
            "address": self.to_address,
            "status": str(status).lower(),
        }
