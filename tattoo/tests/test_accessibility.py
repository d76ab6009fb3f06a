"""Accessibility held: axe-core (pinned in package.json, injected by Playwright, nothing fetched)
finds no WCAG 2.2 A/AA or best-practice violation on any page a customer or an artist sees, in
Mongolian and English. The pages come from the same URL-resolver walk as the Latin-word scan
(tattoo/tests/test_no_english_in_mongolian.py), so a page added later is checked too; each is
checked once per language (a test each), as the first of visitor / customer / artist / new artist who can open
it (one browser, one axe run per page: the runtime stays small)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tattoo.tests.test_no_english_in_mongolian import page_patterns, path_of, world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the loaded page. The script is evaluated by the browser's
    debugger protocol, not added as a <script>, so the page's CSP (no inline script) holds."""
    assert AXE.exists(), "axe-core is missing: `make install` (npm ci) installs it from package-lock.json"
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        RULES,
    )
    return [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def pages_to_check(world) -> list[tuple[str, str]]:  # noqa: F811 (the fixture's value)
    """(path, who): each page of the site once, as the first reader who may open it."""
    readers = {
        "visitor": None,
        "customer": world["customer"],
        "artist": world["artist"].user,
        "new artist": world["pending_artist"].user,
    }
    found = []
    for route, _ in page_patterns():
        path = path_of(route, world["kwargs"])
        for who, user in readers.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            response = client.get(path)
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                found.append((path, who))
                break
    return found


def login(context, user, site_url: str) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site_url}])


# One test per language: two halves the suite's two workers can run side by side.
@pytest.mark.parametrize("language", ["mn", "en"])
def test_no_page_a_customer_or_an_artist_sees_has_an_axe_violation(world, new_page, site_url, language):  # noqa: F811
    checked = pages_to_check(world)
    assert {"/", "/login/", "/bookings/", f"/bookings/{world['booking'].pk}/", "/dashboard/"} <= {p for p, _ in checked}
    users = {
        "customer": world["customer"],
        "artist": world["artist"].user,
        "new artist": world["pending_artist"].user,
    }
    for user in users.values():
        user.language = language
        user.save(update_fields=["language"])
    found = {}
    pages = {}
    for path, who in checked:
        if who not in pages:
            pages[who] = new_page(locale=language)
            if who in users:
                login(pages[who].context, users[who], site_url)
        page = pages[who]
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        violations = axe_violations(page)
        if violations:
            found[f"{path} ({language}, {who})"] = violations
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
