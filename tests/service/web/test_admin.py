"""Admin pages in a real browser against a real `talktrack serve`: an admin creates a user and an
invite link, the invited person sets a password and signs in; an API key is shown once, works,
and stops working when revoked; a coach gets the 403 page."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlparse

import httpx

NEW_PASSWORD = "a new password for Gil"


def _revealed(page: Any) -> str:
    value: str = page.locator("#revealed").input_value()
    assert value
    return value


def test_admin_creates_a_user_and_the_invited_person_signs_in(web: Any, signed_in: Any, browser: Any,
                                                              shots: Any, a11y: Any) -> None:
    page = signed_in("admin")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("heading", name="Admin", exact=True).wait_for()
    a11y(page)
    shots(page, "admin")
    page.get_by_role("navigation", name="Admin sections").get_by_role("link", name="Users and teams").click()

    email = f"gil-{uuid.uuid4().hex[:8]}@example.test"
    form = page.locator("form[action='/admin/users']")
    form.get_by_label("Name").fill("Gil Newcomer")
    form.get_by_label("E-mail").fill(email)
    form.get_by_label("Role").select_option("rep")
    form.get_by_label("Team").select_option(label="East")
    form.get_by_role("button", name="Create user").click()
    assert "User created" in page.get_by_role("status").first.inner_text()
    row = page.get_by_role("row").filter(has_text=email)
    assert "No password yet" in row.inner_text()
    assert row.get_by_label("Team of Gil Newcomer").locator("option:checked").inner_text() == "East"

    row.get_by_role("button", name="Invite link for Gil Newcomer").click()
    link = _revealed(page)
    assert re.fullmatch(r"https?://[^/]+/invite/[\w-]{40,}", link), link
    assert link.startswith(web.url + "/invite/"), (link, web.url)  # the address (and port) this server answers on
    page.get_by_role("button", name="Copy").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    a11y(page)
    shots(page, "admin-users")
    page.goto("/admin/users")  # the list page never shows a link
    assert link not in page.content()

    # The invited person opens the link as given, chooses a password and is signed in at once.
    guest = browser.new_context(base_url=web.url)
    try:
        p2 = guest.new_page()
        p2.goto(link)
        p2.get_by_role("heading", name="Welcome, Gil Newcomer").wait_for()
        p2.get_by_label("New password").fill(NEW_PASSWORD)
        p2.get_by_label("Repeat it").fill(NEW_PASSWORD)
        p2.get_by_role("button", name="Set password").click()
        p2.get_by_role("heading", name="Calls", exact=True).wait_for()
        assert "Gil Newcomer (rep)" in p2.locator("header.top").inner_text()
        assert "password is set" in p2.locator("#welcome").inner_text()
        p2.get_by_role("button", name="Sign out").click()  # and the password works for the next sign-in
        p2.get_by_label("E-mail").fill(email)
        p2.get_by_label("Password").fill(NEW_PASSWORD)
        p2.get_by_role("button", name="Sign in").click()
        p2.get_by_role("heading", name="Calls", exact=True).wait_for()
        p2.goto(urlparse(link).path)  # used up
        assert p2.get_by_role("heading", name="Invite not valid").is_visible()
    finally:
        guest.close()
    page.goto("/admin/users")
    assert "Yes" in page.get_by_role("row").filter(has_text=email).inner_text()


def test_admin_creates_a_key_shown_once_and_revokes_it(web: Any, signed_in: Any, shots: Any, a11y: Any) -> None:
    page = signed_in("admin")
    page.goto("/admin/keys")
    label = f"CRM test {uuid.uuid4().hex[:6]}"
    form = page.locator("form[action='/admin/keys']")
    form.get_by_label("Label").fill(label)
    form.get_by_label("Role").select_option("integration")
    form.get_by_role("button", name="Create key").click()
    secret = _revealed(page)
    assert "only its hash is stored" in page.locator(".reveal").inner_text()
    r = httpx.get(web.url + "/v1/calls", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200, r.text
    a11y(page)
    shots(page, "admin-keys")

    page.goto("/admin/keys")
    assert secret not in page.content()  # shown once
    row = page.get_by_role("row").filter(has_text=label)
    assert "Active" in row.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile(r"^Revoke key ")).click()
    page.get_by_text("API key revoked.").wait_for()
    assert "Revoked" in page.get_by_role("row").filter(has_text=label).inner_text()
    r = httpx.get(web.url + "/v1/calls", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 401


def test_webhooks_trackers_and_playbook_pages(web: Any, signed_in: Any, shots: Any, a11y: Any) -> None:
    page = signed_in("admin")
    page.goto("/admin/webhooks")
    url = f"https://crm-{uuid.uuid4().hex[:6]}.example.test/talktrack"
    page.get_by_label("URL").fill(url)
    page.get_by_role("button", name="Add webhook").click()
    assert _revealed(page)
    assert page.get_by_role("heading", name=url, exact=True).is_visible()
    a11y(page)
    shots(page, "admin-webhooks")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Stop sending to {url}").click()
    page.get_by_text("Webhook stopped").wait_for()

    page.goto("/admin/trackers")
    page.get_by_label("Name").fill("bad threshold")
    page.get_by_label("Phrases, one per line").fill("competitor")
    page.get_by_label("Similarity threshold").fill("2")
    page.get_by_role("button", name="Add tracker").click()
    assert "threshold" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Name").input_value() == "bad threshold"  # what was typed stays
    a11y(page)
    shots(page, "admin-trackers")

    page.goto("/admin/playbook")
    assert "discovery_opener:" in page.get_by_label("Playbook (YAML").input_value()  # the bundled one to start from
    a11y(page)
    shots(page, "admin-playbook")
    page.get_by_label("Playbook (YAML").fill("situations:\n  x: {kind: moment}\n")
    page.get_by_role("button", name="Save and make active").click()
    assert "needs a 'title' and a 'do'" in page.get_by_role("alert").inner_text()
    a11y(page)


def test_coach_gets_the_403_page(web: Any, signed_in: Any, a11y: Any) -> None:
    page = signed_in("coach")
    for path in ("/admin", "/admin/users", "/admin/keys"):
        response = page.goto(path)
        assert response is not None and response.status == 403
        assert page.get_by_role("heading", name="Not allowed").is_visible()
    a11y(page)
