from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bookings.serializers import register_deposit_reader
        from payments.ledger import deposit_ledger

        register_deposit_reader(lambda booking: deposit_ledger(booking=booking).as_api())
