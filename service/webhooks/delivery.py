"""Webhooks: an event (`call.analyzed`, `call.failed`) becomes one delivery per subscribed URL.

Each attempt checks the target again (`service.webhooks.targets`: no loopback, private or metadata
addresses unless allowed), then POSTs the JSON body signed with HMAC-SHA256 over `"{timestamp}.{body}"`
(headers `X-Talktrack-Timestamp`, `X-Talktrack-Signature: sha256=<hex>`), is recorded as a
`WebhookAttempt` (status code, error kind and time taken; never the receiver's body), and on failure is retried with exponential backoff until
`webhook_max_attempts`. The payload carries ready-made `salesforce_task` and `hubspot_call`
objects so a CRM connector can log the call without reshaping it, the call's `brief` and, for a
call with a deal, the deal page's `deal_url`.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from models import Call, CallResult, Webhook, WebhookAttempt, WebhookDelivery
from models.base import utcnow
from service.core.config import Settings
from service.core.db import get_engine
from service.core.secret_box import SecretKeyError, secret_box
from service.core.security import sign_payload
from service.webhooks.targets import UnsafeTarget, check_target, host_header, pinned_url
from transcription.display import clock

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Talktrack-Signature"
# A delivery is taken at most this early: timers and Celery countdowns fire on time, and a second
# message for the same delivery (the sweeper's, a redelivery) must not cut its backoff short.
EARLY_S = 0.05
TIMESTAMP_HEADER = "X-Talktrack-Timestamp"




def call_summary(call: Call, analysis: dict[str, Any] | None) -> str:
    """One or two plain sentences for a CRM activity's description."""
    if analysis is None:
        return f"Talktrack could not analyse this call: {call.error or 'unknown error'}."
    m = analysis.get("metrics", {})
    parts = [f"{clock(analysis.get('duration_s'), missing='n/a')} call"]
    if m.get("talk_ratio") is not None:
        parts.append(f"rep talk ratio {round(100 * m['talk_ratio'])}%")
    parts.append(f"{m.get('question_count_rep', 0)} rep questions ({m.get('open_question_count_rep', 0)} open)")
    if m.get("longest_monologue_s") is not None:
        parts.append(f"longest monologue {clock(m['longest_monologue_s'], missing='n/a')}")
    text = ", ".join(parts) + "."
    steps = [n.get("text", "") for n in analysis.get("next_steps", [])][:3]
    if steps:
        text += " Next steps: " + " | ".join(steps)
    return text


def build_payload(settings: Settings, event: str, call: Call, analysis: dict[str, Any] | None) -> dict[str, Any]:
    started = call.started_at or call.created_at
    ts_ms = int(started.timestamp() * 1000)
    duration_ms = int(round((call.duration_s or 0.0) * 1000))
    link = f"{settings.public_url.rstrip('/')}/v1/calls/{call.id}"
    summary = call_summary(call, analysis)
    title = call.title or f"Call {call.id[:8]}"
    metrics = analysis.get("metrics", {}) if analysis else {}
    brief = analysis.get("brief") if analysis else None
    # The deal page (the deal's calls as one story, its warnings: docs/deals.md); the id escaped.
    deal_url = f"{settings.public_url.rstrip('/')}/deals/{quote(call.deal_id, safe='')}" if call.deal_id else None
    return {
        "event": event,
        "created_at": utcnow().isoformat(),
        "call": {
            "id": call.id, "title": call.title, "status": call.status, "error": call.error,
            "rep_name": call.rep_name, "rep_user_id": call.rep_user_id, "deal_id": call.deal_id,
            "crm_ids": call.crm_ids, "started_at": started.isoformat(), "timestamp_ms": ts_ms,
            "duration_ms": duration_ms, "link": link,
        },
        "summary": summary,
        "metrics": metrics,
        "brief": brief if isinstance(brief, dict) else None,
        "deal_url": deal_url,
        "salesforce_task": {
            "Subject": f"Call: {title}", "TaskSubtype": "Call", "Status": "Completed",
            "ActivityDate": started.date().isoformat(), "CallDurationInSeconds": duration_ms // 1000,
            "Description": f"{summary}\n{link}",
            "WhatId": call.crm_ids.get("salesforce_opportunity_id") or call.crm_ids.get("opportunity_id"),
        },
        "hubspot_call": {
            "properties": {
                "hs_timestamp": started.isoformat(), "hs_call_title": title, "hs_call_body": f"{summary}\n{link}",
                "hs_call_duration": str(duration_ms), "hs_call_status": "COMPLETED",
            },
            "deal_id": call.crm_ids.get("hubspot_deal_id") or call.deal_id,
        },
    }


def create_deliveries(session: Session, event: str, call: Call, settings: Settings) -> list[str]:
    """Queue one delivery of `event` per active webhook of the call's organization subscribed to it
    (in the caller's transaction, so the event is recorded exactly when the call's state changes)."""
    hooks = [h for h in session.exec(select(Webhook).where(col(Webhook.org_id) == call.org_id,
                                                           col(Webhook.active).is_(True))).all()
             if event in h.events]
    if not hooks:
        return []
    analysis = None
    if event == "call.analyzed":
        row = session.get(CallResult, call.id)
        analysis = json.loads(row.analysis_json) if row is not None else None
    ids = []
    for hook in hooks:
        delivery = WebhookDelivery(webhook_id=hook.id, org_id=call.org_id, event=event, call_id=call.id,
                                   payload_json="{}")
        payload = build_payload(settings, event, call, analysis)
        payload["delivery_id"] = delivery.id
        delivery.payload_json = json.dumps(payload, separators=(",", ":"), default=str)
        session.add(delivery)
        ids.append(delivery.id)
    return ids


def deliver(settings: Settings, delivery_id: str, client: httpx.Client | None = None) -> float | None:
    """Make one attempt at a pending delivery that is due. Returns the seconds until the next
    attempt, or None when there is nothing more to do (delivered, given up, not due, taken)."""
    now = utcnow()
    lease = now + timedelta(seconds=settings.webhook_timeout_s * 3)
    with Session(get_engine(settings), expire_on_commit=False) as session:
        taken = session.exec(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == delivery_id, col(WebhookDelivery.status) == "pending",
                   col(WebhookDelivery.next_attempt_at) <= now + timedelta(seconds=EARLY_S),
                   or_(col(WebhookDelivery.lease_expires_at).is_(None),
                       and_(col(WebhookDelivery.lease_expires_at) < now)))
            .values(lease_expires_at=lease)
        ).rowcount == 1
        session.commit()
        if not taken:
            return None
        delivery = session.get(WebhookDelivery, delivery_id)
        hook = session.get(Webhook, delivery.webhook_id) if delivery else None
        if delivery is None or hook is None:
            return None
        body = delivery.payload_json.encode("utf-8")
        t0 = time.perf_counter()
        code, error = _attempt(settings, hook, delivery, body, client)
        elapsed_ms = (time.perf_counter() - t0) * 1000
        delivery.attempts += 1
        session.add(WebhookAttempt(delivery_id=delivery.id, attempt=delivery.attempts, status_code=code,
                                   error=error, duration_ms=round(elapsed_ms, 1)))
        delivery.last_status_code, delivery.last_error, delivery.lease_expires_at = code, error, None
        retry_in: float | None = None
        if error is None:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", utcnow(), None
        elif delivery.attempts >= settings.webhook_max_attempts:
            delivery.status, delivery.next_attempt_at = "failed", None
        else:
            retry_in = settings.webhook_backoff_s * (2 ** (delivery.attempts - 1))
            delivery.next_attempt_at = utcnow() + timedelta(seconds=retry_in)
        session.add(delivery)
        session.commit()
        if error is not None:
            log.info("webhook delivery %s attempt %d failed: %s", delivery.id, delivery.attempts, error)
        return retry_in


def _attempt(settings: Settings, hook: Webhook, delivery: WebhookDelivery, body: bytes,
             client: httpx.Client | None) -> tuple[int | None, str | None]:
    """POST one delivery. Returns (status code, error). The target is checked again (it may resolve
    elsewhere now) and the connection goes to the checked address; the response body is never read
    or stored (an internal service's answer must not end up in the delivery log)."""
    try:
        target = check_target(hook.url, settings.webhook_allow_private)
        secret = secret_box(settings).open(hook.secret)
    except UnsafeTarget as exc:
        return None, f"refused: {exc}"
    except SecretKeyError:
        return None, "the webhook secret cannot be decrypted with this server's TALKTRACK_SECRET_KEY"
    ts = int(time.time())
    headers = {
        "Content-Type": "application/json", "User-Agent": "Talktrack-Webhooks/1", "Host": host_header(target),
        "X-Talktrack-Event": delivery.event, "X-Talktrack-Delivery": delivery.id,
        TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: "sha256=" + sign_payload(secret, ts, body),
    }
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    own = client is None
    c = client or httpx.Client(timeout=settings.webhook_timeout_s, follow_redirects=False, trust_env=False)
    try:
        request = c.build_request("POST", pinned_url(target), content=body, headers=headers,
                                  extensions=extensions)
        resp = c.send(request, stream=True)
        resp.close()
    except httpx.HTTPError as exc:
        return None, _transport_error(exc)
    finally:
        if own:
            c.close()
    code = resp.status_code
    return code, None if 200 <= code < 300 else f"HTTP {code}"


def _transport_error(exc: httpx.HTTPError) -> str:
    """What went wrong, by kind only: no message text from the network stack or the receiver."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    return f"transport error ({type(exc).__name__})"


def seal_legacy_secrets(settings: Settings) -> int:
    """Encrypt webhook secrets an older version stored in clear (run at start-up; idempotent)."""
    box = secret_box(settings)
    with Session(get_engine(settings)) as session:
        rows = [h for h in session.exec(select(Webhook)).all() if not box.is_sealed(h.secret)]
        for hook in rows:
            hook.secret = box.seal(hook.secret)
            session.add(hook)
        session.commit()
    if rows:
        log.info("encrypted %d webhook secret(s) stored in clear by an older version", len(rows))
    return len(rows)


def due_deliveries(settings: Settings, grace_s: float = 0.0) -> list[str]:
    """Pending deliveries whose next attempt is due (`grace_s` late, for a sweeper)."""
    cutoff = utcnow() - timedelta(seconds=grace_s)
    with Session(get_engine(settings)) as session:
        rows = session.exec(select(WebhookDelivery.id).where(
            col(WebhookDelivery.status) == "pending", col(WebhookDelivery.next_attempt_at) <= cutoff)).all()
    return list(rows)
