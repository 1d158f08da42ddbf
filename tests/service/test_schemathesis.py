"""Property-based API fuzzing with Schemathesis against the OpenAPI schema of a real server
(SQLite backend), with every check (`--checks all`): no server error (5xx), no response that breaks
its documented schema or status codes, no schema-valid request refused (beyond the cross-field rules
listed in schemathesis.toml) and no invalid one accepted. Bounded examples keep it under two minutes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_no_server_errors(stack: Any, tmp_path: Path) -> None:
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    assert st, "schemathesis is a dev dependency (pip install -e '.[dev]')"
    from service.core.accounts import create_key
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:  # its own key, so the fuzzing is not throttled to 429s
        key = create_key(s, stack.ids["org_a"], "admin", rate_limit_per_minute=1_000_000).secret
    report = tmp_path / "junit.xml"
    config = Path(__file__).with_name("schemathesis.toml")
    cmd = [st, "--config-file", str(config), "run", f"{stack.url}/openapi.json", "--checks", "all",
           "--phases", "examples,coverage,fuzzing", "--max-examples", "15", "--workers", "2",
           "--generation-deterministic", "--request-timeout", "30", "--no-color",
           "-H", f"Authorization: Bearer {key}", "--report", "junit",
           "--report-junit-path", str(report)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    out = proc.stdout + proc.stderr
    (tmp_path / "schemathesis.txt").write_text(out)  # the whole report, for a failing run
    print(out[-2500:])  # the summary, shown with -s or on failure
    assert proc.returncode == 0, out[-6000:]
    assert "No issues found" in out or "passed" in out, out[-3000:]
    # Whatever it sent, the server is still healthy and answering.
    with stack.client("admin") as c:
        assert c.get("/healthz").status_code == 200
