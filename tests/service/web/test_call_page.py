"""The call page: seeking from questions and words, scorecards from coach to rep, fixing speakers,
the outcome, and scope (another team's call is a 404 page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).parents[3] / "samples"


def _player_time(page: Any) -> float:
    return float(page.evaluate("document.getElementById('player').currentTime"))


def test_clicking_a_question_seeks_the_player(sample_call: Any, web: Any, signed_in: Any, shots: Any,
                                              a11y: Any) -> None:
    with web.api("rep") as api:
        analysis = api.get(f"/v1/calls/{sample_call.call_id}").json()["analysis"]
    questions = analysis["questions"]
    assert len(questions) >= 3
    page = signed_in("rep")
    page.goto(f"/calls/{sample_call.call_id}")
    buttons = page.locator("button.q-item")
    assert buttons.count() == len(questions)
    q = questions[2]
    buttons.nth(2).click()
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {q['start']}) < 0.5")
    assert abs(_player_time(page) - q["start"]) < 0.5
    # The played word is highlighted, and it is a word of that question's moment.
    page.wait_for_selector("#transcript .w.playing")
    assert abs(float(page.locator("#transcript .w.playing").get_attribute("data-t")) - q["start"]) < 1.5
    # Any word seeks too; so does a timeline marker.
    word = page.locator("#transcript .w").nth(40)
    t_word = float(word.get_attribute("data-t"))
    word.click()
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {t_word}) < 0.5")
    # One lane per speaker, and a marker per question and tracker hit, coloured by type.
    assert page.locator(".tl-lane:not(.markers)").count() == len(analysis["speakers"])
    assert page.locator(".markers .marker").count() == len(questions) + len(analysis["trackers"])
    assert page.locator(".markers .marker.q-open").count() == sum(q["type"] == "open" for q in questions)
    page.evaluate("document.getElementById('player').pause(); window.scrollTo(0, 0)")
    a11y(page)
    shots(page, "call-page")


def test_keyboard_drives_the_player(sample_call: Any, signed_in: Any) -> None:
    page = signed_in("rep")
    page.goto(f"/calls/{sample_call.call_id}")
    page.locator("button.seek").nth(3).focus()
    page.keyboard.press("Enter")  # a turn's time button is a real button
    first = page.locator("button.seek").nth(3).get_attribute("data-seek")
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {first}) < 0.5")
    page.locator("h1").click()
    page.keyboard.press("l")
    page.wait_for_function(f"document.getElementById('player').currentTime > {float(first) + 4}")


def test_coach_scores_with_a_pinned_comment_and_the_rep_sees_it(sample_call: Any, web: Any,
                                                                signed_in: Any, shots: Any) -> None:
    coach = signed_in("coach")
    coach.goto("/inbox")
    assert coach.locator(f'a[href="/calls/{sample_call.call_id}#scorecard"]').count() == 1
    coach.goto(f"/calls/{sample_call.call_id}")
    form = coach.locator("#scorecard-form")
    form.get_by_label("Score").first.wait_for()
    coach.locator("#score-objection_handling").select_option("0.5")
    coach.locator("#comment-objection_handling").fill("Skipped past the pricing worry.")
    coach.get_by_label("Comment", exact=True).fill("Great open question right here.")
    coach.get_by_label("Pinned to moment (m:ss, optional)").fill("0:42")
    coach.get_by_role("button", name="Save scorecard").click()
    coach.wait_for_url(f"**/calls/{sample_call.call_id}#scorecard")
    assert "Great open question right here." in coach.locator("#scorecard .comments").inner_text()
    shots(coach, "scorecard")
    coach.goto("/inbox")
    assert coach.locator(f'a[href="/calls/{sample_call.call_id}#scorecard"]').count() == 0

    rep = signed_in("rep")
    rep.goto(f"/calls/{sample_call.call_id}")
    comments = rep.locator("#scorecard .comments li")
    assert sorted(comments.locator(".comment-text").all_inner_texts()) == [
        "Great open question right here.", "Skipped past the pricing worry."]  # the item's reason is one too
    pinned = comments.filter(has=rep.locator("button.seek"))
    assert pinned.count() == 1 and pinned.locator("button.seek").inner_text() == "0:42"
    assert rep.locator("#scorecard-form").count() == 0  # a rep reads the scorecard, does not edit it
    rows = rep.locator("#scorecard table.scores tbody tr").all_inner_texts()
    assert any(r.startswith("Handled objections well (coach)\t0.5\tcoach") for r in rows), rows
    pinned.locator("button.seek").click()  # the pinned moment seeks the player
    rep.wait_for_function("Math.abs(document.getElementById('player').currentTime - 42) < 0.5")

    # Editing keeps the earlier comment and adds the new one.
    coach.goto(f"/calls/{sample_call.call_id}")
    coach.locator("summary", has_text="Edit the scorecard").click()
    coach.get_by_label("Comment", exact=True).fill("Follow up on the budget.")
    coach.get_by_role("button", name="Save scorecard").click()
    coach.wait_for_url(f"**/calls/{sample_call.call_id}#scorecard")
    texts = coach.locator("#scorecard .comments .comment-text").all_inner_texts()
    assert texts == ["Skipped past the pricing worry.", "Great open question right here.", "Follow up on the budget."]


def test_fix_speakers_and_outcome(web: Any, signed_in: Any) -> None:
    call_id = web.upload("coach", SAMPLES / "discovery_call.vtt", title="Relabel me")
    web.wait_done("coach", call_id)
    page = signed_in("coach")
    page.goto(f"/calls/{call_id}")
    # The coach's name is no speaker's, so the roles come from what is said, shown beside the names.
    labels = page.locator(".tl-label").all_inner_texts()
    assert labels[0].startswith("Alex Rivera (Acme) (rep)") and "what is said, confidence 1.00" in labels[0]
    assert page.locator("#roles-note").count() == 0
    page.locator("#role-S1").select_option("rep")
    page.locator("#role-S2").select_option("customer")
    page.locator("#name-S2").fill("Jordan Buyer")
    page.get_by_role("button", name="Save speakers and recompute").click()
    page.wait_for_url(f"**/calls/{call_id}#metrics")
    with web.api("coach") as api:
        analysis = api.get(f"/v1/calls/{call_id}").json()["analysis"]
    ratio = analysis["metrics"]["talk_ratio"]
    assert ratio is not None
    assert f"Rep talk ratio\t{100 * ratio:.0f}%" in page.locator("#metrics").inner_text()
    assert "Jordan Buyer" in page.locator("#transcript").inner_text()
    assert "set by hand" in page.locator(".tl-label").first.inner_text()
    page.locator("#outcome-select").select_option("won")
    page.get_by_role("button", name="Set outcome").click()
    page.wait_for_url(f"**/calls/{call_id}#outcome")
    assert page.locator(".call-head .badge.o-won").inner_text() == "won"


def test_call_without_a_rep_says_why_and_how_to_fix_it(web: Any, signed_in: Any, tmp_path: Path) -> None:
    vtt = tmp_path / "small-talk.vtt"
    vtt.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n<v SPEAKER_00>Morning. Did you see the game last night?\n\n"
                   "00:00:03.500 --> 00:00:07.000\n<v SPEAKER_01>I did. What a finish. Did you stay up for the whole thing?\n\n"
                   "00:00:07.500 --> 00:00:10.000\n<v SPEAKER_00>Most of it. I fell asleep before the end though.\n")
    call_id = web.upload("coach", vtt, title="No rep here")
    web.wait_done("coach", call_id)
    page = signed_in("coach")
    page.goto(f"/calls/{call_id}")
    note = page.locator("#roles-note")
    assert note.locator("h2").inner_text() == "No rep identified"
    text = note.inner_text()
    assert "does not show clearly who the rep is" in text
    # The web app gives a web action, never a command line (`talktrack relabel`, `--rep NAME`).
    assert "say which speaker is the rep under Fix speakers" in text
    assert note.get_by_role("link", name="Fix speakers").get_attribute("href") == "#fix-speakers"
    for cli in ("talktrack ", "--", "`", "CALL.json"):
        assert cli not in text, (cli, text)
    assert "Rep talk ratio\t-" in page.locator("#metrics").inner_text()


def test_another_teams_call_is_a_404_page(web: Any, signed_in: Any) -> None:
    west = web.upload("rep_west", SAMPLES / "discovery_call.vtt", title="West call")
    page = signed_in("rep")  # team East
    response = page.goto(f"/calls/{west}")
    assert response.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()
    assert "West call" not in page.content()
    assert page.request.get(f"/calls/{west}/audio").status == 404
    other = signed_in("rep_other")  # another organization
    assert other.goto(f"/calls/{west}").status == 404
