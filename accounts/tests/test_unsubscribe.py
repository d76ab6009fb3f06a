"""RFC 8058 one-click unsubscribe from reminder mails: the mail provider POSTs
`List-Unsubscribe=One-Click` to the link with no session and no CSRF token; the signed token turns
that user's reminders off. A GET (a person, or a link scanner) only shows the button."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tokens import EMAIL_VERIFY, mail_token_make, unsubscribe_token_make

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)  # as a mail provider's POST: no cookie, no CSRF token


def one_click(client: Client, token: str):
    return client.post(f"/unsubscribe/?token={token}", data=ONE_CLICK, content_type="application/x-www-form-urlencoded")


def test_a_one_click_post_turns_reminders_off_without_login_or_csrf(browser, customer):
    response = one_click(browser, unsubscribe_token_make(customer))
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.reminders_enabled is False
    assert 'data-testid="unsubscribe-done"' in response.content.decode()
    # Again: still 200, still off (a provider may retry).
    assert one_click(browser, unsubscribe_token_make(customer)).status_code == 200


def test_it_is_the_same_preference_the_api_shows(browser, customer):
    from rest_framework.test import APIClient

    one_click(browser, unsubscribe_token_make(customer))
    customer.refresh_from_db()  # force_authenticate serves this object as it is
    api = APIClient()
    api.force_authenticate(customer)
    assert api.get("/api/auth/me").json()["remindersEnabled"] is False


def test_a_get_shows_a_button_that_posts_and_unsubscribes_nobody(browser, customer):
    token = unsubscribe_token_make(customer)
    response = browser.get(f"/unsubscribe/?token={token}")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'method="post"' in page
    assert 'name="List-Unsubscribe" value="One-Click"' in page
    assert 'data-testid="unsubscribe-button"' in page
    customer.refresh_from_db()
    assert customer.reminders_enabled is True


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_wrong_or_tampered_token_is_a_400_page_and_changes_nothing(browser, customer, method):
    genuine = unsubscribe_token_make(customer)
    tampered = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    other_purpose = mail_token_make(customer, EMAIL_VERIFY)  # signed, but for another purpose
    for token in (tampered, other_purpose, "", "nonsense"):
        response = one_click(browser, token) if method == "post" else browser.get(f"/unsubscribe/?token={token}")
        assert response.status_code == 400, token
        assert 'data-testid="unsubscribe-error"' in response.content.decode()
    customer.refresh_from_db()
    assert customer.reminders_enabled is True


def test_other_methods_are_refused(browser, customer):
    assert browser.put(f"/unsubscribe/?token={unsubscribe_token_make(customer)}").status_code == 405
