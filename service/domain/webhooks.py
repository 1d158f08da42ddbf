"""An organization's webhooks and their deliveries (`webhooks.manage`), for the JSON API
(`/v1/webhooks`) and the admin pages alike. Sending the deliveries is `service.webhooks.delivery`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, select

from models import Webhook, WebhookAttempt, WebhookDelivery
from models.public import WebhookCreate
from service.core.access import Principal, require
from service.core.config import Settings
from service.core.errors import Invalid, NotFound
from service.core.i18n import N_
from service.core.secret_box import secret_box
from service.webhooks.targets import UnsafeTarget, check_target

MAX_DELIVERIES = 500


@dataclass(frozen=True)
class CreatedWebhook:
    row: Webhook
    secret: str  # the signing secret, shown once


@dataclass(frozen=True)
class DeliveryLog:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


def create_webhook(session: Session, principal: Principal, body: WebhookCreate, settings: Settings) -> CreatedWebhook:
    """Register a webhook. Its URL must not resolve to a loopback, private, link-local or metadata
    address (unless `TALKTRACK_WEBHOOK_ALLOW_PRIVATE`); a host that does not resolve now is
    accepted, since every delivery checks again. The secret is stored encrypted."""
    require(principal, "webhooks.manage")
    url = str(body.url)
    try:
        check_target(url, settings.webhook_allow_private)
    except UnsafeTarget as exc:
        if "does not resolve" not in str(exc):
            raise Invalid(N_("webhook URL refused: %(reason)s", reason=str(exc))) from exc
    secret = body.secret or secrets.token_urlsafe(32)
    hook = Webhook(org_id=principal.org_id, url=url, secret=secret_box(settings).seal(secret),
                   events=sorted(set(body.events)))
    session.add(hook)
    session.commit()
    return CreatedWebhook(hook, secret)


def list_webhooks(session: Session, principal: Principal) -> list[Webhook]:
    require(principal, "webhooks.manage")
    return list(session.exec(select(Webhook).where(col(Webhook.org_id) == principal.org_id)
                             .order_by(col(Webhook.active).desc(), col(Webhook.created_at))).all())


def org_webhook(session: Session, principal: Principal, webhook_id: str) -> Webhook:
    """The webhook if it is the principal's organization's (NotFound otherwise), and the principal
    may manage webhooks (Forbidden otherwise)."""
    hook = session.get(Webhook, webhook_id)
    if hook is None or hook.org_id != principal.org_id:
        raise NotFound(N_("webhook not found"))
    require(principal, "webhooks.manage")
    return hook


def deactivate_webhook(session: Session, principal: Principal, webhook_id: str) -> Webhook:
    """Stop sending to a webhook; its deliveries and attempts stay as the record of what was sent."""
    hook = org_webhook(session, principal, webhook_id)
    hook.active = False
    session.add(hook)
    session.commit()
    return hook


def recent_deliveries(session: Session, principal: Principal, webhook_id: str, limit: int = 50) -> list[DeliveryLog]:
    """A webhook's newest deliveries, each with its attempts in order."""
    org_webhook(session, principal, webhook_id)
    rows = session.exec(select(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == webhook_id)
                        .order_by(col(WebhookDelivery.created_at).desc())
                        .limit(max(1, min(limit, MAX_DELIVERIES)))).all()
    attempts: dict[str, list[WebhookAttempt]] = {d.id: [] for d in rows}
    if rows:
        for a in session.exec(select(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(list(attempts)))
                              .order_by(col(WebhookAttempt.attempt))).all():
            attempts[a.delivery_id].append(a)
    return [DeliveryLog(d, attempts[d.id]) for d in rows]
