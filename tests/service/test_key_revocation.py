"""A revoked API key is refused on the next request, by every API process, with the key cache on.

The server caches keys of no person for `TALKTRACK_KEY_CACHE_S` (60 s here, far longer than the
test); the revocation happens in this process (as `talktrack admin revoke-key` does), so the server
can learn it only through the revocation stamp (`service.core.key_revocations`): a file in the data
directory on SQLite, a Redis counter with the PostgreSQL + Redis stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stack(request: pytest.FixtureRequest, h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with h.running_stack(request.param, tmp_path_factory.mktemp(f"revoke-{request.param}"),
                         {"TALKTRACK_KEY_CACHE_S": "60"}) as stack:
        yield stack


def _new_key(stack: Any, role: str) -> tuple[str, str]:
    from service.core.accounts import create_key
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        created = create_key(s, stack.ids["org_a"], role)
    return created.row.id, created.secret


def test_a_revoked_key_is_refused_on_the_next_request_with_the_cache_on(stack: Any) -> None:
    from service.core.accounts import revoke_key
    from service.core.db import session_scope
    from service.core.key_revocations import KeyRevocations

    key_id, secret = _new_key(stack, "integration")
    other_id, other = _new_key(stack, "integration")
    revocations = KeyRevocations(stack.settings())
    assert revocations.can_cache
    with stack.client() as c:
        auth, other_auth = {"Authorization": f"Bearer {secret}"}, {"Authorization": f"Bearer {other}"}
        for _ in range(3):  # cached now, under the current stamp
            assert c.get("/v1/calls", headers=auth).status_code == 200
            assert c.get("/v1/calls", headers=other_auth).status_code == 200
        before = revocations.stamp()
        with session_scope(stack.settings()) as s:
            revoke_key(s, key_id, revocations)
        assert revocations.stamp() != before
        r = c.get("/v1/calls", headers=auth)
        assert r.status_code == 401, r.text
        # The other key is looked up again and still works; the revoked one stays refused.
        assert c.get("/v1/calls", headers=other_auth).status_code == 200
        assert c.get("/v1/calls", headers=auth).status_code == 401
        assert other_id != key_id


def test_the_cli_revocation_reaches_the_running_server(stack: Any) -> None:
    import os
    import subprocess
    import sys

    key_id, secret = _new_key(stack, "admin")
    with stack.client() as c:
        auth = {"Authorization": f"Bearer {secret}"}
        assert c.get("/v1/calls", headers=auth).status_code == 200
        done = subprocess.run([sys.executable, "-m", "service.cli", "admin", "revoke-key", key_id],
                              env={**os.environ, **stack.env}, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert f"revoked key {key_id}" in done.stdout
        assert c.get("/v1/calls", headers=auth).status_code == 401
