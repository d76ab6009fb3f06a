"""The back office's pages as staff and others meet them: the admin index linking the reports and
the queues, the reports refused to anyone but staff, and the reports and the index in the staff
member's language (docs/i18n.md)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from testing.clients import staff_login

pytestmark = pytest.mark.django_db

REPORTS = ["admin-reports", "admin-ledger-report", "admin-trust-report", "admin-consultation-report"]


@pytest.fixture
def staff(admin_user) -> Client:
    client = Client()
    staff_login(client, admin_user)
    return client


@pytest.mark.parametrize("name", REPORTS)
def test_non_staff_are_sent_to_the_admin_login(customer, name):
    client = Client()
    client.force_login(customer)
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("name", REPORTS)
def test_staff_read_every_report(staff, name):
    assert staff.get(reverse(name)).status_code == 200


def test_the_reports_keep_their_addresses():
    assert [reverse(name) for name in REPORTS] == [
        "/admin/reports/",
        "/admin/reports/ledger/",
        "/admin/reports/trust/",
        "/admin/reports/consultations/",
    ]


def test_the_admin_index_links_the_report_and_the_queues(staff):
    response = staff.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/admin/reports/"' in html
    assert "/admin/disputes/dispute/?status__exact=open" in html
    assert "/admin/disputes/manualrefund/" in html


# --- the admin's own pages in the staff member's language (docs/i18n.md) ------------------------

CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _staff_speaking(admin_user, language: str) -> Client:
    # A signed-in person's saved language wins on pages; the browser asks for the same one here.
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    staff_login(client, admin_user)
    return client


def _main(response) -> str:
    assert response.status_code == 200
    return response.content.decode().split('<div id="content-main">')[1]


@time_machine.travel(datetime(2026, 3, 18, 12, tzinfo=UTC), tick=False)
def test_the_ledger_report_and_the_weekly_report_speak_the_staff_members_language(admin_user):
    ledger = reverse("admin-ledger-report")
    mongolian = _main(_staff_speaking(admin_user, "mn").get(ledger))
    assert "<caption>Өдрөөр (UTC)</caption>" in mongolian
    assert '<th scope="col">Шивээсчдэд үлдсэн</th>' in mongolian
    assert "<td>2026.03.18</td>" in mongolian  # today, in the Mongolian short date
    assert 'Одоо хүлээгдэж буй буцаан олголт: <strong id="ledger-pending">0\u00a0₮</strong>' in mongolian
    assert "Байхгүй: бүх захиалгын мөнгөн дүн тохирч байна." in mongolian
    assert "MNT" not in mongolian
    english = _main(_staff_speaking(admin_user, "en").get(ledger))
    assert "<caption>Per day (UTC)</caption>" in english
    assert '<th scope="col">Kept by artists</th>' in english
    assert "<td>18 Mar 2026</td>" in english
    assert 'Refunds pending now: <strong id="ledger-pending">0\u00a0₮</strong>' in english
    assert not CYRILLIC.findall(english)

    report = _main(_staff_speaking(admin_user, "mn").get("/admin/reports/"))
    assert "<h2>Долоо хоног бүр үүссэн захиалга</h2>" in report
    assert "<td>2026.03.16</td>" in report  # the last week's Monday
    assert "<title>долоо хоног 2026.03.16: төлөгдсөн урьдчилгаа төлбөр 0\u00a0₮</title>" in report
    index = _staff_speaking(admin_user, "mn").get("/admin/").content.decode()
    assert "<caption>Тайлан</caption>" in index
