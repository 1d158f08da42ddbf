"""An organization's tracker definitions change how its uploads are analysed, and no one else's."""

from __future__ import annotations

from typing import Any

import httpx


def _fresh_org_admin(stack: Any) -> str:
    from service.core.accounts import create_key, create_org
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        org = create_org(s, "Org with its own trackers")
        return create_key(s, org.id, "admin").secret


def _tracker_names(client: httpx.Client, h: Any) -> set[str]:
    r = h.upload(client, rep="Dana")
    assert r.status_code == 202, r.text
    call = h.wait_status(client, r.json()["id"])
    assert call["status"] == "done", call["error"]
    return {hit["tracker"] for hit in call["analysis"]["trackers"]}


def test_org_trackers_replace_and_extend_the_built_ins(stack: Any, h: Any) -> None:
    key = _fresh_org_admin(stack)
    with httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
        # Bob says "the price of our current tool": the built-in pricing tracker catches it.
        assert "pricing" in _tracker_names(c, h)
        assert (
            c.post("/v1/trackers", json={"name": "pricing", "phrases": ["x"], "enabled": False}).status_code
            == 201
        )
        created = c.post(
            "/v1/trackers", json={"name": "shadowing", "phrases": ["shadowing"], "speaker_role": "customer"}
        )
        assert created.status_code == 201, created.text
        names = _tracker_names(c, h)
    assert "shadowing" in names and "pricing" not in names
    with stack.client("admin") as other:  # another organization keeps the built-in trackers
        assert "shadowing" not in _tracker_names(other, h)
