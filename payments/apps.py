from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bookings.serializers import deposit_reader
        from bookings.services.expiry import before_hold_expiry
        from payments.ledger import deposit_ledger_api
        from payments.services.checks import payment_before_expiry

        deposit_reader.provide(deposit_ledger_api)
        # a hold with an open invoice expires only after one last payment check (docs/hooks.md)
        before_hold_expiry.provide(payment_before_expiry)
