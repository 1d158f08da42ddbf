"""Retention and deletion against a real server: SQLite (embedded worker), PostgreSQL (Celery worker,
Redis) and SQLite with its audio in S3 (moto's server). The sweeper applies an organization's
policy (recordings after N days, transcripts and analyses after M), the call rows stay and say so;
`POST /v1/forget` and `talktrack admin forget` delete a call, a deal or everything about a person
from storage and from every table, and each leaves a tombstone of ids and counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

GARBAGE_WAV = b"RIFF....WAVEfmt " + bytes(range(256)) * 4  # stored as a recording, never decodes
NORA_VTT_NAME = "Nora Quist"


@pytest.fixture(scope="module", params=["sqlite", "postgres", "s3"])
def rig(request: pytest.FixtureRequest, h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server of its own (the tests age calls and delete people) and how to list its objects."""
    tmp = tmp_path_factory.mktemp(f"retention-{request.param}")
    env = {"TALKTRACK_RETENTION_INTERVAL_S": "1"}
    bucket = None
    if request.param == "s3":
        s3 = request.getfixturevalue("s3_server")
        bucket = s3.new_bucket()
        env.update(s3.env(bucket))
    kind = "postgres" if request.param == "postgres" else "sqlite"
    with h.running_stack(kind, tmp, env) as stack:
        def objects(call_id: str) -> list[str]:
            if bucket is not None:
                return [k for k in request.getfixturevalue("s3_server").keys(bucket) if f"/calls/{call_id}/" in k]
            folder = stack.settings().resolved_audio_dir() / "calls" / call_id
            return sorted(str(p) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []

        yield {"stack": stack, "objects": objects, "kind": request.param}


def _age(stack: Any, call_ids: list[str], days: float) -> None:
    """Make calls look stored `days` ago (what a real year of waiting would do)."""
    from sqlalchemy import update
    from sqlmodel import col

    from models import Call
    from models.base import utcnow
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        s.exec(update(Call).where(col(Call.id).in_(call_ids)).values(created_at=utcnow() - timedelta(days=days)))
        s.commit()


def _rows_naming(stack: Any, call_ids: list[str]) -> dict[str, int]:
    """Rows in any table whose `call_id` (or the call table's id) is one of `call_ids`."""
    from sqlalchemy import func, select
    from sqlmodel import SQLModel

    from service.core.db import session_scope

    found: dict[str, int] = {}
    with session_scope(stack.settings()) as s:
        for table in SQLModel.metadata.sorted_tables:
            column = table.c.get("call_id") if table.name != "call" else table.c.id
            if column is None:
                continue
            n = s.execute(select(func.count()).select_from(table).where(column.in_(call_ids))).scalar_one()
            if n:
                found[table.name] = int(n)
    return found


def _upload_done(h: Any, c: httpx.Client, text: str | None = None, **fields: str) -> str:
    r = h.upload(c, text or h.vtt, **fields)
    assert r.status_code == 202, r.text
    call_id: str = r.json()["id"]
    assert h.wait_status(c, call_id)["status"] == "done"
    return call_id


def _upload_failed_audio(h: Any, c: httpx.Client) -> str:
    r = h.upload(c, GARBAGE_WAV, "meeting.wav", "audio/wav")
    assert r.status_code == 202, r.text
    call_id: str = r.json()["id"]
    assert h.wait_status(c, call_id)["status"] == "failed"
    return call_id


def _wait(predicate: Any, what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{what}: not after {timeout} s")


def _web(stack: Any, user_id: str) -> httpx.Client:
    from sqlmodel import Session

    from models import User
    from service.core.db import get_engine
    from service.core.sessions import SESSION_COOKIE, start_session

    with Session(get_engine(stack.settings())) as session:
        user = session.get(User, user_id)
        assert user is not None
        token = start_session(session, user, hours=1).token
    return httpx.Client(base_url=stack.url, cookies={SESSION_COOKIE: token}, timeout=30)


def test_the_sweeper_applies_the_retention_policy(rig: dict[str, Any], h: Any) -> None:
    stack, objects = rig["stack"], rig["objects"]
    with stack.client("rep1") as c:
        old_vtt = _upload_done(h, c, title="old transcript")
        old_audio = _upload_failed_audio(h, c)
        recent = _upload_done(h, c, title="recent")
    assert objects(old_vtt) and objects(old_audio) and objects(recent)
    with stack.client("admin") as admin:
        assert admin.get("/v1/retention").json() == {"audio_days": None, "analysis_days": None}
        r = admin.put("/v1/retention", json={"audio_days": 30, "analysis_days": 60})
        assert r.status_code == 200, r.text
        _age(stack, [old_vtt, old_audio], days=90)
        expired = _wait(lambda: admin.get(f"/v1/calls/{old_vtt}").json()["analysis_expired_at"], "analysis expired")
        assert expired
        body = admin.get(f"/v1/calls/{old_audio}").json()
        assert body["audio_expired_at"] and body["status"] == "failed"
        assert admin.get(f"/v1/calls/{old_vtt}").json()["analysis"] is None
        r = admin.get(f"/v1/calls/{old_vtt}/transcript")
        assert r.status_code == 409 and "deleted on" in r.json()["detail"] and "retention policy" in r.json()["detail"]
        assert admin.get(f"/v1/calls/{recent}").json()["analysis"] is not None  # younger than the policy
        found = {c["id"] for c in admin.get("/v1/calls", params={"q": "onboarding"}).json()["items"]}
        assert recent in found and old_vtt not in found  # out of the search index
        stones = admin.get("/v1/tombstones", params={"kind": "retention"}).json()
        assert stones["total"] >= 1
        stone = stones["items"][0]
        assert {old_vtt, old_audio} <= set(stone["call_ids"]) and recent not in stone["call_ids"]
        assert stone["by_label"] == "retention policy" and stone["via"] == "system"
        assert stone["counts"]["recordings"] == 1 and stone["counts"]["analyses"] == 1
        assert stone["counts"]["callresult"] == 1 and stone["counts"]["objects"] == 2
        events = admin.get("/v1/audit", params={"action": "retention."}).json()["items"]
        assert [e["action"] for e in events][:2] == ["retention.delete", "retention.update"]
        assert events[1]["detail"] == {"audio_days": [None, 30], "analysis_days": [None, 60]}
    assert objects(old_vtt) == [] and objects(old_audio) == [] and objects(recent)
    left = _rows_naming(stack, [old_vtt, old_audio])
    assert left.get("call") == 2 and set(left) <= {"call", "job"}, left  # the rows stay, marked; jobs stay
    with _web(stack, stack.ids["coach"]) as web:
        page = web.get(f"/calls/{old_vtt}")
        assert page.status_code == 200 and 'id="retention-note"' in page.text
        assert "transcript and analysis were deleted on" in page.text
        audio = web.get(f"/calls/{old_audio}/audio")
        assert audio.status_code == 404 and "recording was deleted on" in audio.text
    with stack.client("admin") as admin:  # forever again: nothing more is deleted
        assert admin.put("/v1/retention", json={"audio_days": None, "analysis_days": None}).status_code == 200


def _make_people(stack: Any) -> dict[str, Any]:
    from models import VoiceProfile
    from service.core.accounts import create_key, create_user
    from service.core.db import session_scope
    from service.core.sessions import create_invite, start_session

    with session_scope(stack.settings()) as s:
        nora = create_user(s, stack.ids["org_a"], NORA_VTT_NAME, team_id=stack.ids["team1"],
                           email=f"nora-{time.time_ns()}@example.test")
        owen = create_user(s, stack.ids["org_a"], "Owen", team_id=stack.ids["team1"], role="coach")
        ada = create_user(s, stack.ids["org_a"], "Ada", role="admin")
        keys = {"nora": create_key(s, stack.ids["org_a"], "rep", user_id=nora.id).secret,
                "owen": create_key(s, stack.ids["org_a"], "coach", user_id=owen.id).secret}
        s.add(VoiceProfile(org_id=nora.org_id, user_id=nora.id, name="Nora (linked)", embedding=[0.1] * 192,
                           encoder="campplus-cn-en-common-192"))
        s.add(VoiceProfile(org_id=nora.org_id, name=NORA_VTT_NAME, embedding=[0.2] * 192,
                           encoder="campplus-cn-en-common-192"))
        s.commit()
        start_session(s, nora, hours=1)
        create_invite(s, nora, 1)
        return {"nora": nora.id, "owen": owen.id, "ada": ada.id, "keys": keys}


def _client(stack: Any, key: str) -> httpx.Client:
    return httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


def test_forgetting_a_person_removes_them_everywhere(rig: dict[str, Any], h: Any) -> None:
    stack, objects = rig["stack"], rig["objects"]
    people = _make_people(stack)
    with _client(stack, people["keys"]["nora"]) as nora:
        own = [_upload_done(h, nora, title="Nora's first"), _upload_done(h, nora, title="Nora's second")]
    with stack.client("rep1") as c:  # Dana's call, where Nora spoke (a speaker label with her name)
        other = _upload_done(h, c, h.vtt.replace("<v Bob>", f"<v {NORA_VTT_NAME}>"), title="with Nora")
    with _client(stack, people["keys"]["owen"]) as owen:  # the coach comments on Dana's call
        r = owen.post(f"/v1/calls/{other}/scorecards",
                      json={"comments": [{"text": "Owen says: ask about budget earlier"}]})
        assert r.status_code == 201, r.text
    with stack.client("admin") as admin:
        r = admin.post("/v1/forget", json={"user_id": people["nora"]})
        assert r.status_code == 200, r.text
        stone = r.json()
        assert stone["kind"] == "person" and stone["subject_id"] == people["nora"]
        assert sorted(stone["call_ids"]) == sorted(own)
        counts = stone["counts"]
        assert counts["call"] == 2 and counts["objects"] == 2 and counts["user"] == 1 and counts["apikey"] == 1
        assert counts["voiceprofile"] == 2 and counts["websession"] == 1 and counts["invite"] == 1
        assert counts["speaker_labels"] == 1
        assert NORA_VTT_NAME not in str(stone)  # ids and counts only
        for call_id in own:
            assert admin.get(f"/v1/calls/{call_id}").status_code == 404
        speakers = admin.get(f"/v1/calls/{other}").json()["analysis"]["speakers"]
        assert [s["name"] for s in speakers if s["role"] == "customer"] == [None]
        assert admin.post("/v1/forget", json={"user_id": people["nora"]}).status_code == 404  # gone already

        r = admin.post("/v1/forget", json={"user_id": people["owen"]})  # the coach: his comment goes
        assert r.status_code == 200 and r.json()["counts"]["scorecard_comments"] == 1 and r.json()["call_ids"] == []
        card = admin.get(f"/v1/calls/{other}/scorecard").json()
        assert card["comments"] == [] and other not in r.json()["call_ids"]
        assert admin.get(f"/v1/calls/{other}").status_code == 200  # Dana's call stays

        r = admin.post("/v1/forget", json={"user_id": people["ada"]})  # the only admin person
        assert r.status_code == 422 and "only admin" in r.json()["detail"]
    with _client(stack, people["keys"]["nora"]) as nora:
        assert nora.get("/v1/calls").status_code == 401  # her key went with her
    assert all(objects(c) == [] for c in own)
    assert _rows_naming(stack, own) == {}
    from sqlmodel import select

    from models import User, VoiceProfile
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        assert s.get(User, people["nora"]) is None
        names = set(s.exec(select(VoiceProfile.name)).all())
        assert not names & {NORA_VTT_NAME, "Nora (linked)"}


def test_forgetting_a_deal_and_a_call(rig: dict[str, Any], h: Any) -> None:
    stack, objects = rig["stack"], rig["objects"]
    deal = f"deal-{rig['kind']}-{time.time_ns()}"
    with stack.client("rep1") as c:
        calls = [_upload_done(h, c, deal_id=deal, title="deal call 1"), _upload_done(h, c, deal_id=deal, title="2")]
        single = _upload_done(h, c, title="one call")
    with stack.client("coach") as c:
        assert c.post("/v1/outcomes", json={"deal_id": deal, "outcome": "won", "note": "signed"}).status_code == 201
        assert c.post("/v1/forget", json={"deal_id": deal}).status_code == 403  # admins only
    with stack.client("admin_b") as c:
        assert c.post("/v1/forget", json={"call_id": single}).status_code == 404  # another organization
    with stack.client("admin") as admin:
        r = admin.post("/v1/forget", json={"deal_id": deal})
        assert r.status_code == 200, r.text
        stone = r.json()
        assert sorted(stone["call_ids"]) == sorted(calls) and stone["kind"] == "deal"
        assert stone["counts"]["call"] == 2 and stone["counts"]["outcome"] == 1 and stone["counts"]["objects"] == 2
        assert admin.get("/v1/outcomes", params={"deal_id": deal}).json() == []
        r = admin.post("/v1/forget", json={"deal_id": deal})
        assert r.status_code == 404 and "no call or outcome" in r.json()["detail"]
        for bad in ({}, {"call_id": single, "deal_id": deal}, {"call_id": ""}, {"user": "x"}):
            assert admin.post("/v1/forget", json=bad).status_code == 422, bad
    assert all(objects(c) == [] for c in calls) and _rows_naming(stack, calls) == {}

    # The command line: the same deletion, its tombstone by the operator.
    env = {**stack.env, "PYTHONPATH": str(Path.cwd())}
    out = subprocess.run([sys.executable, "-m", "service.cli", "admin", "forget", "--call", single],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0].startswith(f"deleted call {single}: 1 call(s)")
    stone_id = out.stdout.splitlines()[-1]
    assert objects(single) == [] and _rows_naming(stack, [single]) == {}
    with stack.client("admin") as admin:
        stones = {s["id"]: s for s in admin.get("/v1/tombstones", params={"kind": "call", "limit": 500}).json()["items"]}
        assert stones[stone_id]["via"] == "cli" and stones[stone_id]["by_label"].startswith("cli:")
        assert stones[stone_id]["call_ids"] == [single]
    again = subprocess.run([sys.executable, "-m", "service.cli", "admin", "forget", "--call", single],
                           env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and again.stderr.strip() == "talktrack: error: call not found"
    deal_without_org = subprocess.run([sys.executable, "-m", "service.cli", "admin", "forget", "--deal", deal],
                                      env=env, capture_output=True, text=True, timeout=120)
    assert deal_without_org.returncode == 2 and "--org ORG_ID" in deal_without_org.stderr


def test_every_column_naming_a_call_or_a_person_is_handled() -> None:
    """A column another feature adds that names a call or a person must be deleted with it: by a
    foreign key (found by `service.domain.erasure`) or by a rule of `service.domain.forget`."""
    from sqlmodel import SQLModel

    from service.domain.erasure import CALL_COLUMNS_WITHOUT_KEY

    # Columns naming a person without a foreign key, and how forgetting them handles it.
    person_rules = {("scorecardrecord", "rep_user_id"): "deleted",
                    ("auditevent", "actor_user_id"): "kept: the audit trail is append-only (ids only)",
                    ("tombstone", "by_user_id"): "kept: the tombstone says who deleted what"}
    unhandled = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            fk_targets = {(fk.column.table.name, fk.column.name) for fk in column.foreign_keys}
            if column.name == "call_id" and ("call", "id") not in fk_targets \
                    and CALL_COLUMNS_WITHOUT_KEY.get(table.name) != "call_id":
                unhandled.append(f"{table.name}.{column.name}")
            if column.name.endswith("user_id") and ("user", "id") not in fk_targets \
                    and (table.name, column.name) not in person_rules:
                unhandled.append(f"{table.name}.{column.name}")
    assert not unhandled, f"columns naming a call or a person that deletion does not handle: {unhandled}"


def test_the_cli_sets_and_applies_the_policy(rig: dict[str, Any], h: Any) -> None:
    stack = rig["stack"]
    if rig["kind"] != "sqlite":
        pytest.skip("the command line is the same on every backend; once is enough")
    env = {**stack.env, "PYTHONPATH": str(Path.cwd())}

    def admin(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "service.cli", "admin", *args], env=env, capture_output=True,
                              text=True, timeout=120)

    org = stack.ids["org_b"]
    out = admin("retention", "--org", org, "--audio-days", "7")
    assert out.returncode == 0 and out.stdout.strip() == "recordings: 7 days; transcripts and analyses: forever"
    out = admin("retention", "--org", org, "--analysis-days", "14", "--audio-days", "forever")
    assert out.stdout.strip() == "recordings: forever; transcripts and analyses: 14 days"
    for bad, message in ((["--audio-days", "0"], "1 to 36,500 days"), (["--audio-days", "ten"], "whole number")):
        out = admin("retention", "--org", org, *bad)
        assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr
    out = admin("retention", "--org", "nope", "--audio-days", "7")
    assert out.returncode == 2 and "no organization with id nope" in out.stderr
    out = admin("retention", "--apply")
    assert out.returncode == 0 and out.stdout.startswith("deleted ")
    out = admin("audit", "--org", org, "--format", "json", "--action", "retention.")
    assert out.returncode == 0, out.stderr
    changes = [e["detail"] for e in json.loads(out.stdout)]
    assert changes[:2] == [{"audio_days": [None, 7], "analysis_days": [None, None]},
                           {"audio_days": [7, None], "analysis_days": [None, 14]}]
    out = admin("audit", "--org", org, "--since", "last week")
    assert out.returncode == 2 and "is not a date (YYYY-MM-DD)" in out.stderr


def test_storage_that_cannot_be_reached_deletes_nothing(rig: dict[str, Any], h: Any) -> None:
    """A deletion or a retention run whose object store is down removes no row and marks no call:
    the request says so (503 in the API) and the same deletion works once the store is back."""
    import boto3

    from models import Call, RetentionPolicy
    from models.base import utcnow
    from service.core.audit import Actor
    from service.core.db import session_scope
    from service.core.errors import StorageUnavailable
    from service.domain import forget, retention
    from service.storage.s3 import CLIENT_CONFIG, S3AudioStore

    if rig["kind"] == "s3":
        pytest.skip("the fault is a store that cannot be reached; the sqlite and postgres rigs run it")
    stack = rig["stack"]
    down = S3AudioStore("gone", client=boto3.client(
        "s3", endpoint_url=f"http://127.0.0.1:{h.free_port()}", aws_access_key_id="x", aws_secret_access_key="x",
        region_name="us-east-1", config=CLIENT_CONFIG))
    with stack.client("rep1") as c:
        call_id = _upload_done(h, c, title="store down")
    with session_scope(stack.settings()) as s, pytest.raises(StorageUnavailable) as caught:
        forget.forget_call(s, down, Actor.operator(), call_id)
    assert "Nothing was deleted from the database: run the deletion again" in str(caught.value)
    assert "cannot reach s3://gone" in str(caught.value)
    assert _rows_naming(stack, [call_id]).get("callresult") == 1

    org = stack.ids["org_a"]  # a year from now (the server's own sweeper, at today, leaves the call alone)
    later = utcnow() + timedelta(days=400)
    with session_scope(stack.settings()) as s:
        policy = s.get(RetentionPolicy, org) or RetentionPolicy(org_id=org)
        policy.analysis_days, policy.audio_days = 365, None
        s.add(policy)
        s.commit()
        run = retention.apply_retention(s, down, now=later)  # a transcript upload: its file must go first
        assert run.total() == 0 and run.errors and "transcript files not deleted yet" in run.errors[0]
        assert s.get(Call, call_id).analysis_expired_at is None  # type: ignore[union-attr]
        retention.set_policy(s, org, None, None, Actor.operator())
    with stack.client("admin") as admin:  # the store is back: the same deletion works
        assert admin.post("/v1/forget", json={"call_id": call_id}).status_code == 200
    assert rig["objects"](call_id) == [] and _rows_naming(stack, [call_id]) == {}
