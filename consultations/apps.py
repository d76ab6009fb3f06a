from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Custom work")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bookings.rules import slot_rules
        from bookings.transitions import status_moved
        from consultations.models import ConsultationImage
        from consultations.services.projects import heal_refusal, project_follow_booking
        from tattoo.core import images

        # Private: photos of people's bodies and references; only the parties (and staff) get signed URLs.
        images.register_kind("consultations", model=ConsultationImage, private=True)
        # A project follows its sessions' moves, in each move's transaction; a session moved to
        # another time keeps the heal time from the project's other sessions.
        status_moved.provide(project_follow_booking)
        slot_rules.provide(heal_refusal)
