"""`talktrack admin` bootstraps a working key from nothing: each command's last line is the id or
key alone, and the key works against a real server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", "admin", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_admin_bootstrap_and_key_works(tmp_path: Path, h: Any, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
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

    # Mistakes: one clear line, exit code 2 (in-process: the same `main()` as the console script).
    from service.cli import main
    from service.core.config import get_settings

    monkeypatch.setenv("TALKTRACK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        assert main(["admin", "create-key", "--org", org_id, "--role", "coach"]) == 2
        assert "pass --user" in capsys.readouterr().err
        assert main(["admin", "create-user", "--org", "nope", "--name", "X"]) == 2
        assert "no organization with id nope" in capsys.readouterr().err
        with pytest.raises(SystemExit) as exc:
            main(["admin", "create-key", "--org", org_id, "--role", "owner"])
        assert exc.value.code == 2 and "invalid choice" in capsys.readouterr().err
        with pytest.raises(SystemExit):
            main(["admin", "create-key", "--help"])
        helptext = capsys.readouterr().out
        assert "--role" in helptext and "integration" in helptext and "--user" in helptext
    finally:
        get_settings.cache_clear()

    # Only the hash is stored.
    db = (tmp_path / "data" / "talktrack.db").read_bytes()
    assert key.encode() not in db

    stack, _ = h.make_stack("sqlite", tmp_path)
    stack.start_server(via_cli=True)
    try:
        r = httpx.get(f"{stack.url}/v1/calls", headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert r.status_code == 200 and r.json()["items"] == []
    finally:
        stack.stop()
