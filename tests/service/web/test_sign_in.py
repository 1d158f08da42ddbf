"""Signing in and out, sessions, CSRF and the sign-in rate limit (real browser, real server)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.main import create_app
from service.core.config import Settings

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("who", ["rep", "coach", "admin"])
def test_each_role_signs_in_and_sees_the_library(web: Any, signed_in: Any, shots: Any, a11y: Any, who: str) -> None:
    page = signed_in(who)
    assert page.get_by_role("heading", name="Calls", exact=True).is_visible()
    assert web.people[who].name in page.locator("header.top").inner_text()
    nav = page.get_by_role("navigation", name="Main").inner_text()
    assert ("Admin" in nav) == (who == "admin")
    assert ("Review inbox" in nav) == (who in ("coach", "admin"))
    cookie = next(c for c in page.context.cookies() if c["name"] == "tt_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]  # http://127.0.0.1
    a11y(page)
    if who == "coach":
        shots(page, "library")


def test_login_page_and_wrong_password(web: Any, browser: Any, shots: Any, a11y: Any) -> None:
    context = browser.new_context(base_url=web.url)
    page = context.new_page()
    page.goto("/calls/anything")
    assert "/login?next=/calls/anything" in page.url  # a page needs a session
    a11y(page)
    shots(page, "sign-in")
    page.get_by_label("E-mail").fill(web.people["rep"].email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Wrong e-mail or password."
    context.close()


def test_logout_ends_the_session(web: Any, signed_in: Any) -> None:
    page = signed_in("rep")
    cookie = next(c for c in page.context.cookies() if c["name"] == "tt_session")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/login$"))
    # The old cookie no longer works anywhere, pages or API.
    r = httpx.get(web.url + "/v1/calls", cookies={"tt_session": cookie["value"]})
    assert r.status_code == 401 and "sign in again" in r.json()["detail"]


def test_form_post_without_csrf_token_is_refused(web: Any, signed_in: Any) -> None:
    page = signed_in("coach")
    call_id = web.upload("coach", Path(__file__).parents[3] / "samples" / "discovery_call.vtt", title="CSRF probe")
    web.wait_done("coach", call_id)
    # The browser's own cookie, a form post without the token: 403, and nothing is stored.
    r = page.request.post(f"/calls/{call_id}/outcome", form={"outcome": "won"})
    assert r.status == 403 and "CSRF" in r.text()
    r = page.request.post(f"/calls/{call_id}/outcome", form={"outcome": "won", "csrf_token": "forged"})
    assert r.status == 403
    # The JSON API with the cookie but no X-CSRF-Token header: also refused.
    r = page.request.post("/v1/outcomes", data={"call_id": call_id, "outcome": "won"})
    assert r.status == 403
    with web.api("admin") as api:
        assert api.get(f"/v1/calls/{call_id}").json()["outcome"] is None


def _login_form(client: TestClient) -> str:
    r = client.get("/login")
    match = re.search(r'name="prelogin" value="([^"]+)"', r.text)
    assert match
    return match.group(1)


def test_sign_in_is_rate_limited_per_account(tmp_path: Path) -> None:
    from service.core.accounts import create_org, create_user
    from service.core.db import session_scope
    from service.core.sessions import set_password

    settings = Settings(data_dir=tmp_path, login_attempts_per_minute=3)
    with TestClient(create_app(settings, start_executor=False)) as client:
        with session_scope(settings) as s:
            org = create_org(s, "Acme")
            user = create_user(s, org.id, "Dana", email="dana@example.test")
            set_password(s, user, PASSWORD)
        statuses = []
        for _ in range(4):
            token = _login_form(client)
            r = client.post("/login", data={"email": "DANA@example.test", "password": "wrong", "prelogin": token},
                            follow_redirects=False)
            statuses.append(r.status_code)
        assert statuses == [401, 401, 401, 429]
        # Even the right password waits now: the account is throttled, not just wrong guesses.
        token = _login_form(client)
        r = client.post("/login", data={"email": "dana@example.test", "password": PASSWORD, "prelogin": token},
                        follow_redirects=False)
        assert r.status_code == 429 and "Retry-After" in r.headers


def test_invite_link_sets_a_password_once(tmp_path: Path) -> None:
    from service.core.accounts import create_org, create_user
    from service.core.db import session_scope
    from service.core.sessions import create_invite

    settings = Settings(data_dir=tmp_path)
    with TestClient(create_app(settings, start_executor=False)) as client:
        with session_scope(settings) as s:
            org = create_org(s, "Acme")
            user = create_user(s, org.id, "Dana", email="dana@example.test", role="coach")
            token = create_invite(s, user, hours=1)
        assert "Welcome, Dana" in client.get(f"/invite/{token}").text
        r = client.post(f"/invite/{token}", data={"password": "short", "password2": "short"})
        assert r.status_code == 422 and "at least 10 characters" in r.text
        r = client.post(f"/invite/{token}", data={"password": PASSWORD, "password2": PASSWORD}, follow_redirects=False)
        # Signed in at once: no empty sign-in form after choosing a password.
        assert r.status_code == 303 and r.headers["location"] == "/?welcome=1"
        assert "tt_session=" in r.headers["set-cookie"]
        assert "Your password is set" in client.get("/?welcome=1").text
        client.cookies.clear()
        assert client.get(f"/invite/{token}").status_code == 404  # one time only
        login = _login_form(client)
        r = client.post("/login", data={"email": "dana@example.test", "password": PASSWORD, "prelogin": login},
                        follow_redirects=False)
        assert r.status_code == 303 and "tt_session" in r.headers["set-cookie"]


def test_session_cookie_is_secure_behind_https(tmp_path: Path) -> None:
    from service.core.accounts import create_org, create_user
    from service.core.db import session_scope
    from service.core.sessions import set_password

    settings = Settings(data_dir=tmp_path, public_url="https://talktrack.example.test")
    with TestClient(create_app(settings, start_executor=False), base_url="https://testserver") as client:
        with session_scope(settings) as s:
            org = create_org(s, "Acme")
            user = create_user(s, org.id, "Dana", email="dana@example.test")
            set_password(s, user, PASSWORD)
        token = _login_form(client)
        r = client.post("/login", data={"email": "dana@example.test", "password": PASSWORD, "prelogin": token},
                        follow_redirects=False)
        cookie = r.headers["set-cookie"]
        assert "tt_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
