"""One analysed call behind the app, for page tests that need no browser: an organization, an admin
signed in through the login form, an integration key for the API, and a call whose stored analysis
is the one the test wrote."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ADMIN_EMAIL = "admin@example.test"
ADMIN_PASSWORD = "correct horse battery staple"  # noqa: S105 (a test account)
# Two words, one per speaker: enough for the call page to draw its lanes and transcript.
HELLO_WORDS: dict[str, Any] = {
    "words": [{"start": 0.0, "end": 0.5, "word": "Hello", "speaker": "S1"},
              {"start": 3.0, "end": 3.5, "word": "Hi", "speaker": "S2"}],
    "turns": [{"speaker": "S1", "start": 0.0, "end": 0.5, "text": "Hello"},
              {"speaker": "S2", "start": 3.0, "end": 3.5, "text": "Hi"}],
}


@contextmanager
def signed_in_call(tmp_path: Path, analysis: dict[str, Any], *, title: str,
                   media_kind: str) -> Iterator[tuple[Any, str, str]]:
    """(a TestClient signed in as the admin, the call's id, the integration key's secret)."""
    from fastapi.testclient import TestClient

    from models import Call, CallResult
    from service.api.main import create_app
    from service.core.accounts import create_key, create_org, create_user
    from service.core.config import Settings
    from service.core.db import session_scope
    from service.core.sessions import set_password

    settings = Settings(data_dir=tmp_path, login_attempts_per_minute=100, key_cache_s=0)
    with TestClient(create_app(settings, start_executor=False)) as client:
        with session_scope(settings) as s:
            org = create_org(s, "Acme")
            admin = create_user(s, org.id, "Ada Admin", email=ADMIN_EMAIL, role="admin")
            set_password(s, admin, ADMIN_PASSWORD)
            secret = create_key(s, org.id, "integration").secret
            call = Call(org_id=org.id, title=title, media_kind=media_kind, status="done",
                        started_at=datetime(2026, 11, 10, 15, tzinfo=UTC), duration_s=600.0)
            s.add(call)
            s.flush()
            call_id = call.id
            s.add(CallResult(call_id=call_id, analysis_json=json.dumps(analysis)))
            s.commit()
        token = re.search(r'name="prelogin" value="([^"]+)"', client.get("/login").text)
        assert token
        client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "prelogin": token.group(1)})
        yield client, call_id, secret
