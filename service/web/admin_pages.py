"""Admin pages: users and teams, API keys, webhooks, trackers, the custom vocabulary and the playbook.

Every page and form asks the domain layer (`service.domain.accounts`, `.webhooks`,
`.definitions`), which applies the access policy: a coach or a rep gets the 403 page, another
organization's row is a 404. A form that does not fit (`Invalid`, `Conflict`) comes back as the
same page with the reason and what was typed; a secret (a new API key, a webhook's signing
secret, an invite link) is shown once, on the page that answers the form, and never again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from models import KEY_ROLES, USER_ROLES, WEBHOOK_EVENTS, Playbook, TrackerDefinition
from models.public import TrackerCreate, WebhookCreate
from service.core.access import Principal, require
from service.core.errors import Conflict, Invalid
from service.core.i18n import N_
from service.core.sessions import ResolvedSession
from service.domain import accounts, definitions, webhooks
from service.domain.org_definitions import active_playbook_row
from service.web.i18n import error_text, ptr, tr
from service.web.pages import CSRF_FIELD, SignedIn, check_csrf, public_base, render
from transcription.vocabulary import (
    MAX_TERM_CHARS,
    MAX_TERMS,
    VOCABULARY_KEYS,
    VocabularyError,
    vocabulary_from_data,
)

router = APIRouter(prefix="/admin", include_in_schema=False)

# The labels (and DONE's texts) are translated where they are shown (`service.web.i18n`).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("users", "/admin/users", N_("Users and teams")),
    ("keys", "/admin/keys", N_("API keys")),
    ("webhooks", "/admin/webhooks", N_("Webhooks")),
    ("trackers", "/admin/trackers", N_("Trackers")),
    ("vocabulary", "/admin/vocabulary", N_("Custom vocabulary")),
    ("playbook", "/admin/playbook", N_("Playbook")),
    ("retention", "/admin/retention", N_("Retention and deletion")),  # service.web.privacy_pages
    ("audit", "/admin/audit", N_("Audit trail")),
)
_URL = {name: url for name, url, _ in SECTIONS}
DELIVERIES_SHOWN = 10
# What a successful form says after its redirect (`?done=...`): fixed texts, never echoed input.
DONE = {
    "user-created": N_("User created. Create an invite link so they can set a password."),
    "user-saved": N_("User updated."), "user-disabled": N_("User disabled: signed out, and their API keys revoked."),
    "user-enabled": N_("User enabled."), "team-created": N_("Team created."), "key-revoked": N_("API key revoked."),
    "webhook-stopped": N_("Webhook stopped: nothing more is sent to it."), "tracker-created": N_("Tracker saved."),
    "tracker-deleted": N_("Tracker deleted."), "playbook-deleted": N_("Playbook deleted."),
    "playbook-saved": N_("Playbook saved and active: live calls and suggestions use it now."),
    "vocabulary-saved": N_("Vocabulary saved: calls analysed from now on use it."),
}


@dataclass(frozen=True)
class Revealed:
    """A secret shown once: what it is, its value, and what to do with it."""

    label: str
    value: str
    hint: str


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err['msg']}" if where else str(err["msg"]))
    return "; ".join(parts)


def _form_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if k != CSRF_FIELD}
    values["events"] = [str(v) for v in form.getlist("events")]
    return values


# --- What each section's page shows -------------------------------------------------------------

def _users_ctx(session: Session, p: Principal) -> dict[str, Any]:
    return {"users": accounts.list_users(session, p), "teams": accounts.list_teams(session, p),
            "roles": USER_ROLES}


def _keys_ctx(session: Session, p: Principal) -> dict[str, Any]:
    return {"keys": accounts.list_keys(session, p), "key_roles": KEY_ROLES,
            "people": [u.user for u in accounts.list_users(session, p) if not u.user.disabled]}


def _webhooks_ctx(session: Session, p: Principal) -> dict[str, Any]:
    hooks = webhooks.list_webhooks(session, p)
    return {"hooks": [(h, webhooks.recent_deliveries(session, p, h.id, DELIVERIES_SHOWN)) for h in hooks],
            "events": WEBHOOK_EVENTS}


def _trackers_ctx(session: Session, p: Principal) -> dict[str, Any]:
    require(p, "definitions.write")
    return {"trackers": definitions.list_definitions(session, p, TrackerDefinition),
            "builtin": definitions.builtin_tracker_names()}


def _vocabulary_ctx(session: Session, p: Principal) -> dict[str, Any]:
    require(p, "definitions.write")
    row = definitions.vocabulary_row(session, p)
    try:
        terms = vocabulary_from_data(row.content) if row else ()
    except VocabularyError:  # stored before today's rules: show what is there, saving checks it again
        terms = tuple(str(t) for group in (row.content.values() if row else ()) if isinstance(group, list)
                      for t in group)
    return {"terms_text": "\n".join(terms), "count": len(terms), "updated_at": row.updated_at if row else None,
            "max_terms": MAX_TERMS, "max_term_chars": MAX_TERM_CHARS}


def _playbook_ctx(session: Session, p: Principal) -> dict[str, Any]:
    require(p, "definitions.write")
    active = active_playbook_row(session, p.org_id)
    text = (yaml.safe_dump(active.content, sort_keys=False, allow_unicode=True, width=100) if active
            else definitions.bundled_playbook_yaml())
    return {"active": active, "playbooks": definitions.list_definitions(session, p, Playbook),
            "yaml_text": text, "situations": len((active.content.get("situations") or {}) if active else {})}


# What each section's forms need (checked before any field is read: a 403 never depends on the form).
SECTION_ACTION = {"users": "org.manage", "keys": "org.manage", "webhooks": "webhooks.manage",
                  "trackers": "definitions.write", "vocabulary": "definitions.write",
                  "playbook": "definitions.write"}

CONTEXTS: dict[str, Callable[[Session, Principal], dict[str, Any]]] = {
    "users": _users_ctx, "keys": _keys_ctx, "webhooks": _webhooks_ctx, "trackers": _trackers_ctx,
    "vocabulary": _vocabulary_ctx, "playbook": _playbook_ctx,
}


def _section_page(request: Request, session: Session, who: ResolvedSession, section: str,
                  extra: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    ctx = CONTEXTS[section](session, who.principal)
    done_text = DONE.get(request.query_params.get("done", ""))
    done = tr(request, done_text) if done_text else None
    return render(request, f"admin_{section}.html", {"sections": SECTIONS, "section": section, "done": done,
                                                      "error": None, "form": {}, "revealed": None,
                                                      **ctx, **(extra or {})}, who, status_code=status_code)


def _show(request: Request, who: ResolvedSession, section: str) -> Response:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        return _section_page(request, session, who, section)


Action = Callable[[Session, Principal, FormData], Revealed | None]


async def _submit(request: Request, who: ResolvedSession, section: str, action: Action, done: str) -> Response:
    """Runs a form's action. Success: a redirect back to the section (or, for a secret, the page
    showing it once). `Invalid`/`Conflict`: the section again with the reason and the typed values."""
    form = await request.form()
    check_csrf(form, who)
    require(who.principal, SECTION_ACTION[section])

    def run() -> Response | None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            try:
                revealed = action(session, who.principal, form)
            except (Invalid, Conflict) as exc:
                session.rollback()
                # A message the catalogue knows is translated; the domain's own stay as written.
                return _section_page(request, session, who, section,
                                     {"error": error_text(request, exc), "form": _form_values(form)}, exc.status_code)
            if revealed is not None:
                return _section_page(request, session, who, section, {"revealed": revealed})
        return None

    page = await run_in_threadpool(run)
    return page or RedirectResponse(f"{_URL[section]}?done={done}", status_code=303)


def _field(form: FormData, name: str, max_length: int = 2000) -> str:
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > max_length:
        raise Invalid(N_("%(field)s has at most %(count)d characters", field=name.replace("_", " "), count=max_length))
    return text


# --- Overview -----------------------------------------------------------------------------------

@router.get("")
def admin_home(request: Request, who: SignedIn) -> Response:
    p = who.principal
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        counts = accounts.overview(session, p)
        hooks = webhooks.list_webhooks(session, p)
        trackers = definitions.list_definitions(session, p, TrackerDefinition)
        active = active_playbook_row(session, p.org_id)
    return render(request, "admin_home.html", {
        "sections": SECTIONS, "section": None, "counts": counts, "active_hooks": sum(h.active for h in hooks),
        "trackers": len(trackers), "playbook": active}, who)


# --- Users and teams ----------------------------------------------------------------------------

@router.get("/users")
def users_page(request: Request, who: SignedIn) -> Response:
    return _show(request, who, "users")


@router.post("/users")
async def create_user(request: Request, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, form: FormData) -> None:
        accounts.add_user(session, p, _field(form, "name", 200), _field(form, "email", 320) or None,
                          _field(form, "role", 20), _field(form, "team_id", 32) or None)

    return await _submit(request, who, "users", act, "user-created")


@router.post("/users/{user_id}")
async def update_user(request: Request, user_id: str, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, form: FormData) -> None:
        accounts.update_user(session, p, user_id, _field(form, "role", 20), _field(form, "team_id", 32) or None)

    return await _submit(request, who, "users", act, "user-saved")


@router.post("/users/{user_id}/disable")
async def disable_user(request: Request, user_id: str, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, _form: FormData) -> None:
        accounts.set_disabled(session, p, user_id, True)

    return await _submit(request, who, "users", act, "user-disabled")


@router.post("/users/{user_id}/enable")
async def enable_user(request: Request, user_id: str, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, _form: FormData) -> None:
        accounts.set_disabled(session, p, user_id, False)

    return await _submit(request, who, "users", act, "user-enabled")


@router.post("/users/{user_id}/invite")
async def invite_user(request: Request, user_id: str, who: SignedIn) -> Response:
    settings = request.app.state.settings
    base = public_base(request)
    hours = format(settings.invite_hours, "g")

    def act(session: Session, p: Principal, _form: FormData) -> Revealed:
        link = accounts.invite_link(session, p, user_id, settings.invite_hours, base)
        user = accounts.org_user(session, p, user_id)
        return Revealed(tr(request, "Invite link for %(name)s", name=user.name), link,
                        tr(request, "Send it to %(email)s. It works once, for %(hours)s hours, and is not shown "
                           "again: create a new one if it gets lost.", email=user.email, hours=hours))

    return await _submit(request, who, "users", act, "")


@router.post("/teams")
async def create_team(request: Request, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, form: FormData) -> None:
        accounts.add_team(session, p, _field(form, "team_name", 200))

    return await _submit(request, who, "users", act, "team-created")


# --- API keys -----------------------------------------------------------------------------------

@router.get("/keys")
def keys_page(request: Request, who: SignedIn) -> Response:
    return _show(request, who, "keys")


@router.post("/keys")
async def create_key(request: Request, who: SignedIn) -> Response:
    calls_url = public_base(request) + "/v1/calls"

    def act(session: Session, p: Principal, form: FormData) -> Revealed:
        created = accounts.add_key(session, p, _field(form, "role", 20), _field(form, "user_id", 32) or None,
                                   _field(form, "name", 200) or None)
        return Revealed(tr(request, "New %(role)s API key %(prefix)s…", role=ptr(request, "role", created.row.role),
                           prefix=created.row.prefix), created.secret,
                        tr(request, "Copy it now: only its hash is stored, so it cannot be shown again. Use it as "
                           "'Authorization: Bearer <key>', e.g. curl -H 'Authorization: Bearer <key>' %(url)s",
                           url=calls_url))

    return await _submit(request, who, "keys", act, "")


@router.post("/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: str, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, _form: FormData) -> None:
        accounts.revoke_key(session, p, key_id, request.app.state.key_revocations)

    return await _submit(request, who, "keys", act, "key-revoked")


# --- Webhooks -----------------------------------------------------------------------------------

@router.get("/webhooks")
def webhooks_page(request: Request, who: SignedIn) -> Response:
    return _show(request, who, "webhooks")


@router.post("/webhooks")
async def create_webhook(request: Request, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, form: FormData) -> Revealed:
        events = [str(e) for e in form.getlist("events")]
        try:
            body = WebhookCreate(url=_field(form, "url"), events=events)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise Invalid(_validation_message(exc)) from exc
        created = webhooks.create_webhook(session, p, body, request.app.state.settings)
        return Revealed(tr(request, "Signing secret of %(url)s", url=created.row.url), created.secret,
                        tr(request, "Each delivery carries X-Talktrack-Signature: sha256=HMAC-SHA256(secret, "
                           "'{timestamp}.{body}'). Copy the secret now: it is not shown again."))

    return await _submit(request, who, "webhooks", act, "")


@router.post("/webhooks/{webhook_id}/delete")
async def stop_webhook(request: Request, webhook_id: str, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, _form: FormData) -> None:
        webhooks.deactivate_webhook(session, p, webhook_id)

    return await _submit(request, who, "webhooks", act, "webhook-stopped")


# --- Trackers -----------------------------------------------------------------------------------

@router.get("/trackers")
def trackers_page(request: Request, who: SignedIn) -> Response:
    return _show(request, who, "trackers")


@router.post("/trackers")
async def create_tracker(request: Request, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, form: FormData) -> None:
        threshold = _field(form, "threshold", 20)
        said_by = _field(form, "speaker_role", 20)
        try:
            body = TrackerCreate(name=_field(form, "name", 100), phrases=_lines(_field(form, "phrases", 50_000)),
                                 examples=_lines(_field(form, "examples", 50_000)),
                                 threshold=float(threshold) if threshold else None,
                                 speaker_role=said_by if said_by in ("rep", "customer") else None,
                                 enabled=form.get("enabled") == "on")
        except ValueError as exc:  # pydantic's ValidationError is a ValueError too
            message = _validation_message(exc) if isinstance(exc, ValidationError) else N_("threshold must be a number")
            raise Invalid(message) from exc
        if body.enabled and not body.phrases and not body.examples:
            raise Invalid(N_("give the tracker at least one phrase or example (or untick Enabled to turn off "
                             "a built-in tracker of this name)"))
        definitions.create_definition(session, p, TrackerDefinition(org_id=p.org_id, **body.model_dump()))

    return await _submit(request, who, "trackers", act, "tracker-created")


@router.post("/trackers/{item_id}/delete")
async def delete_tracker(request: Request, item_id: str, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, _form: FormData) -> None:
        definitions.delete_definition(session, p, TrackerDefinition, item_id)

    return await _submit(request, who, "trackers", act, "tracker-deleted")


# --- Custom vocabulary --------------------------------------------------------------------------

@router.get("/vocabulary")
def vocabulary_page(request: Request, who: SignedIn) -> Response:
    return _show(request, who, "vocabulary")


def _grouped(session: Session, p: Principal, lines: list[str]) -> dict[str, list[str]]:
    """The page's terms, one a line, as the API's groups: a term already in a group (products,
    competitors...) stays there, a new one goes to `terms`."""
    row = definitions.vocabulary_row(session, p)
    was = {str(t).lower(): key for key in VOCABULARY_KEYS
           for t in ((row.content.get(key) or []) if row and isinstance(row.content, dict) else [])
           if isinstance(t, str | int | float)}
    content: dict[str, list[str]] = {key: [] for key in VOCABULARY_KEYS}
    for line in lines:
        content[was.get(line.lower(), "terms")].append(line)
    return content


@router.post("/vocabulary")
async def save_vocabulary(request: Request, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, form: FormData) -> None:
        # The same check as PUT /v1/vocabulary (`definitions.replace_vocabulary`): Invalid, nothing stored.
        # The textarea is `text`, a field that may hold several lines (`service.core.text_input`).
        definitions.replace_vocabulary(session, p, _grouped(session, p, _lines(_field(form, "text", 50_000))))

    return await _submit(request, who, "vocabulary", act, "vocabulary-saved")


# --- Playbook -----------------------------------------------------------------------------------

@router.get("/playbook")
def playbook_page(request: Request, who: SignedIn) -> Response:
    return _show(request, who, "playbook")


@router.post("/playbook")
async def save_playbook(request: Request, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, form: FormData) -> None:
        content = definitions.parse_playbook_yaml(str(form.get("content", "")))
        definitions.replace_playbook(session, p, _field(form, "name", 100), content)

    return await _submit(request, who, "playbook", act, "playbook-saved")


@router.post("/playbook/{item_id}/delete")
async def delete_playbook(request: Request, item_id: str, who: SignedIn) -> Response:
    def act(session: Session, p: Principal, _form: FormData) -> None:
        definitions.delete_definition(session, p, Playbook, item_id)

    return await _submit(request, who, "playbook", act, "playbook-deleted")
