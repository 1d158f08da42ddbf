"""`talktrack admin backfill-briefs` on a real server's database, both backends: calls stored as a
version before briefs stored them (no `brief` in the analysis JSON, the brief's columns NULL, no
brief kinds in the search text) get a real brief built from their stored transcript, the search
finds them by its kinds, `--dry-run` writes nothing, `--limit` stops early, a call whose stored
analysis is corrupt is reported and skipped without stopping the others, a second run does nothing,
and each run is in the audit trail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from devstack.deals import SeedCall, store_calls

# A next step with a due day ("by Friday") and a budget said without the word "budget" (so that only
# the brief's kinds in the search text let "budget" find the call).
VTT = """WEBVTT

00:00:00.000 --> 00:00:05.000
<v Dana>Hi Bob, thanks for making the time today. What are your main goals for this quarter?

00:00:05.500 --> 00:00:14.000
<v Bob>We want to cut onboarding time in half. Right now it takes about six weeks and the team hates it.

00:00:14.500 --> 00:00:18.000
<v Dana>How much have you set aside for a tool like this?

00:00:18.500 --> 00:00:24.000
<v Bob>We have about forty thousand dollars set aside for this, max.

00:00:24.500 --> 00:00:31.000
<v Dana>Understood. I'll send you the proposal by Friday.

00:00:31.500 --> 00:00:34.000
<v Bob>Great, thanks.
"""
MONDAY = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # the calls' recording time: "by Friday" is 2026-12-11


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stack(request: pytest.FixtureRequest, h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server of its own: the command works on every call of the database."""
    with h.running_stack(request.param, tmp_path_factory.mktemp(f"backfill-{request.param}")) as s:
        yield s


def _admin(stack: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", "admin", "backfill-briefs", *args], env=stack.env,
                          capture_output=True, text=True, timeout=300)


def _rows(stack: Any, call_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each call's `callresult` row and search text, as stored."""
    from sqlmodel import col, select

    from models import CallResult, CallText
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        rows = s.exec(select(CallResult).where(col(CallResult.call_id).in_(call_ids))).all()
        texts = {t.call_id: t.body for t in s.exec(select(CallText).where(col(CallText.call_id).in_(call_ids)))}
        return {r.call_id: {"analysis_json": r.analysis_json, "brief_json": r.brief_json,
                            "customer_talk_share": r.customer_talk_share, "customer_questions": r.customer_questions,
                            "speaker_names": r.speaker_names, "updated_at": r.updated_at,
                            "text": texts.get(r.call_id)} for r in rows}


def _as_before_briefs(stack: Any, call_ids: list[str], analysis_json: dict[str, str] | None = None) -> None:
    """Leave the calls' rows as a version before migration 0010 left them: the brief's columns NULL
    (`store_calls` already stored analyses without a `brief` and search texts without its kinds);
    `analysis_json` replaces a call's analysis JSON as given (a corrupt one)."""
    from sqlalchemy import update
    from sqlmodel import col

    from models import CallResult
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        s.exec(update(CallResult).where(col(CallResult.call_id).in_(call_ids)).values(
            brief_json=None, customer_talk_share=None, customer_questions=None, speaker_names=None))
        for call_id, text in (analysis_json or {}).items():
            s.exec(update(CallResult).where(col(CallResult.call_id) == call_id).values(analysis_json=text))
        s.commit()


def _found(c: Any, query: str) -> set[str]:
    r = c.get("/v1/calls", params={"q": query, "limit": 200})
    assert r.status_code == 200, r.text
    return {x["id"] for x in r.json()["items"]}


def test_backfill_builds_stores_and_indexes_the_missing_briefs(stack: Any, h: Any) -> None:
    ids = stack.ids
    with stack.client("rep1") as c:
        control = h.upload(c, VTT, title="analysed today").json()["id"]  # has its brief: never touched
        body = h.wait_status(c, control)
    assert body["status"] == "done", body
    base: dict[str, Any] = body["analysis"]
    assert {i["kind"] for i in base["brief"]["items"]} >= {"budget", "next_step"}

    seed = {"org_id": ids["org_a"], "team_id": ids["team1"], "rep_user_id": ids["rep1"], "started_at": MONDAY,
            "deal_id": None}
    first, corrupt, last = store_calls(stack.settings(), base, [SeedCall(**seed, title=f"old {n}") for n in range(3)])
    old = [first, corrupt, last]
    healthy_json = _rows(stack, [corrupt])[corrupt]["analysis_json"]
    assert '"brief"' not in healthy_json  # stored as before briefs: the analysis JSON has no `brief` key
    truncated = healthy_json[: len(healthy_json) // 2]  # a write cut short
    _as_before_briefs(stack, old, {corrupt: truncated})
    before = _rows(stack, old + [control])
    assert [before[x]["brief_json"] for x in old] == [None, None, None]
    assert before[control]["brief_json"] is not None

    with stack.client("rep1") as c:
        r = c.get(f"/v1/calls/{first}/brief")
        assert r.status_code == 200 and r.json()["brief"] is None and r.json()["note"], r.text
        assert _found(c, "budget") & set(old) == set()  # the transcripts never say "budget"

    # --dry-run counts and writes nothing.
    dry = _admin(stack, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == "dry run: 3 done call(s) have no brief; nothing was written"
    dry_org = _admin(stack, "--dry-run", "--org", ids["org_b"])
    assert dry_org.stdout.strip() == f"dry run: 0 done call(s) in organization {ids['org_b']} have no brief; " \
                                     "nothing was written"
    assert _rows(stack, old + [control]) == before

    # --limit 1: the oldest call only.
    one = _admin(stack, "--limit", "1", "--org", ids["org_a"])
    assert one.returncode == 0, one.stderr
    lines = one.stdout.strip().splitlines()
    assert lines[0].startswith(f"1 of 1  {first}  brief with ") and lines[0].endswith(" item(s)"), one.stdout
    assert lines[-1] == f"built 1 brief(s) of 1 call(s) in organization {ids['org_a']}"

    # The rest: the corrupt call is reported and skipped, the one after it still gets its brief.
    rest = _admin(stack)
    assert rest.returncode == 1, rest.stdout + rest.stderr
    assert f"1 of 2  {corrupt}  skipped: its stored analysis is not JSON" in rest.stderr
    out = rest.stdout.strip().splitlines()
    assert out[0].startswith(f"2 of 2  {last}  brief with "), rest.stdout
    assert out[-1] == "built 1 brief(s) of 2 call(s); 1 skipped (see above), run again after fixing them"

    after = _rows(stack, old + [control])
    assert after[corrupt] == before[corrupt]  # nothing half-written
    assert after[control] == before[control]
    for call_id in (first, last):
        row = after[call_id]
        stored = json.loads(row["analysis_json"])
        brief = json.loads(row["brief_json"])
        assert stored["brief"] == brief
        # Only the brief was added: the stored transcript and findings are as they were.
        assert {k: v for k, v in stored.items() if k != "brief"} == json.loads(before[call_id]["analysis_json"])
        assert (brief["call_date"], brief["call_date_source"]) == ("2026-12-07", "recorded_at")
        budget = [i for i in brief["items"] if i["kind"] == "budget"]
        assert [(i["text"], i["amount"], i["role"]) for i in budget] == [
            ("We have about forty thousand dollars set aside for this, max", 40000.0, "customer")]
        steps = [i for i in brief["items"] if i["kind"] == "next_step"]
        assert [(i["text"], i["owner"], i["due"], i["date_phrase"]) for i in steps] == [
            ("I'll send you the proposal by Friday", "rep", "2026-12-11", "by Friday")]
        assert brief["chapters"] and brief["email"]["subject"]
        assert "budget" in row["text"].splitlines()[-1].split()  # the brief's kinds, after the transcript
        assert row["speaker_names"] == ["Dana", "Bob"] and row["customer_questions"] is not None
        assert row["customer_talk_share"] is not None
        assert row["updated_at"] > before[call_id]["updated_at"]
    # The brief built now is the brief an analysis builds today (the control call's, same words and day).
    assert [(i["kind"], i["text"]) for i in json.loads(after[first]["brief_json"])["items"]] == [
        (i["kind"], i["text"]) for i in base["brief"]["items"]]

    with stack.client("rep1") as c:
        r = c.get(f"/v1/calls/{first}/brief")
        assert r.status_code == 200 and r.json()["note"] is None, r.text
        stored_brief = json.loads(after[first]["brief_json"])
        assert {k: r.json()["brief"][k] for k in stored_brief} == stored_brief and stored_brief["items"]
        assert {first, last} <= _found(c, "budget") and corrupt not in _found(c, "budget")
        assert {first, last} <= _found(c, "next step")

    # Idempotent: a second run finds only the corrupt call (again skipped) and touches nothing else.
    again = _admin(stack)
    assert again.returncode == 1
    assert f"1 of 1  {corrupt}  skipped: its stored analysis is not JSON" in again.stderr
    assert _rows(stack, old + [control]) == after

    # Repaired, it gets its brief; then there is nothing left to do.
    _as_before_briefs(stack, [], {corrupt: healthy_json})
    fixed = _admin(stack, "--org", ids["org_a"])
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.strip().splitlines()[0].startswith(f"1 of 1  {corrupt}  brief with ")
    done = _admin(stack)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "no done call lacks a brief; nothing to do", "")
    assert _admin(stack, "--dry-run").stdout.strip() == "dry run: 0 done call(s) have no brief; nothing was written"
    final = _rows(stack, old + [control])
    assert all(final[x]["brief_json"] for x in old)
    assert {x: final[x] for x in (first, last, control)} == {x: after[x] for x in (first, last, control)}

    # Each run that did something is in the audit trail, by the command line, with its counts.
    with stack.client("admin") as admin:
        r = admin.get("/v1/audit", params={"action": "brief.backfill", "limit": 50})
        assert r.status_code == 200, r.text
        events = r.json()["items"][::-1]  # oldest first
    assert [(e["via"], e["detail"]) for e in events] == [
        ("cli", {"calls": 1, "skipped": 0}), ("cli", {"calls": 1, "skipped": 1}), ("cli", {"calls": 0, "skipped": 1}),
        ("cli", {"calls": 1, "skipped": 0})]
    assert all(e["actor_label"].startswith("cli:") for e in events)


def test_backfill_refuses_bad_arguments(stack: Any) -> None:
    no_org = _admin(stack, "--org", "nope")
    assert (no_org.returncode, no_org.stderr.strip()) == (2, "talktrack: error: no organization with id nope")
    zero = _admin(stack, "--limit", "0")
    assert zero.returncode == 2 and "--limit: give a number of calls of 1 or more" in zero.stderr
