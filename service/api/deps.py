"""Request dependencies as types (`SessionDep`, `CurrentPrincipal`).

`authenticate_key()` resolves a bearer key to its `Principal` (organization, team, user, role); the
REST dependencies and the live WebSocket both use it. A signed-in browser's session cookie is the
other way in (`session_principal`, with its CSRF header on writes). Who may see and do what is the
access policy's (`service.access`); `require` and `visible_call` turn its answers into 403 / 404.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import ApiKey, Call, User
from service.access import Principal, allowed, call_condition, roles_for
from service.core.config import Settings
from service.core.security import hash_api_key
from service.core.sessions import SESSION_COOKIE, resolve_session

__all__ = ["Principal"]


class _KeyCache:
    """Resolved keys for a few seconds, so a polling CRM sidebar costs no key lookup per request
    (a revoked key stops working within `key_cache_s`)."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> tuple[bool, Principal | None]:
        item = self._items.get(key_hash)
        if item is None or item[0] < time.monotonic():
            return False, None
        return True, item[1]

    def put(self, key_hash: str, principal: Principal | None, ttl: float) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key_hash] = (time.monotonic() + ttl, principal)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_key_cache = _KeyCache()


def authenticate_key(engine: Engine, key: str | None, cache_s: float = 5.0) -> Principal | None:
    """The principal for an API key string, or None for a missing, unknown or revoked key."""
    if not key:
        return None
    key_hash = hash_api_key(key.strip())
    hit, principal = _key_cache.get(key_hash)
    if hit:
        return principal
    with Session(engine) as session:
        row = session.exec(select(ApiKey).where(ApiKey.key_hash == key_hash)).first()
        principal = None
        if row is not None and row.revoked_at is None:
            team_id = None
            if row.user_id is not None:
                user = session.get(User, row.user_id)
                team_id = user.team_id if user is not None else None
            principal = Principal(key_id=row.id, org_id=row.org_id, role=row.role, user_id=row.user_id,
                                  team_id=team_id, rate_limit_per_minute=row.rate_limit_per_minute)
    if cache_s > 0:
        _key_cache.put(key_hash, principal, cache_s)
    return principal


def bearer_token(authorization: str | None) -> str | None:
    """The key from an `Authorization: Bearer <key>` header value."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_db)]


# Declared so the OpenAPI schema (and /docs) carries the bearer scheme; the header is read below.
_bearer_scheme = HTTPBearer(auto_error=False, description="an API key from `talktrack admin create-key`")


async def get_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer_scheme)] = None,
) -> Principal:
    """The caller, from `Authorization: Bearer <key>`; 401 without a valid key, 429 over the limit.

    Async so that a cached key costs no thread hop; a cache miss looks the key up on a thread."""
    settings: Settings = request.app.state.settings
    token = bearer_token(request.headers.get("authorization"))
    if token is None and request.cookies.get(SESSION_COOKIE):
        return await run_in_threadpool(session_principal, request)
    hit, principal = _key_cache.get(hash_api_key(token.strip())) if token else (True, None)
    if not hit:
        principal = await run_in_threadpool(authenticate_key, request.app.state.engine, token,
                                            settings.key_cache_s)
    if principal is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or invalid API key (send Authorization: Bearer <key>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    wait = await request.app.state.rate_limiter.check(principal.key_id, principal.rate_limit_per_minute)
    if wait > 0:
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail="rate limit exceeded for this API key",
            headers={"Retry-After": str(max(1, int(wait + 0.999)))},
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"


def session_principal(request: Request) -> Principal:
    """The signed-in person behind the session cookie (the web pages' scripts call the JSON API
    this way). A state-changing request must carry the session's CSRF token in `X-CSRF-Token`."""
    resolved = resolve_session(request.app.state.engine, request.cookies.get(SESSION_COOKIE))
    if resolved is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED,
                            detail="your session has expired: sign in again",
                            headers={"WWW-Authenticate": "Bearer"})
    if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != resolved.csrf_token:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="missing or wrong CSRF token")
    return resolved.principal


def require(principal: Principal, action: str) -> None:
    """403 when the principal's role may not perform `action` (see `service.access.PERMISSIONS`)."""
    if not allowed(principal, action):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN,
                            detail=f"a {principal.role} cannot do this (needs {' or '.join(roles_for(action))})")


call_scope = call_condition  # the access policy's ORM condition (`service.access`)


def visible_call(session: Session, principal: Principal, call_id: str) -> Call:
    """The call if the principal may see it, else 404 (the same answer as a call that does not exist)."""
    call = session.exec(select(Call).where(col(Call.id) == call_id, call_scope(principal))).first()
    if call is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="call not found")
    return call


def not_found(what: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=f"{what} not found")


Json = dict[str, Any]
