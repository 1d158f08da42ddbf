"""`/v1/webhooks`: register URLs for `call.analyzed` / `call.failed`, inspect deliveries.

The rules (who may, which organization's rows) are `service.domain.webhooks`, shared with the
admin pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from models import Webhook
from models.public import WebhookAttemptPublic, WebhookCreate, WebhookDeliveryPublic, WebhookPublic
from service.api.deps import CurrentPrincipal, Principal, SessionDep, SettingsDep, allowed_to
from service.api.responses import API_ERRORS
from service.domain import webhooks as domain

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=API_ERRORS)
Manager = Annotated[Principal, allowed_to("webhooks.manage")]  # 403 before the body is looked at


def _public(h: Webhook, secret: str | None = None) -> WebhookPublic:
    return WebhookPublic(id=h.id, url=h.url, events=h.events, active=h.active, created_at=h.created_at,
                         secret=secret)


@router.post("", status_code=201, response_model=WebhookPublic,
             summary="Register a webhook; the signing secret is returned once",
             responses={403: {"description": "the key's role may not manage webhooks"},
                        422: {"description": "invalid body, or a URL on a loopback/private/metadata address"}})
def create_webhook(body: WebhookCreate, session: SessionDep, principal: Manager,
                   settings: SettingsDep) -> WebhookPublic:
    created = domain.create_webhook(session, principal, body, settings)
    return _public(created.row, created.secret)


@router.get("", response_model=list[WebhookPublic], summary="The organization's webhooks")
def list_webhooks(session: SessionDep, principal: CurrentPrincipal) -> list[WebhookPublic]:
    return [_public(h) for h in domain.list_webhooks(session, principal)]


@router.delete("/{webhook_id}", status_code=204, summary="Stop sending to a webhook")
def delete_webhook(webhook_id: str, session: SessionDep, principal: Manager) -> Response:
    domain.deactivate_webhook(session, principal, webhook_id)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", response_model=list[WebhookDeliveryPublic],
            summary="Recent deliveries of a webhook with every attempt")
def list_deliveries(webhook_id: str, session: SessionDep, principal: Manager,
                    limit: int = 50) -> list[WebhookDeliveryPublic]:
    out = []
    for log in domain.recent_deliveries(session, principal, webhook_id, limit):
        pub = WebhookDeliveryPublic.model_validate(log.delivery, from_attributes=True)
        pub.attempt_log = [WebhookAttemptPublic.model_validate(a, from_attributes=True) for a in log.attempts]
        out.append(pub)
    return out
