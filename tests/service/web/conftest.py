"""Browser tests: a real `talktrack serve` process and Debian's Chromium driven by Playwright.

`web` is one server (SQLite, embedded worker) for the whole session, with people who can sign
in: an admin, a coach and a rep in team East, a rep in team West, and a rep of another
organization. `signed_in(role)` gives a Playwright page signed in as that person. Without
Chromium the browser tests are skipped with the reason; with CI=true they fail.

Screenshots go to `build/screenshots/` (or `TALKTRACK_SCREENSHOT_DIR`), at desktop width and at
390 px; `check_a11y(page)` runs axe-core and fails on serious or critical violations.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[3]
CHROMIUM = os.environ.get("TALKTRACK_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(os.environ.get("TALKTRACK_SCREENSHOT_DIR", REPO / "build" / "screenshots"))
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def browser_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@dataclass
class Person:
    role: str
    email: str
    user_id: str
    name: str
    team_id: str | None = None


@dataclass
class WebStack:
    url: str
    stack: Any  # tests/service/conftest.py's Stack
    people: dict[str, Person] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

    def api(self, who: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.keys[who]}"}, timeout=60)

    def upload(self, who: str, path: Path, **fields: str) -> str:
        """Upload a file through the JSON API as `who`; returns the call id (not waited for)."""
        with self.api(who) as c, open(path, "rb") as fh:
            r = c.post("/v1/calls", files={"file": (path.name, fh)}, data=fields)
        assert r.status_code == 202, r.text
        call_id: str = r.json()["id"]
        return call_id

    def wait_done(self, who: str, call_id: str, timeout: float = 300.0) -> dict[str, Any]:
        import time

        deadline = time.monotonic() + timeout
        body: dict[str, Any] = {}
        with self.api(who) as c:
            while time.monotonic() < deadline:
                body = c.get(f"/v1/calls/{call_id}").json()
                if body["status"] in ("done", "failed"):
                    assert body["status"] == "done", body
                    return body
                time.sleep(0.3)
        raise AssertionError(f"call {call_id} still {body.get('status')}")


def add_people(stack: Any) -> tuple[dict[str, Person], dict[str, str]]:
    from service.core.accounts import create_key, create_org, create_team, create_user
    from service.core.db import run_migrations, session_scope
    from service.core.sessions import set_password

    settings = stack.settings()
    run_migrations(settings)
    people: dict[str, Person] = {}
    keys: dict[str, str] = {}
    with session_scope(settings) as s:
        org = create_org(s, "Acme")
        other = create_org(s, "Globex")
        east, west = create_team(s, org.id, "East"), create_team(s, org.id, "West")
        spec = [("admin", org.id, None, "Ada Admin", "admin"), ("coach", org.id, east.id, "Cora Coach", "coach"),
                ("rep", org.id, east.id, "Dana Rep", "rep"), ("rep_west", org.id, west.id, "Eli West", "rep"),
                ("rep_other", other.id, None, "Finn Other", "rep")]
        for key, org_id, team_id, name, role in spec:
            user = create_user(s, org_id, name, team_id=team_id, email=f"{key}@example.test", role=role)
            set_password(s, user, PASSWORD)
            people[key] = Person(role, f"{key}@example.test", user.id, name, team_id)
            keys[key] = create_key(s, org_id, role, user_id=None if role == "admin" else user.id).secret
    return people, keys


@pytest.fixture(scope="session")
def web(h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStack]:
    tmp = tmp_path_factory.mktemp("web")
    stack, _ = h.make_stack("sqlite", tmp, {"TALKTRACK_LOGIN_ATTEMPTS_PER_MINUTE": "100"})
    people, keys = add_people(stack)
    stack.start_server(via_cli=True)
    try:
        yield WebStack(url=stack.url, stack=stack, people=people, keys=keys)
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        browser_unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("playwright is not installed")
        raise
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                "--autoplay-policy=no-user-gesture-required"])
    except Exception as exc:  # the executable is there but does not start
        pw.stop()
        browser_unavailable(f"Chromium did not start: {exc}")
        raise
    try:
        yield b
    finally:
        b.close()
        pw.stop()


def sign_in(page: Any, url: str, person: Person) -> None:
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))


@pytest.fixture
def signed_in(web: WebStack, browser: Any) -> Iterator[Callable[[str], Any]]:
    """`signed_in("coach")` -> a new page signed in as that person (its own browser context)."""
    contexts: list[Any] = []

    def make(who: str) -> Any:
        context = browser.new_context(viewport=DESKTOP, base_url=web.url)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, web.url, web.people[who])
        return page

    yield make
    for c in contexts:
        c.close()


def shoot(page: Any, name: str) -> list[Path]:
    """Screenshots of the page at desktop width and at 390 px (phone); the viewport is restored."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size or DESKTOP
    paths = []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=False)
        paths.append(path)
    page.set_viewport_size(before)
    return paths


def check_a11y(page: Any) -> None:
    """axe-core (the copy inside axe-playwright-python) finds no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, "\n".join(f"{v['id']} ({v['impact']}): {v['help']} -> "
                              f"{[n['target'] for n in v['nodes'][:3]]}" for v in bad)


@pytest.fixture(scope="session")
def shots() -> Callable[[Any, str], list[Path]]:
    return shoot


@pytest.fixture(scope="session")
def a11y() -> Callable[[Any], None]:
    return check_a11y
