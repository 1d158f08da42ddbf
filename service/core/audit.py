"""The audit trail: `record(...)`, called where each event happens (sign-ins, views and downloads
of a call, deletions, role changes, API keys, the retention policy), appends one `AuditEvent`.

The log is append-only: nothing in the code updates or deletes an event, and the database refuses
it (migration 0011's triggers). An event holds ids, kinds, formats, roles and counts, never what a
call or a person said; a sign-in also holds the connecting address.

A view costs one insert. Views (and the recording's range requests while it plays) of one call by
one principal are recorded once per `VIEW_WINDOW_S` in a process, so a polling page or a player
that seeks does not write an event per request.
"""

from __future__ import annotations

import getpass
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from models import AuditEvent
from service.core.access import Principal

# What each action means, for the admin page's filter and the docs (docs/security.md).
ACTIONS: dict[str, str] = {
    "signin": "signed in",
    "signin.failed": "sign-in refused (wrong e-mail or password)",
    "signout": "signed out",
    "call.view": "opened a call (page or API)",
    "call.download": "downloaded a transcript or the analysis",
    "call.audio": "played or downloaded a recording",
    "call.share": "shared a call with a person",
    "call.unshare": "stopped sharing a call with a person",
    "call.delete": "deleted a call",
    "deal.delete": "deleted a deal's calls",
    "person.delete": "deleted everything about a person",
    "retention.delete": "the retention policy deleted recordings or analyses",
    "retention.update": "changed the retention policy",
    "user.create": "created a user",
    "user.role": "changed a user's role or team",
    "user.disable": "disabled a user",
    "user.enable": "enabled a user",
    "user.invite": "made an invite link",
    "user.password": "set a user's password",
    "key.create": "created an API key",
    "key.revoke": "revoked an API key",
    "audit.export": "exported the audit trail",
    "brief.backfill": "built the briefs of calls analysed before briefs existed",
}
VIA = ("web", "api", "cli", "system")
VIEW_WINDOW_S = 60.0
_DEDUPED = frozenset({"call.view", "call.audio"})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: a person (`user_id`), an API key of no person (`key_id`), the command line
    (`label` "cli:<os user>") or the service itself (`label` "retention policy"), and the surface."""

    via: str
    user_id: str | None = None
    key_id: str | None = None
    label: str | None = None

    @classmethod
    def of(cls, principal: Principal, via: str | None = None) -> Actor:
        """A principal as an actor: a signed-in person by their user id (their browser session's id
        is not kept), an API key by its id and its person's."""
        if principal.via_session:
            return cls(via or "web", user_id=principal.user_id)
        return cls(via or "api", user_id=principal.user_id, key_id=principal.key_id)

    @classmethod
    def operator(cls) -> Actor:
        """Whoever runs `talktrack admin ...` on the server."""
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return cls("cli", label=f"cli:{who}"[:200])


SYSTEM = Actor("system", label="retention policy")


class _RecentViews:
    """(principal, action, call) -> when it was last recorded in this process."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str | None, ...], float] = {}
        self._lock = threading.Lock()

    def fresh(self, key: tuple[str | None, ...]) -> bool:
        """True (and remembered) unless the same key was recorded less than VIEW_WINDOW_S ago."""
        now = time.monotonic()
        with self._lock:
            last = self._seen.get(key)
            if last is not None and now - last < VIEW_WINDOW_S:
                return False
            if len(self._seen) > 50_000:
                self._seen.clear()
            self._seen[key] = now
            return True

    def forget(self, key: tuple[str | None, ...]) -> None:
        with self._lock:
            self._seen.pop(key, None)


_recent = _RecentViews()


def record(session: Session, action: str, *, org_id: str | None, actor: Actor,
           target_kind: str | None = None, target_id: str | None = None,
           detail: dict[str, Any] | None = None, ip: str | None = None, commit: bool = True) -> bool:
    """Append one event. With `commit` (the default) it is committed at once, else it joins the
    caller's transaction (a role change and its event are stored together or not at all). Returns
    False when a view was not written because the same principal's view of the same call was
    recorded a moment ago. An insert that fails raises: a view that cannot be logged is not served."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if actor.via not in VIA:
        raise ValueError(f"unknown audit surface {actor.via!r}")
    key = (org_id, actor.user_id, actor.key_id, action, target_id)
    if action in _DEDUPED and not _recent.fresh(key):
        return False
    session.add(AuditEvent(org_id=org_id, action=action, actor_user_id=actor.user_id, actor_key_id=actor.key_id,
                           actor_label=actor.label, via=actor.via, target_kind=target_kind, target_id=target_id,
                           detail=detail or {}, ip=ip))
    if commit:
        try:
            session.commit()
        except BaseException:
            _recent.forget(key)  # not stored: the next view tries again
            raise
    return True
