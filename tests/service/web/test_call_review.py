"""Reviewing a call in the browser: the brief at the top (every line plays its moment), the deal
link and the follow-up e-mail draft, search inside a 2-hour call, the scorecard beside the
transcript with each comment's item, author and time, the downloads, running a failed analysis
again (or, when its file is gone, deleting it), and the insights page's empty state."""

from __future__ import annotations

import io
import json
import re
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.service.web.call_data import (
    EMAIL,
    SUMMARY,
    SUMMARY_MODEL,
    sample_brief,
    store_analysis,
    stored_analysis,
    tiled,
    with_summary,
)
from tests.service.web.layout import attach_recording

SAMPLES = Path(__file__).parents[3] / "samples"
DEAL = "ACME-42/Q1 renewal"
IN_VIEW_JS = """() => {
  const r = document.getElementById("player").getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, height: r.height, vh: window.innerHeight };
}"""


def attach_sample_recording(web: Any, call_id: str) -> None:
    """Gives a call analysed from the sample transcript the sample's recording, as an upload would."""
    from models import Call
    from service.core.db import session_scope
    from service.storage import get_store

    settings = web.stack.settings()
    with session_scope(settings) as s:
        call = s.get(Call, call_id)
        assert call is not None
        attach_recording(get_store(settings), call, SAMPLES / "discovery_call.wav")
        s.add(call)
        s.commit()


@dataclass
class Review:
    call_id: str  # the sample call with its recording, a brief and a deal
    analysis: dict[str, Any]
    long_id: str  # the sample tiled to two hours, with the brief of its first copy
    long: dict[str, Any]


@pytest.fixture(scope="module")
def review(web: Any) -> Review:

    call_id = web.upload("rep", SAMPLES / "discovery_call.vtt", title="Discovery with Jordan")
    long_id = web.upload("rep", SAMPLES / "discovery_call.vtt", title="Two-hour workshop")
    for cid in (call_id, long_id):
        web.wait_done("rep", cid)
    attach_sample_recording(web, call_id)
    analysis = stored_analysis(web, call_id)
    analysis["brief"] = sample_brief(analysis)
    store_analysis(web, call_id, analysis, deal_id=DEAL, started_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    long = tiled(stored_analysis(web, long_id), 7200)
    long["brief"] = sample_brief(long)
    store_analysis(web, long_id, long, duration_s=long["duration_s"])
    return Review(call_id, analysis, long_id, long)


def wait_until(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Polls a JavaScript expression from here until it is true: `page.wait_for_function` polls with a
    string it evaluates in the page, which the page's Content-Security-Policy (no 'unsafe-eval') refuses."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.05)


def test_the_brief_leads_the_page_and_every_line_plays(review: Review, signed_in: Any, a11y: Any, shots: Any) -> None:
    page = signed_in("coach")
    page.goto(f"/calls/{review.call_id}")
    brief = page.locator("#brief")
    assert brief.bounding_box()["y"] < page.locator("#transcript").bounding_box()["y"]
    chapters = brief.locator(".chapter-line").all_inner_texts()
    assert chapters == ["0:00–0:47 Why now: win rate and coaching", "0:47–1:09 Recording, Salesforce and outbound calls",
                        "1:09–1:53 How Talktrack works", "1:53–2:23 Price, budget and timing",
                        "2:23–2:44 Proposal and follow-up"]
    assert brief.locator("h3").all_inner_texts() == ["Chapters (5)", "Pains (2)", "Objections (2)", "Next steps (2)",
                                                     "Also said (4)"]
    pains = brief.locator('[data-kind="pain"] .brief-line').all_inner_texts()
    assert pains == ["0:16 our win rate dropped from thirty percent to about twenty",
                     "0:47 the dialer records everything, but nobody listens to them"]
    steps = [" ".join(t.split()) for t in brief.locator('[data-kind="next_step"] .brief-line').all_inner_texts()]
    assert steps == [
        "2:25 I'll send the proposal by Friday, with a two year option. Owner: Alex Rivera (Acme) · Due: Fri 4 Dec 2026 (“by Friday”)",
        "2:29 let's book a follow-up next Thursday at two with your sales managers Owner: Both · Due: Thu 10 Dec 2026 (“next Thursday”)"]
    assert brief.locator('[data-kind="others"] .kind-label').all_inner_texts() == [
        "Need", "Price quoted", "Competitor", "Open question"]
    assert "Tue 1 Dec 2026" in brief.locator("#brief-date").inner_text()
    assert page.locator(".tl-strip.chapters .chapter").count() == 5
    # Every line plays its moment, with the player in view.
    items = {i["text"]: i["start"] for i in review.analysis["brief"]["items"]}
    for kind, text in (("objection", "we can't do anything before next quarter"),
                       ("next_step", "let's book a follow-up next Thursday at two with your sales managers")):
        brief.locator(f'[data-kind="{kind}"] .brief-line', has_text=text).click()
        wait_until(page, f"Math.abs(document.getElementById('player').currentTime - {items[text]}) < 0.5")
        assert not page.evaluate("document.getElementById('player').paused")
        box = page.evaluate(IN_VIEW_JS)
        assert box["top"] >= -1 and box["bottom"] <= box["vh"] + 1, box
    brief.locator(".chapter-line").nth(3).click()
    wait_until(page, "Math.abs(document.getElementById('player').currentTime - "
                           f"{review.analysis['brief']['chapters'][3]['start']}) < 0.5")
    # The deal this call belongs to.
    deal = page.get_by_role("link", name=f"Deal: {DEAL}")
    assert deal.get_attribute("href") == "/deals/ACME-42%2FQ1%20renewal"
    page.evaluate("document.getElementById('player').pause(); window.scrollTo(0, 0)")
    a11y(page)
    shots(page, "call-brief")


def test_the_generated_summary_leads_the_brief_and_its_cites_play(web: Any, signed_in: Any, a11y: Any,
                                                                   shots: Any) -> None:
    """A brief with a generated summary (`TALKTRACK_LLM_URL`): its sentences at the top of the brief,
    each cited moment a small button that plays it, and one note naming the model and how many
    sentences the grounding check dropped. Without a summary the brief shows none of it."""

    call_id = web.upload("rep", SAMPLES / "discovery_call.vtt", title="Discovery, summarized")
    web.wait_done("rep", call_id)
    attach_sample_recording(web, call_id)
    analysis = stored_analysis(web, call_id)
    plain = sample_brief(analysis)
    analysis["brief"] = with_summary(plain, dropped=2)
    store_analysis(web, call_id, analysis)
    items = analysis["brief"]["items"]

    page = signed_in("coach")
    page.goto(f"/calls/{call_id}")
    summary = page.locator("#brief-summary")
    assert summary.bounding_box()["y"] < page.locator("#brief .brief-grid").bounding_box()["y"]
    assert summary.locator(".summary-line .said").all_inner_texts() == [text for text, _ in SUMMARY]
    cites = summary.locator("button.cite")
    assert cites.all_inner_texts() == ["0:16", "2:02", "2:06", "2:25"]
    assert cites.nth(2).get_attribute("aria-label") == "Play from 2:06 (Objection: both were over our budget)"
    assert summary.locator("#summary-note").inner_text() == (
        f"Written by {SUMMARY_MODEL} from the items below; 2 sentences dropped by the grounding check (every "
        "sentence must be said at the moments it cites).")
    for k, item in ((2, 5), (3, 8)):  # the objection "both were over our budget"; the proposal by Friday
        cites.nth(k).click()
        wait_until(page, f"Math.abs(document.getElementById('player').currentTime - {items[item]['start']}) < 0.5")
        box = page.evaluate(IN_VIEW_JS)
        assert box["top"] >= -1 and box["bottom"] <= box["vh"] + 1, box
    page.evaluate("document.getElementById('player').pause(); window.scrollTo(0, 0)")
    a11y(page)
    shots(page, "call-brief-summary")
    # The same call without a summary (the setting off, or a relabel recomputed the brief): no trace of it.
    analysis["brief"] = plain
    store_analysis(web, call_id, analysis)
    page.goto(f"/calls/{call_id}")
    assert page.locator("#brief .brief-line").count() == 15  # 5 chapters, 10 items
    assert page.locator("#brief-summary, #brief button.cite").count() == 0


def _set_brief_column(web: Any, call_id: str, brief: dict[str, Any] | None) -> None:
    from models.calls import CallResult
    from service.core.db import session_scope

    with session_scope(web.stack.settings()) as s:
        row = s.get(CallResult, call_id)
        assert row is not None
        row.brief_json = None if brief is None else json.dumps(brief)
        s.add(row)
        s.commit()


def test_a_call_without_a_brief_says_so_and_a_stored_one_shows(review: Review, web: Any, signed_in: Any) -> None:
    call_id = web.upload("rep", SAMPLES / "discovery_call.vtt", title="Analysed before briefs")
    web.wait_done("rep", call_id)
    old = stored_analysis(web, call_id)
    old.pop("brief", None)
    store_analysis(web, call_id, old)
    _set_brief_column(web, call_id, None)
    page = signed_in("coach")
    page.goto(f"/calls/{call_id}")
    assert page.locator("#brief-empty").inner_text() == "No brief yet: this call was analysed before Talktrack made briefs."
    assert page.locator("#brief .brief-line").count() == 0 and page.locator("#email-draft").count() == 0
    assert page.locator("#transcript .turn").count() > 10  # the rest of the page is all there
    # A brief stored beside the analysis (the analysis JSON was rewritten without it) is shown.
    _set_brief_column(web, call_id, sample_brief(old))
    store_analysis(web, call_id, old)  # a fresh view
    page.goto(f"/calls/{call_id}")
    assert page.locator("#brief-empty").count() == 0
    assert page.locator('#brief [data-kind="pain"] .brief-line').count() == 2


def test_the_follow_up_draft_is_copied(review: Review, signed_in: Any, shots: Any) -> None:
    page = signed_in("rep")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/calls/{review.call_id}")
    draft = page.locator("#email-draft")
    assert not page.get_by_label("Text", exact=True).is_visible()  # folded until asked for
    draft.locator("summary").click()
    assert page.get_by_label("Subject").input_value() == EMAIL["subject"]
    body = page.get_by_label("Text", exact=True)
    assert body.input_value() == EMAIL["body"]
    body.fill(EMAIL["body"].replace("Best,", "Talk soon,"))  # the rep edits it before copying
    draft.get_by_role("button", name="Copy the text").click()
    wait_until(page, "document.querySelector('#email-draft .copy-status').textContent === 'Copied.'")
    assert page.evaluate("navigator.clipboard.readText()") == EMAIL["body"].replace("Best,", "Talk soon,")
    draft.get_by_role("button", name="Copy the subject").click()
    wait_until(page, f"navigator.clipboard.readText().then(t => t === {json.dumps(EMAIL['subject'])})")
    draft.scroll_into_view_if_needed()
    shots(page, "call-email-draft")


def _count(page: Any) -> str:
    return str(page.locator("#search-count").inner_text())


def test_search_inside_a_two_hour_call(review: Review, signed_in: Any, shots: Any) -> None:
    page = signed_in("coach")
    page.goto(f"/calls/{review.long_id}")
    copies = round(review.long["duration_s"] / (review.analysis["duration_s"] + 2))
    assert copies == 44 and review.long["duration_s"] > 7200
    page.locator("h1").click()
    page.keyboard.press("/")  # the key jumps to the search box
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.type("budget")
    wait_until(page, "document.getElementById('search-count').textContent === '1 of 44'")
    assert page.locator("#transcript .w.hit").count() == 44
    assert page.locator("#search-lane .match").count() == 44 and page.locator("#search-lane").is_visible()
    first_budget = [round(w["start"], 2) for w in review.long["words"] if w["word"].lower().startswith("budget")]
    assert len(first_budget) == 44
    current = page.locator("#transcript .w.hit-current")
    assert float(current.get_attribute("data-t")) == first_budget[0]
    page.keyboard.press("Enter")
    assert _count(page) == "2 of 44" and float(current.get_attribute("data-t")) == first_budget[1]
    inside = page.evaluate("""() => { const b = document.getElementById('transcript').getBoundingClientRect();
      const r = document.querySelector('#transcript .w.hit-current').getBoundingClientRect();
      return r.top >= b.top && r.bottom <= b.bottom; }""")
    assert inside  # the transcript scrolled to the match
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    assert _count(page) == "44 of 44"  # round the end
    page.get_by_role("button", name="Next", exact=True).click()
    assert _count(page) == "1 of 44"
    # A mark on the timeline makes that match the current one (and plays it, where there is a recording).
    page.locator("#search-lane .match").nth(10).click(force=True)
    assert _count(page) == "11 of 44"
    shots(page, "call-search")
    # Two words, accents and case ignored; a match starts a word.
    search = page.get_by_label("Search the transcript")
    search.fill("NEXT quärter")
    wait_until(page, "document.getElementById('search-count').textContent === '1 of 44'")
    assert page.locator("#transcript .w.hit").count() == 88
    search.fill("udget")
    wait_until(page, "document.getElementById('search-count').textContent === 'No matches'")
    assert page.get_by_role("button", name="Next", exact=True).is_disabled()
    assert not page.locator("#search-lane").is_visible()
    search.press("Escape")
    assert _count(page) == "" and page.locator("#transcript .w.hit").count() == 0
    # Speed on the 2-hour transcript (18,436 words): each search, the highlighting and the marks.
    times = [page.evaluate(f"window.talktrackSearch.search({json.dumps(q)})")
             for q in ("budget", "the", "next quarter", "pricing", "we", "Gong", "win rate", "call") * 3]
    print(f"search in a 2-hour call: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms")
    assert statistics.median(times) <= 50, times


def test_the_scorecard_sits_beside_the_transcript(review: Review, web: Any, signed_in: Any, shots: Any) -> None:
    coach = signed_in("coach")
    coach.goto(f"/calls/{review.call_id}")
    card = coach.locator(".call-side #scorecard")
    assert card.count() == 1
    # The first card of the side column: level with the transcript, not at the bottom of the page.
    assert coach.evaluate("document.querySelector('.call-side > section.card:not(.warn)').id") == "scorecard"
    # The side column starts level with the transcript (only warnings, when a call has any, above the card).
    side_top = coach.locator(".call-side").bounding_box()["y"]
    assert side_top < coach.locator("#transcript").bounding_box()["y"] + 100, side_top
    coach.locator("#score-objection_handling").select_option("0.5")
    coach.locator("#comment-objection_handling").fill("Moved on before the budget worry was answered.")
    coach.get_by_label("Comment", exact=True).fill("Ask what the budget is before quoting.")
    coach.get_by_label("Pinned to moment (m:ss, optional)").fill("1:56")
    coach.get_by_role("button", name="Save scorecard").click()
    coach.wait_for_url(f"**/calls/{review.call_id}#scorecard")
    for who in ("coach", "rep"):
        page = coach if who == "coach" else signed_in("rep")
        if who == "rep":
            page.goto(f"/calls/{review.call_id}#scorecard")
        comments = page.locator("#scorecard .comments li.comment")
        assert comments.count() == 2
        item, pinned = (" ".join(t.split()) for t in comments.all_inner_texts())
        stamp = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"
        assert re.fullmatch(rf"Moved on before the budget worry was answered\. Handled objections well \(coach\) · "
                            rf"Cora Coach · {stamp}", item), item
        assert re.fullmatch(rf"1:56 Ask what the budget is before quoting\. Cora Coach · {stamp}", pinned), pinned
        assert comments.nth(0).locator("time").get_attribute("datetime").startswith(str(datetime.now(UTC).year))
    coach.locator("#scorecard").scroll_into_view_if_needed()
    shots(coach, "call-scorecard-side")
    # On a phone the side column comes after the transcript: the header's link jumps to the scorecard,
    # which lands below the sticky player.
    coach.set_viewport_size({"width": 390, "height": 844})
    coach.goto(f"/calls/{review.call_id}")
    jump = coach.locator(".call-links a.jump")
    total = coach.locator("#scorecard p", has_text="Total:").inner_text()
    assert jump.get_attribute("href") == "#scorecard"
    shown = re.fullmatch(r"Scorecard: (\d+)/100", jump.inner_text())
    stored = re.search(r"Total: ([\d.]+) / 100", total)
    assert shown and stored and int(shown.group(1)) == round(float(stored.group(1))), (jump.inner_text(), total)
    jump.click()
    heading = coach.locator("#sc-title").bounding_box()
    player = coach.locator("#player").bounding_box()
    assert player["y"] + player["height"] <= heading["y"] < 844, (player, heading)


def test_downloads(review: Review, web: Any, signed_in: Any) -> None:
    from docx import Document

    page = signed_in("coach")
    page.goto(f"/calls/{review.call_id}")
    links = page.locator("#downloads a")
    assert links.all_inner_texts() == ["Transcript (TXT)", "Subtitles (VTT)", "Word document (DOCX)", "Analysis (JSON)"]
    with page.expect_download() as got:
        links.nth(0).click()
    assert got.value.suggested_filename == f"talktrack-call-{review.call_id}-transcript.txt"
    expected = {"transcript.txt": "text/plain; charset=utf-8", "transcript.vtt": "text/vtt; charset=utf-8",
                "transcript.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "analysis.json": "application/json"}
    bodies = {}
    for suffix, media_type in expected.items():
        r = page.request.get(f"/calls/{review.call_id}/{suffix}")
        assert r.status == 200, (suffix, r.status)
        assert r.headers["content-type"] == media_type
        assert r.headers["content-disposition"] == f'attachment; filename="talktrack-call-{review.call_id}-{suffix}"'
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["content-security-policy"].startswith("sandbox; default-src 'none'")
        bodies[suffix] = r.body()
    text = bodies["transcript.txt"].decode().splitlines()
    assert text[:4] == ["Discovery with Jordan", "Dana Rep · 2026-12-01 15:00 · 2:44", "",
                        "[0:00] Alex Rivera (Acme): Hi Jordan, this is Alex Rivera from Acme. Thanks for making time today."]
    assert bodies["transcript.vtt"].decode().count("<v Jordan Lee>") >= 10
    doc = Document(io.BytesIO(bodies["transcript.docx"]))
    assert [p.text for p in doc.paragraphs[:2]] == ["Discovery with Jordan", "Dana Rep · 2026-12-01 15:00 · 2:44"]
    assert doc.paragraphs[3].text == "0:06 Jordan Lee: Hi Alex, happy to chat."
    assert json.loads(bodies["analysis.json"]) == review.analysis
    # The same access as the call page: another team's rep and another organization get a 404.
    for who in ("rep_west", "rep_other"):
        other = signed_in(who)
        assert other.request.get(f"/calls/{review.call_id}/transcript.docx").status == 404
        assert other.request.get(f"/calls/{review.call_id}/analysis.json").status == 404
    assert page.request.get(f"/calls/{review.call_id}/transcript.pdf").status == 404


def _fail(web: Any, call_id: str, error: str) -> None:
    from models import Call
    from service.core.db import session_scope

    with session_scope(web.stack.settings()) as s:
        call = s.get(Call, call_id)
        assert call is not None
        call.status, call.error, call.duration_s = "failed", error, None
        s.add(call)
        s.commit()


def _csrf(page: Any) -> str:
    return str(page.locator('meta[name="csrf-token"]').get_attribute("content"))


def test_a_failed_call_runs_again(web: Any, signed_in: Any, shots: Any, a11y: Any) -> None:
    from sqlmodel import col, select

    from models import Job
    from service.core.db import session_scope

    call_id = web.upload("rep", SAMPLES / "discovery_call.vtt", title="Interrupted analysis")
    web.wait_done("rep", call_id)
    _fail(web, call_id, "analysis was interrupted 3 times (the worker stopped or crashed); giving up")
    page = signed_in("coach")
    page.goto(f"/calls/{call_id}")
    failed = page.locator("#failed")
    assert "The analysis failed: analysis was interrupted 3 times" in failed.inner_text()
    assert "· - ·" not in page.locator(".call-head .meta").inner_text()
    # Deleting is for an admin or the call's uploader (within TALKTRACK_DELETE_GRACE_H): the rep, not the coach.
    assert failed.get_by_role("button", name="Delete this call").count() == 0
    uploader = signed_in("rep")
    uploader.goto(f"/calls/{call_id}")
    assert uploader.locator("#failed").get_by_role("button", name="Delete this call").is_visible()
    a11y(page)
    shots(page, "call-failed-rerun")
    # The same access as the page (another team's rep: 404), and the form's CSRF token is required.
    west = signed_in("rep_west")
    assert west.request.post(f"/calls/{call_id}/rerun", form={"csrf_token": _csrf(west)}, max_redirects=0).status == 404
    assert page.request.post(f"/calls/{call_id}/rerun", form={}, max_redirects=0).status == 403
    failed.get_by_role("button", name="Run the analysis again").click()
    page.wait_for_url(f"**/calls/{call_id}")
    # The page follows the new job and reloads when it is done.
    page.wait_for_selector('#call-status[data-status="done"]', timeout=120_000)
    assert page.locator("#transcript .turn").count() > 10 and page.locator("#failed").count() == 0
    with session_scope(web.stack.settings()) as s:
        jobs = s.exec(select(Job.status).where(col(Job.call_id) == call_id)).all()
    assert sorted(jobs) == ["done", "done"]
    # Only a failed call runs again.
    r = page.request.post(f"/calls/{call_id}/rerun", form={"csrf_token": _csrf(page)}, max_redirects=0)
    assert r.status == 409 and "only a failed analysis can be run again" in r.text()


def test_a_failed_call_without_its_file_offers_delete_and_upload(web: Any, signed_in: Any, shots: Any) -> None:
    from models import Call, User
    from service.core.db import session_scope
    from service.domain.reanalysis import FILE_MISSING

    with session_scope(web.stack.settings()) as s:
        rep = web.people["rep"]
        rep_user = s.get(User, rep.user_id)
        assert rep_user is not None
        call = Call(org_id=rep_user.org_id, team_id=rep.team_id,
                    rep_user_id=rep.user_id, rep_name=rep.name, media_kind="vtt", status="failed",
                    error="the call has no stored file", title="Lost upload", storage_key="calls/gone/original.vtt",
                    uploaded_by_key_id=web.people["coach"].user_id)  # the coach uploaded it: they may delete it
        s.add(call)
        s.commit()
        call_id = call.id
    page = signed_in("coach")
    page.goto(f"/calls/{call_id}")
    failed = page.locator("#failed")
    assert " ".join(failed.locator("#file-missing").inner_text().split()) == (
        "The uploaded file is no longer stored, so the analysis cannot run again. "
        "Upload the recording again and delete this call.")
    assert failed.get_by_role("link", name="Upload the recording again").get_attribute("href") == "/"
    assert failed.get_by_role("button", name="Run the analysis again").count() == 0
    meta = " ".join(page.locator(".call-head .meta").inner_text().split())
    assert "· - ·" not in meta and meta.endswith("failed"), meta
    shots(page, "call-failed-file-missing")
    r = page.request.post(f"/calls/{call_id}/rerun", form={"csrf_token": _csrf(page)}, max_redirects=0)
    assert r.status == 409 and FILE_MISSING.split(":")[0] in r.text()
    failed.get_by_role("button", name="Delete this call").click()
    page.wait_for_url(re.compile(re.escape(web.url) + r"/\?deleted="))
    with web.api("admin") as api:
        assert api.get(f"/v1/calls/{call_id}").status_code == 404


def test_insights_with_too_few_closed_calls_say_what_to_do(review: Review, web: Any, signed_in: Any, shots: Any,
                                                           a11y: Any) -> None:
    with web.api("coach") as api:  # one closed call at least
        assert api.post("/v1/outcomes", json={"call_id": review.call_id, "outcome": "won"}).status_code in (200, 201)
    page = signed_in("coach")
    page.goto("/insights")
    empty = page.locator("#insights-empty")
    text = " ".join(empty.inner_text().split())
    assert re.fullmatch(r"Team East has \d+ closed calls? \([1-9]\d* won, \d+ lost\): too few to tell "
                        r"which habits go with won deals, as a habit is compared only once 30 closed calls show it and "
                        r"30 do not\. As deals close, open each call from Calls and set its outcome to won or lost; the "
                        r"findings then appear here\.", text), text
    assert empty.get_by_role("link", name="Calls").get_attribute("href") == "/"
    assert page.locator("table.forest").count() == 0 and page.locator("tr.forest-row").count() == 0
    main = page.locator("main").inner_text()
    assert "Does not apply" not in main and "Not enough data" not in main and "_" not in main
    a11y(page)
    shots(page, "insights-empty")
