"""`talktrack analyze --format brief` and `--date`, as a user runs them: a real process, real files."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "discovery_call.vtt"
SCHEMA = json.loads((ROOT / "nlp" / "analysis.schema.json").read_text())


def talktrack(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def test_brief_format_with_a_given_date() -> None:
    result = talktrack("analyze", SAMPLE, "--format", "brief", "--date", "2026-12-07", "--no-progress")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert lines[:2] == ["Call brief: discovery_call.vtt", "Call date: Mon 2026-12-07 (given with --date)"]
    assert "Chapters" in lines and "Next steps" in lines and "Competitors" in lines
    assert "     2:25  Rep: I'll send the proposal by Friday, with a two year option (due Fri 2026-12-11)" in lines
    assert any(line.startswith("     2:29  Both: let's book a follow-up next Thursday") and
               line.endswith("(due Thu 2026-12-17)") for line in lines)
    assert '     1:56  "It\'s sixty dollars per seat per month, billed annually, with onboarding included" [amount 60]' \
        in lines
    chapters = lines[lines.index("Chapters") + 1 : lines.index("Chapters") + 3]
    assert chapters[0].startswith("     0:00-") and chapters[1].split()[0].endswith("-2:44")
    email = lines.index("Follow-up e-mail draft (edit before sending)")
    assert lines[email + 1] == "Subject: Following up on our call on Monday, December 7"
    assert "Hi Jordan," in lines[email:] and lines[-1] == "Alex Rivera"
    assert "Traceback" not in result.stderr


def test_the_files_date_is_the_default(tmp_path: Path) -> None:
    call = tmp_path / "call.vtt"
    shutil.copy(SAMPLE, call)
    friday = dt.datetime(2026, 11, 13, 12, 0).timestamp()  # a Friday
    os.utime(call, (friday, friday))
    result = talktrack("analyze", call, "--format", "brief", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "Call date: Fri 2026-11-13 (the file's modification date)" in result.stdout
    # "by Friday" said on a Friday is the next Friday.
    assert "with a two year option (due Fri 2026-11-20)" in result.stdout


def test_json_carries_the_brief() -> None:
    result = talktrack("analyze", SAMPLE, "--format", "json", "--date", "2026-12-07", "--no-progress")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    brief = data["brief"]
    assert (brief["call_date"], brief["call_date_source"]) == ("2026-12-07", "argument")
    steps = [i for i in brief["items"] if i["kind"] == "next_step"]
    assert [(s["owner"], s["due"]) for s in steps] == [("rep", "2026-12-11"), ("both", "2026-12-17")]
    assert brief["email"]["subject"] == "Following up on our call on Monday, December 7"


def test_a_bad_date_is_a_clear_usage_error() -> None:
    for bad in ("2026-02-30", "12/07/2026", "next friday"):
        result = talktrack("analyze", SAMPLE, "--format", "brief", "--date", bad)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert f"argument --date: not a date in the form YYYY-MM-DD: {bad!r}" in result.stderr
        assert result.stdout == ""
