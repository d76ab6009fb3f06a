"""Staff's admin of custom work: read-only lists and pages, and the one action with a service."""

from __future__ import annotations

import pytest

from bookings.models import Booking
from consultations.models import Consultation, Project
from consultations.tests.factories import ProjectFactory, QuoteFactory
from testing.clients import staff_login

pytestmark = pytest.mark.django_db


def test_staff_read_requests_quotes_and_projects_and_cancel_a_project_through_its_service(client, admin_user):
    quote = QuoteFactory()
    project = ProjectFactory()
    staff_login(client, admin_user)
    for path in (
        "/admin/consultations/consultation/",
        f"/admin/consultations/consultation/{quote.consultation_id}/change/",
        "/admin/consultations/quote/",
        f"/admin/consultations/quote/{quote.pk}/change/",
        "/admin/consultations/project/",
        f"/admin/consultations/project/{project.pk}/change/",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'name="_save"' not in page.content.decode(), path  # read-only: nothing to save
    change = client.get(f"/admin/consultations/consultation/{quote.consultation_id}/change/").content.decode()
    assert "1995" not in change  # the date of birth is not shown
    assert client.get("/admin/consultations/consultation/add/").status_code == 403

    done = client.post(
        "/admin/consultations/project/",
        {"action": "cancel_projects", "_selected_action": [project.pk]},
        follow=True,
    )
    assert "1 project(s) cancelled." in done.content.decode()
    assert Project.objects.get(pk=project.pk).status == "cancelled"
    assert Booking.objects.get(project_session__project=project).status == "cancelled"
    assert Consultation.objects.count() == 2
