"""`/v1/webhooks`: register URLs for `call.analyzed` / `call.failed`, inspect deliveries."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Response
from sqlmodel import col, select

from models import Webhook, WebhookAttempt, WebhookDelivery
from models.public import WebhookAttemptPublic, WebhookCreate, WebhookDeliveryPublic, WebhookPublic
from service.api.deps import CurrentPrincipal, SessionDep, SettingsDep, not_found, require_role
from service.api.responses import API_ERRORS
from service.core.secret_box import secret_box
from service.webhook_targets import UnsafeTarget, check_target

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=API_ERRORS)


def _public(h: Webhook, secret: str | None = None) -> WebhookPublic:
    return WebhookPublic(id=h.id, url=h.url, events=h.events, active=h.active, created_at=h.created_at,
                         secret=secret)


def _check_url(url: str, allow_private: bool) -> None:
    """422 for a URL whose host resolves to an address webhooks may not reach. A host that does not
    resolve now is accepted: every delivery checks again, and refuses it then if need be."""
    try:
        check_target(url, allow_private)
    except UnsafeTarget as exc:
        if "does not resolve" not in str(exc):
            raise HTTPException(422, detail=f"webhook URL refused: {exc}") from exc


@router.post("", status_code=201, response_model=WebhookPublic,
             summary="Register a webhook; the signing secret is returned once",
             responses={403: {"description": "the key's role may not manage webhooks"},
                        422: {"description": "invalid body, or a URL on a loopback/private/metadata address"}})
def create_webhook(body: WebhookCreate, session: SessionDep, principal: CurrentPrincipal,
                   settings: SettingsDep) -> WebhookPublic:
    require_role(principal, "admin", "integration")
    url = str(body.url)
    _check_url(url, settings.webhook_allow_private)  # a sync route: the DNS lookup runs in the threadpool
    secret = body.secret or secrets.token_urlsafe(32)
    hook = Webhook(org_id=principal.org_id, url=url, secret=secret_box(settings).seal(secret),
                   events=sorted(set(body.events)))
    session.add(hook)
    session.commit()
    return _public(hook, secret)


@router.get("", response_model=list[WebhookPublic], summary="The organization's webhooks")
def list_webhooks(session: SessionDep, principal: CurrentPrincipal) -> list[WebhookPublic]:
    require_role(principal, "admin", "integration")
    rows = session.exec(select(Webhook).where(col(Webhook.org_id) == principal.org_id)).all()
    return [_public(h) for h in rows]


def _own(session: SessionDep, principal: CurrentPrincipal, webhook_id: str) -> Webhook:
    hook = session.get(Webhook, webhook_id)
    if hook is None or hook.org_id != principal.org_id:
        raise not_found("webhook")
    require_role(principal, "admin", "integration")
    return hook


@router.delete("/{webhook_id}", status_code=204, summary="Stop sending to a webhook")
def delete_webhook(webhook_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    hook = _own(session, principal, webhook_id)
    hook.active = False  # deliveries and attempts stay as the record of what was sent
    session.add(hook)
    session.commit()
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", response_model=list[WebhookDeliveryPublic],
            summary="Recent deliveries of a webhook with every attempt")
def list_deliveries(webhook_id: str, session: SessionDep, principal: CurrentPrincipal,
                    limit: int = 50) -> list[WebhookDeliveryPublic]:
    _own(session, principal, webhook_id)
    rows = session.exec(select(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == webhook_id)
                        .order_by(col(WebhookDelivery.created_at).desc()).limit(max(1, min(limit, 500)))).all()
    out = []
    for d in rows:
        attempts = session.exec(select(WebhookAttempt).where(col(WebhookAttempt.delivery_id) == d.id)
                                .order_by(col(WebhookAttempt.attempt))).all()
        pub = WebhookDeliveryPublic.model_validate(d, from_attributes=True)
        pub.attempt_log = [WebhookAttemptPublic.model_validate(a, from_attributes=True) for a in attempts]
        out.append(pub)
    return out
