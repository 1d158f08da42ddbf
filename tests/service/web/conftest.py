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

from tests.service.web import axe

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
    stack: Any  # devstack.stack.Stack
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
    stack, _ = h.make_stack("sqlite", tmp, {"TALKTRACK_LOGIN_ATTEMPTS_PER_MINUTE": "100",
                                            "TALKTRACK_MAX_UPLOAD_BYTES": str(64 * 1024 * 1024)})
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
    blocked: list[str] = []

    def make(who: str) -> Any:
        context = browser.new_context(viewport=DESKTOP, base_url=web.url)
        contexts.append(context)
        page = context.new_page()
        # Every page runs under the Content-Security-Policy: anything it blocks is a bug.
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        sign_in(page, web.url, web.people[who])
        return page

    yield make
    for c in contexts:
        c.close()
    assert not blocked, f"blocked by the Content-Security-Policy: {blocked}"


def shoot(page: Any, name: str) -> list[Path]:
    """Screenshots of the page at desktop width and at 390 px (phone); the viewport is restored.
    axe-core checks the page at both widths: every page the suite shows has no serious or critical
    violation."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size or DESKTOP
    paths, bad = [], []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=False)
        paths.append(path)
        bad += [f"{name} at {label}: {v}" for v in axe.violations(page)]
    page.set_viewport_size(before)
    assert not bad, "\n".join(bad)
    return paths


def check_a11y(page: Any) -> None:
    """axe-core (the copy inside axe-playwright-python) finds no serious or critical violation."""
    bad = axe.violations(page)
    assert not bad, "\n".join(bad)


@pytest.fixture(scope="session")
def shots() -> Callable[[Any, str], list[Path]]:
    return shoot


@pytest.fixture(scope="session")
def a11y() -> Callable[[Any], None]:
    return check_a11y


SAMPLE_WAV = REPO / "samples" / "discovery_call.wav"

DROP_FILES_JS = """async ([name, type, b64]) => {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], name, { type }));
  const zone = document.getElementById("dropzone");
  for (const kind of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(kind, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }
}"""


def drop_file(page: Any, path: Path, content_type: str) -> None:
    """Drag and drop a file onto the library's drop zone, as a person would from their desktop."""
    import base64

    page.evaluate(DROP_FILES_JS, [path.name, content_type, base64.b64encode(path.read_bytes()).decode("ascii")])


@dataclass
class DroppedCall:
    call_id: str
    states_seen: list[str]  # the upload item's status labels, in the order they were seen


@pytest.fixture(scope="session")
def sample_call(web: WebStack, browser: Any) -> DroppedCall:
    """The sample call, dropped onto the library by the team-East rep, followed to `done` in the page."""
    import time

    context = browser.new_context(viewport=DESKTOP, base_url=web.url)
    page = context.new_page()
    try:
        sign_in(page, web.url, web.people["rep"])
        drop_file(page, SAMPLE_WAV, "audio/wav")
        item = page.locator("#uploads li").first
        states: list[str] = []
        deadline = time.monotonic() + 420
        while time.monotonic() < deadline:
            status = item.get_attribute("data-status")
            label = item.locator(".upload-state").inner_text()
            if not states or states[-1] != label.split(" ")[0]:
                states.append(label.split(" ")[0])
            if status in ("done", "failed") or item.get_attribute("class") == "upload failed":
                break
            time.sleep(0.25)
        assert item.get_attribute("data-status") == "done", f"{states} {item.inner_text()}"
        call_id = item.get_attribute("data-call-id")
        assert call_id
        return DroppedCall(call_id=call_id, states_seen=states)
    finally:
        context.close()


@pytest.fixture(scope="session")
def drop() -> Callable[[Any, Path, str], None]:
    return drop_file
