"""One-time and "at least one" account rules under concurrent requests, against the real
server of both backends: a one-time invite sets one password however many requests race with it,
and admins demoting or disabling each other at the same moment always leave an enabled admin.

Each test makes an organization of its own in the stack's database; web sessions are started in
the database (as a sign-in would) so the requests go straight to the forms."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import delete, update
from sqlmodel import col, func, select

from models import Invite, User, WebSession

RACERS = 20
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Browser:
    """A signed-in admin: the session cookie and the CSRF token of its forms."""

    user_id: str
    cookie: str
    csrf: str


def _new_org(stack: Any, admins: int, reps: int = 0) -> tuple[str, list[str], list[str]]:
    """A fresh organization with `admins` admins and `reps` reps (e-mail addresses of their own)."""
    from service.core.accounts import create_org, create_user
    from service.core.db import session_scope

    tag = uuid.uuid4().hex[:8]
    with session_scope(stack.settings()) as s:
        org = create_org(s, f"Race {tag}")
        admin_ids = [create_user(s, org.id, f"Admin {i}", email=f"admin{i}-{tag}@example.test", role="admin").id
                     for i in range(admins)]
        rep_ids = [create_user(s, org.id, f"Rep {i}", email=f"rep{i}-{tag}@example.test").id for i in range(reps)]
    return org.id, admin_ids, rep_ids


def _sign_in(stack: Any, user_ids: list[str]) -> list[Browser]:
    from service.core.db import session_scope
    from service.core.sessions import start_session

    out = []
    with session_scope(stack.settings()) as s:
        for uid in user_ids:
            user = s.get(User, uid)
            assert user is not None
            started = start_session(s, user, hours=1)
            out.append(Browser(uid, started.token, started.row.csrf_token))
    return out


Request = Callable[[], httpx.Response]


def _race(calls: list[Request]) -> list[httpx.Response]:
    """Runs the calls on threads released at the same moment; their responses, in order."""
    gate = threading.Barrier(len(calls))

    def run(call: Request) -> httpx.Response:
        gate.wait(30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _post(stack: Any, path: str, data: dict[str, str], cookie: str | None = None) -> Request:
    def call() -> httpx.Response:
        cookies = {"tt_session": cookie} if cookie else None
        with httpx.Client(base_url=stack.url, cookies=cookies, timeout=120) as c:
            return c.post(path, data=data, follow_redirects=False)

    return call


# --- One-time invites ---------------------------------------------------------------------------

def test_an_invite_sets_one_password_however_many_requests_race(stack: Any) -> None:
    from service.core.db import session_scope
    from service.core.sessions import check_password, create_invite

    _org, _admins, (rep_id,) = _new_org(stack, admins=1, reps=1)
    with session_scope(stack.settings()) as s:
        rep = s.get(User, rep_id)
        assert rep is not None and rep.email
        email = rep.email
        token = create_invite(s, rep, hours=1)
    passwords = [f"{PASSWORD} {i:02d}" for i in range(RACERS)]
    answers = _race([_post(stack, f"/invite/{token}", {"password": p, "password2": p}) for p in passwords])

    accepted = [i for i, r in enumerate(answers) if r.status_code == 303]
    assert len(accepted) == 1, [r.status_code for r in answers]
    assert answers[accepted[0]].headers["location"] == "/?welcome=1"  # signed in as the invited person
    for r in answers:
        if r.status_code != 303:  # a clear page, never a server error
            assert r.status_code == 404 and "used already" in r.text, (r.status_code, r.text[:300])
    with session_scope(stack.settings()) as s:
        # The winner's password is the one that works; nobody else's was written after it.
        assert check_password(s, email, passwords[accepted[0]]) is not None
        others = [p for i, p in enumerate(passwords) if i != accepted[0]]
        assert all(check_password(s, email, p) is None for p in others[:3])
        invite = s.exec(select(Invite).where(col(Invite.user_id) == rep_id)).one()
        assert invite.used_at is not None
    with httpx.Client(base_url=stack.url, timeout=30) as c:
        assert c.get(f"/invite/{token}").status_code == 404


# --- The organization keeps an enabled admin ----------------------------------------------------

def _enabled_admins(stack: Any, org_id: str) -> int:
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        return int(s.exec(select(func.count()).select_from(User).where(
            col(User.org_id) == org_id, col(User.role) == "admin", col(User.disabled).is_(False))).one())


def _reset_admins(stack: Any, admin_ids: list[str]) -> list[Browser]:
    """Every one of them an enabled admin again, each with a fresh web session."""
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        s.execute(update(User).where(col(User.id).in_(admin_ids)).values(role="admin", disabled=False))
        s.execute(delete(WebSession).where(col(WebSession.user_id).in_(admin_ids)))
        s.commit()
    return _sign_in(stack, admin_ids)


def _change(stack: Any, actor: Browser, target_id: str, how: str) -> Request:
    if how == "demote":
        return _post(stack, f"/admin/users/{target_id}", {"csrf_token": actor.csrf, "role": "rep"}, actor.cookie)
    return _post(stack, f"/admin/users/{target_id}/disable", {"csrf_token": actor.csrf}, actor.cookie)


def _check_answers(answers: list[httpx.Response]) -> int:
    """Every answer is a success (back to the users page) or a clear refusal; returns the successes."""
    done = 0
    for r in answers:
        location = r.headers.get("location", "")
        if r.status_code == 303 and location.startswith("/admin/users?done="):
            done += 1
        elif r.status_code == 303:
            assert location.startswith("/login"), location  # the actor was disabled meanwhile: signed out
        else:
            # 422: the target is the only admin left; 409: the actor lost their admin role while the
            # request waited; 403: the actor was no longer an admin when the request came in.
            expected = {422: "the organization&#39;s only admin", 409: "your admin role was changed meanwhile",
                        403: "Not allowed"}
            assert r.status_code in expected, (r.status_code, r.text[:500])
            assert expected[r.status_code] in r.text, (r.status_code, r.text[:1500])
    return done


def test_two_admins_demoting_each_other_leave_one_admin(stack: Any) -> None:
    org_id, admin_ids, _ = _new_org(stack, admins=2)
    for round_ in range(10):
        a, b = _reset_admins(stack, admin_ids)
        how = ("demote", "disable")[round_ % 2]
        answers = _race([_change(stack, a, b.user_id, how), _change(stack, b, a.user_id, how)])
        assert _check_answers(answers) == 1, (how, [(r.status_code, r.headers.get("location")) for r in answers])
        assert _enabled_admins(stack, org_id) == 1, how


def test_many_admins_demoting_and_disabling_each_other_keep_one(stack: Any) -> None:
    """Four admins each demote or disable the three others, all twelve requests at once."""
    org_id, admin_ids, _ = _new_org(stack, admins=4)
    for round_ in range(4):
        browsers = _reset_admins(stack, admin_ids)
        calls = [_change(stack, actor, target, ("demote", "disable")[(i + j + round_) % 2])
                 for i, actor in enumerate(browsers) for j, target in enumerate(admin_ids) if target != actor.user_id]
        answers = _race(calls)
        assert _check_answers(answers) >= 1
        assert _enabled_admins(stack, org_id) >= 1, [(r.status_code, r.headers.get("location")) for r in answers]


def test_admins_stepping_down_at_once_leave_one(stack: Any) -> None:
    """Four admins each make themselves a rep at the same moment: three may, the last is refused."""
    org_id, admin_ids, _ = _new_org(stack, admins=4)
    for _round in range(5):
        browsers = _reset_admins(stack, admin_ids)
        answers = _race([_change(stack, b, b.user_id, "demote") for b in browsers])
        assert _check_answers(answers) == 3, [(r.status_code, r.headers.get("location")) for r in answers]
        assert sorted(r.status_code for r in answers) == [303, 303, 303, 422]
        assert _enabled_admins(stack, org_id) == 1
