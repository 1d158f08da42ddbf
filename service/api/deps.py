"""Request dependencies as types (`SessionDep`, `CurrentPrincipal`).

`authenticate_key()` resolves a bearer key to its `Principal` (organization, team, user, role; a
person's key never reaches further than the person: `key_principal`); the
REST dependencies and the live WebSocket both use it. A signed-in browser's session cookie is the
other way in (`session_principal`, with its CSRF header on writes). Who may see and do what is the
access policy's (`service.core.access`): `allowed_to(action)` is its `require` as a dependency (403).
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
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from models import ApiKey, User
from service.core.access import Principal, key_role_for, require, roles_for
from service.core.config import Settings
from service.core.db import database_unavailable
from service.core.key_revocations import KeyRevocations
from service.core.security import hash_api_key
from service.core.sessions import SESSION_COOKIE, resolve_session

__all__ = ["Principal"]


class _KeyCache:
    """Resolved keys of no person (admin and integration keys) for a few seconds, so a polling CRM
    sidebar costs no key lookup per request. An entry is trusted only under the revocation stamp it
    was cached with (`service.core.key_revocations`): a key revoked anywhere stops working on the next
    request in every process. A key bound to a person is never kept here: their role, team and being
    enabled are read on every request, so demoting, moving or disabling them narrows their keys at once."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, str, Principal | None]] = {}
        self._lock = threading.Lock()

    def get(self, key_hash: str, stamp: str | None) -> tuple[bool, Principal | None]:
        item = self._items.get(key_hash)
        if stamp is None or item is None or item[0] < time.monotonic() or item[1] != stamp:
            return False, None
        return True, item[2]

    def put(self, key_hash: str, principal: Principal | None, ttl: float, stamp: str | None) -> None:
        if stamp is None or ttl <= 0:
            return
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key_hash] = (time.monotonic() + ttl, stamp, principal)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_key_cache = _KeyCache()


def authenticate_key(engine: Engine, key: str | None, cache_s: float = 0.0,
                     revocations: KeyRevocations | None = None) -> Principal | None:
    """The principal for an API key string, or None for a missing, unknown or revoked key. Keys of no
    person are cached for `cache_s` under `revocations`' stamp (no stamp: no cache)."""
    if not key:
        return None
    key_hash = hash_api_key(key.strip())
    stamp = revocations.stamp() if revocations is not None and cache_s > 0 else None
    hit, principal = _key_cache.get(key_hash, stamp)
    if hit:
        return principal
    with Session(engine) as session:  # the key and its person in one query
        found = session.exec(select(ApiKey, User).join(User, col(User.id) == col(ApiKey.user_id), isouter=True)
                             .where(col(ApiKey.key_hash) == key_hash)).first()
    principal = key_principal(*found) if found is not None else None
    if found is None or found[0].user_id is None:  # a person's key: never cached
        _key_cache.put(key_hash, principal, cache_s, stamp)
    return principal


def key_principal(key: ApiKey, user: User | None) -> Principal | None:
    """Who a stored key acts as, or None (revoked; its person gone, disabled, or of a role that
    leaves the key nothing to do). A key bound to a person acts with the smaller of its role and the
    person's current role (`service.core.access.key_role_for`), and with the person's current team."""
    if key.revoked_at is not None:
        return None
    if key.user_id is None:
        return Principal(key_id=key.id, org_id=key.org_id, role=key.role,
                         rate_limit_per_minute=key.rate_limit_per_minute)
    if user is None or user.disabled or user.org_id != key.org_id:
        return None
    role = key_role_for(key.role, user.role)
    if role is None:
        return None
    return Principal(key_id=key.id, org_id=key.org_id, role=role, user_id=user.id, team_id=user.team_id,
                     rate_limit_per_minute=key.rate_limit_per_minute)


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
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        try:
            session.close()
        except SQLAlchemyError as exc:  # the response has gone out; a connection the database dropped
            if not database_unavailable(exc):  # meanwhile is discarded by the pool, not an error for anyone
                raise


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
    revocations: KeyRevocations = request.app.state.key_revocations
    stamp = await revocations.astamp() if token and settings.key_cache_s > 0 else None
    hit, principal = _key_cache.get(hash_api_key(token.strip()), stamp) if token else (True, None)
    if not hit:
        principal = await run_in_threadpool(authenticate_key, request.app.state.engine, token,
                                            settings.key_cache_s, revocations)
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


class Allowed:
    """A route's permission as a dependency: `principal: Annotated[Principal, allowed_to("x")]` is the
    caller if their role may perform action "x", else 403. FastAPI runs dependencies before it
    validates the body, so the answer to a role that may not act never depends on what it sent;
    a body that is not JSON at all fails earlier, and `authorize_route` checks it then."""

    def __init__(self, action: str) -> None:
        roles_for(action)  # KeyError for an action the policy does not know
        self.action = action

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        require(principal, self.action)
        return principal


def allowed_to(action: str) -> Any:
    """`Depends(Allowed(action))`, for `Annotated[Principal, allowed_to(action)]`."""
    return Depends(Allowed(action))


def _route_guards(dependant: Any) -> tuple[bool, list[str]]:
    """Whether a route's dependencies authenticate the caller, and the actions they require."""
    authenticates, actions = False, []
    for dep in getattr(dependant, "dependencies", ()):
        if dep.call is get_principal:
            authenticates = True
        if isinstance(dep.call, Allowed):
            authenticates = True
            actions.append(dep.call.action)
        sub_auth, sub_actions = _route_guards(dep)
        authenticates, actions = authenticates or sub_auth, actions + sub_actions
    return authenticates, actions


async def authorize_route(request: Request) -> None:
    """Authenticate the caller and check the route's permissions, as its dependencies would have:
    for a request FastAPI refused before running them (a body that is not JSON). Raises the 401 or
    429 (`HTTPException`) or the 403 (`Forbidden`) the caller would get with a good body."""
    authenticates, actions = _route_guards(getattr(request.scope.get("route"), "dependant", None))
    if not authenticates:
        return
    principal = await get_principal(request)
    for action in actions:
        require(principal, action)

