"""Calls API against a real server process, on both backends: upload, poll, read, formats, list,
relabel, outcomes, delete."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def done_call(stack: Any, h: Any) -> dict[str, Any]:
    with stack.client("rep1") as c:
        r = h.upload(c, title="Discovery with Bob", rep="Dana", deal_id="deal-42",
                     started_at="2026-11-20T15:00:00Z", crm_ids='{"hubspot_deal_id": "hs-1"}')
        assert r.status_code == 202, r.text
        body = r.json()
        assert body["status"] == "queued" and r.headers["location"] == f"/v1/calls/{body['id']}"
        return dict(h.wait_status(c, body["id"]))


def test_healthz_and_metrics(stack: Any) -> None:
    with stack.client() as c:
        assert c.get("/healthz").json()["status"] == "ok"
        text = c.get("/metrics").text
        assert "talktrack_http_requests_total" in text and 'talktrack_calls{status="done"}' in text


def test_openapi_documents_every_endpoint_with_examples(stack: Any) -> None:
    with stack.client() as c:
        schema = c.get("/openapi.json").json()
    paths = schema["paths"]
    for path, method in (("/v1/calls", "post"), ("/v1/calls", "get"), ("/v1/calls/{call_id}", "get"),
                         ("/v1/calls/{call_id}", "delete"), ("/v1/calls/{call_id}/transcript", "get"),
                         ("/v1/calls/{call_id}/speakers", "patch"), ("/v1/calls/{call_id}/suggestions", "get"),
                         ("/v1/outcomes", "post"), ("/v1/webhooks", "post"), ("/healthz", "get"),
                         ("/metrics", "get")):
        assert method in paths[path], (path, method)
    upload = paths["/v1/calls"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"413", "415", "422"} <= set(upload["responses"])
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()
    comps = schema["components"]["schemas"]
    assert comps["CallDetail"]["examples"][0]["status"] == "done"
    assert comps["OutcomeCreate"]["examples"] and comps["WebhookCreate"]["examples"]


def test_upload_is_analysed(done_call: dict[str, Any], stack: Any) -> None:
    assert done_call["status"] == "done", done_call["error"]
    assert done_call["progress"] == 1.0 and done_call["error"] is None
    a = done_call["analysis"]
    assert a["schema_version"] == 1 and a["source"] == "vtt"
    names = {s["name"]: s["role"] for s in a["speakers"]}
    assert names == {"Dana": "rep", "Bob": "customer"}
    assert a["metrics"]["question_count_rep"] >= 2
    assert done_call["rep_user_id"] == stack.ids["rep1"] and done_call["team_id"] == stack.ids["team1"]
    assert done_call["crm_ids"] == {"hubspot_deal_id": "hs-1"} and done_call["deal_id"] == "deal-42"
    assert done_call["duration_s"] == pytest.approx(31.0, abs=0.5)


def test_transcript_formats(done_call: dict[str, Any], stack: Any) -> None:
    cid = done_call["id"]
    with stack.client("rep1") as c:
        j = c.get(f"/v1/calls/{cid}/transcript").json()
        assert j["call_id"] == cid and len(j["turns"]) == 5 and j["turns"][0]["text"].startswith("Hi Bob")
        # one speaker turn per cue (none overlap here), and one RTTM line per speaker turn
        assert [(t["start"], t["end"]) for t in j["speaker_turns"]][:2] == [(0.0, 5.0), (5.5, 14.0)]
        vtt = c.get(f"/v1/calls/{cid}/transcript", params={"format": "vtt"})
        assert vtt.headers["content-type"].startswith("text/vtt") and vtt.text.startswith("WEBVTT")
        assert "onboarding" in vtt.text
        rttm = c.get(f"/v1/calls/{cid}/transcript", params={"format": "rttm"}).text.strip().splitlines()
        assert len(rttm) == len(j["speaker_turns"]) and all(line.startswith(f"SPEAKER {cid} 1 ") for line in rttm)
        assert c.get(f"/v1/calls/{cid}/transcript", params={"format": "srt"}).status_code == 422


def test_suggestions_shape(done_call: dict[str, Any], stack: Any) -> None:
    with stack.client("integration") as c:
        r = c.get(f"/v1/calls/{done_call['id']}/suggestions")
        assert r.status_code == 200
        body = r.json()
        assert body["call_id"] == done_call["id"] and body["status"] == "done"
        assert isinstance(body["suggestions"], list)


def test_list_filters_and_pagination(done_call: dict[str, Any], stack: Any, h: Any) -> None:
    with stack.client("admin") as c:
        ids = [h.upload(c, title=f"page {i}", started_at=f"2026-10-0{i + 1}T10:00:00Z").json()["id"]
               for i in range(3)]
        page = c.get("/v1/calls", params={"limit": 2, "since": "2026-10-01T00:00:00Z",
                                          "until": "2026-10-04T00:00:00Z"}).json()
        assert page["total"] == 3 and len(page["items"]) == 2 and page["next_offset"] == 2
        rest = c.get("/v1/calls", params={"limit": 2, "offset": 2, "since": "2026-10-01T00:00:00Z",
                                          "until": "2026-10-04T00:00:00Z"}).json()
        assert rest["next_offset"] is None
        assert {i["id"] for i in page["items"] + rest["items"]} == set(ids)
        assert [i["id"] for i in page["items"]] == [ids[2], ids[1]]  # newest first
        by_rep = c.get("/v1/calls", params={"rep": stack.ids["rep1"]}).json()["items"]
        assert done_call["id"] in {i["id"] for i in by_rep} and not set(ids) & {i["id"] for i in by_rep}
        by_name = c.get("/v1/calls", params={"rep": "Dana"}).json()["items"]
        assert done_call["id"] in {i["id"] for i in by_name}
        done = c.get("/v1/calls", params={"status": "done", "deal_id": "deal-42"}).json()["items"]
        assert [i["id"] for i in done] == [done_call["id"]]
        assert c.get("/v1/calls", params={"status": "bogus"}).status_code == 422
        assert c.get("/v1/calls", params={"limit": 0}).status_code == 422
        for cid in ids:  # deleting a queued call also drops its job (and frees the worker for later tests)
            assert c.delete(f"/v1/calls/{cid}").status_code == 204


def test_relabel_speakers_recomputes_metrics(stack: Any, h: Any) -> None:
    with stack.client("rep1") as c:
        cid = h.upload(c, rep="Dana").json()["id"]
        before = h.wait_status(c, cid)["analysis"]
        ids = {s["name"]: s["id"] for s in before["speakers"]}
        patch = {"speakers": [{"id": ids["Dana"], "role": "customer"},
                              {"id": ids["Bob"], "role": "rep", "name": "Robert"}]}
        r = c.patch(f"/v1/calls/{cid}/speakers", json=patch)
        assert r.status_code == 200, r.text
        after = r.json()["analysis"]
        roles = {s["id"]: (s["role"], s["name"]) for s in after["speakers"]}
        assert roles[ids["Bob"]] == ("rep", "Robert") and roles[ids["Dana"]][0] == "customer"
        # Bob talked more than Dana, so the rep's talk ratio flips above one half.
        assert before["metrics"]["talk_ratio"] < 0.5 < after["metrics"]["talk_ratio"]
        assert c.get(f"/v1/calls/{cid}").json()["analysis"]["metrics"] == after["metrics"]
        bad = c.patch(f"/v1/calls/{cid}/speakers", json={"speakers": [{"id": "S9", "role": "rep"}]})
        assert bad.status_code == 422
        assert c.patch(f"/v1/calls/{cid}/speakers", json={"speakers": [{"id": "S1", "role": "boss"}]}
                       ).status_code == 422


def test_outcomes_for_call_and_deal(stack: Any, h: Any) -> None:
    with stack.client("integration") as c:
        a = h.upload(c, deal_id="deal-out").json()["id"]
        b = h.upload(c, deal_id="deal-out").json()["id"]
        r = c.post("/v1/outcomes", json={"deal_id": "deal-out", "outcome": "won", "amount": 42000,
                                         "currency": "USD", "occurred_on": "2026-11-25"})
        assert r.status_code == 201, r.text
        assert r.json()["applies_to_calls"] == 2
        for cid in (a, b):
            out = c.get(f"/v1/calls/{cid}").json()["outcome"]
            assert out["outcome"] == "won" and out["amount"] == 42000 and out["occurred_on"] == "2026-11-25"
        r = c.post("/v1/outcomes", json={"call_id": a, "outcome": "next_step_booked"})
        assert r.status_code == 201 and r.json()["applies_to_calls"] == 1
        assert c.get(f"/v1/calls/{a}").json()["outcome"]["outcome"] == "next_step_booked"
        assert c.get(f"/v1/calls/{b}").json()["outcome"]["outcome"] == "won"
        assert c.post("/v1/outcomes", json={"outcome": "won"}).status_code == 422
        assert c.post("/v1/outcomes", json={"deal_id": "x", "outcome": "maybe"}).status_code == 422
        assert c.post("/v1/outcomes", json={"call_id": "0" * 32, "outcome": "won"}).status_code == 404
    with stack.client("admin") as c:
        for cid in (a, b):
            assert c.delete(f"/v1/calls/{cid}").status_code == 204


def test_delete_removes_audio_and_data(stack: Any, h: Any) -> None:
    audio = (h.asr / "jfk.flac").read_bytes()
    with stack.client("admin") as c:
        cid = h.upload(c, audio[:20000], filename="part.flac", content_type="audio/flac").json()["id"]
        folder = stack.settings().resolved_audio_dir() / "calls" / cid
        assert folder.is_dir() and any(folder.iterdir())
        h.wait_status(c, cid)
        assert c.delete(f"/v1/calls/{cid}").status_code == 204
        assert c.get(f"/v1/calls/{cid}").status_code == 404
        assert c.delete(f"/v1/calls/{cid}").status_code == 404
        assert not folder.exists()
