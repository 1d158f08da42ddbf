"""`talktrack admin` bootstraps a working key from nothing: each command's last line is the id or
key alone, and the key works against a real server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", "admin", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_admin_bootstrap_and_key_works(tmp_path: Path, h: Any) -> None:
    env = {**os.environ, "TALKTRACK_DATA_DIR": str(tmp_path / "data")}
    env.pop("TALKTRACK_DATABASE_URL", None)
    org = _run(env, "create-org", "Acme Inc")
    assert org.returncode == 0, org.stderr
    org_id = org.stdout.strip().splitlines()[-1]
    assert len(org_id) == 32 and "Acme Inc" in org.stdout
    team_id = _run(env, "create-team", "--org", org_id, "East").stdout.strip().splitlines()[-1]
    user = _run(env, "create-user", "--org", org_id, "--name", "Dana", "--team", team_id)
    user_id = user.stdout.strip().splitlines()[-1]
    rep_key = _run(env, "create-key", "--org", org_id, "--role", "rep", "--user", user_id).stdout
    key = rep_key.strip().splitlines()[-1]
    assert key.startswith("tt_") and len(key) > 40

    missing_user = _run(env, "create-key", "--org", org_id, "--role", "coach")
    assert missing_user.returncode == 2 and "--user" in missing_user.stderr
    assert "Traceback" not in missing_user.stderr
    bad_org = _run(env, "create-user", "--org", "nope", "--name", "X")
    assert bad_org.returncode == 2 and "no organization" in bad_org.stderr
    bad_role = _run(env, "create-key", "--org", org_id, "--role", "owner")
    assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr
    helptext = _run(env, "create-key", "--help").stdout
    assert "--role" in helptext and "integration" in helptext and "--user" in helptext

    # Only the hash is stored.
    db = (tmp_path / "data" / "talktrack.db").read_bytes()
    assert key.encode() not in db

    stack, _ = h.make_stack("sqlite", tmp_path)
    stack.start_server()
    try:
        r = httpx.get(f"{stack.url}/v1/calls", headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert r.status_code == 200 and r.json()["items"] == []
    finally:
        stack.stop()
