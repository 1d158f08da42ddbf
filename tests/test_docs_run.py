"""The shell blocks the README marks `<!-- test: run -->` run as written against a real server."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MARK = "<!-- test: run -->"
MARK_LINE = re.compile(r"^" + re.escape(MARK) + r"$", re.M)
BLOCK = re.compile(r"^" + re.escape(MARK) + r"\s*\n```(?:bash|sh|shell)\n(.*?)\n```", re.S | re.M)
DOCUMENTED_PORT = "8000"


def runnable_blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)
    assert len(blocks) == len(MARK_LINE.findall(text)), f"{path.name}: a '{MARK}' is not followed by a bash block"
    return blocks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_blocks(blocks: list[str], tmp: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `blocks` in one bash (-euo pipefail) from the repository root, with `talktrack` on PATH
    meaning this checkout, data in `tmp` and the documented port replaced by a free one."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "talktrack"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m service.cli "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    port = str(free_port())
    # On an early exit (set -e) the trap stops what the blocks started in the background.
    script = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + "\n".join(blocks).replace(f":{DOCUMENTED_PORT}", f":{port}").replace(
        f"--port {DOCUMENTED_PORT}", f"--port {port}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKTRACK_")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(REPO),
               TALKTRACK_DATA_DIR=str(tmp / "data"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    proc = subprocess.Popen(["bash", "-c", script], cwd=REPO, env=env, text=True, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        out = ""
    finally:  # the background server too, whatever happened
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, "")


def test_readme_marks_the_cli_and_api_blocks() -> None:
    blocks = runnable_blocks(REPO / "README.md")
    assert len(blocks) == 2
    assert any("talktrack serve" in b and "revoke-key" in b for b in blocks)


def test_readme_blocks_run_as_written(tmp_path: Path) -> None:
    result = run_blocks(runnable_blocks(REPO / "README.md"), tmp_path)
    out = result.stdout
    assert result.returncode == 0, out[-4000:]
    assert "Alex Rivera" in out and "talk ratio" in out.lower()  # the CLI scorecard of the transcript
    assert '"status":"done"' in out, out[-4000:]  # the rep's own key read the analysed call
    assert '"suggestions"' in out or '"items"' in out, out[-4000:]
    assert "WEBVTT" in out and "<v Alex Rivera" in out
    assert '"applies_to_calls":1' in out.replace(" ", "")
    assert "\n401\n" in out, out[-2000:]  # the revoked key is refused


@pytest.mark.parametrize("page", sorted(p.name for p in (REPO / "docs").glob("*.md")))
def test_docs_marked_blocks_run(page: str, tmp_path: Path) -> None:
    blocks = runnable_blocks(REPO / "docs" / page)
    if not blocks:
        return
    result = run_blocks(blocks, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
