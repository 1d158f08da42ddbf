"""The calls library: drag-and-drop upload followed to `done`, filters, full-text search, scope."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).parents[3] / "samples"


def test_dropped_sample_call_reaches_done_in_the_page(sample_call: Any, web: Any, signed_in: Any,
                                                      shots: Any) -> None:
    # The upload item went from uploading bytes through the analysis job's stages to done.
    assert sample_call.states_seen[0] == "uploading"
    assert sample_call.states_seen[-1] == "done"
    assert any(s in ("queued", "processing") for s in sample_call.states_seen), sample_call.states_seen
    page = signed_in("rep")
    row = page.locator("#calls tbody tr", has=page.locator(f'a[href="/calls/{sample_call.call_id}"]'))
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "Dana Rep" and cells[1] == "discovery_call" and cells[4].strip() == "done"
    with web.api("rep") as api:
        metrics = api.get(f"/v1/calls/{sample_call.call_id}").json()["analysis"]["metrics"]
    assert cells[6] == f"{100 * metrics['talk_ratio']:.0f}%"  # the table shows the stored metric
    shots(page, "library-with-call")


def test_upload_errors_show_the_api_words(signed_in: Any, drop: Any, tmp_path: Path) -> None:
    page = signed_in("rep")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a call")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    drop(page, notes, "text/plain")
    drop(page, empty, "audio/wav")
    items = page.locator("#uploads li.failed")
    items.nth(1).wait_for()
    texts = sorted(items.locator(".upload-state").all_inner_texts())
    assert texts == ["the file is empty", "unsupported file type: send audio or a .vtt/.json transcript"]


def test_search_filters_and_pagination(web: Any, signed_in: Any, a11y: Any) -> None:
    ids = [web.upload("coach", SAMPLES / "discovery_call.vtt", title=f"Search probe {i}") for i in range(2)]
    for call_id in ids:
        web.wait_done("coach", call_id)
    page = signed_in("coach")
    page.get_by_label("Search transcripts").fill("recording tools")
    page.get_by_role("button", name="Apply").click()
    titles = page.locator("#calls tbody td:nth-child(2)").all_inner_texts()
    assert "Search probe 0" in titles and "Search probe 1" in titles
    page.get_by_label("Search transcripts").fill("zeppelin")
    page.get_by_role("button", name="Apply").click()
    assert page.locator("#calls tbody").inner_text().strip() == "No calls match."
    page.goto("/?status=done&tracker=pricing")
    assert "Search probe 0" in page.locator("#calls").inner_text()
    page.goto("/?outcome=won")
    assert "Search probe" not in page.locator("#calls").inner_text()
    a11y(page)


def test_rep_sees_only_their_own_calls(web: Any, signed_in: Any) -> None:
    west = web.upload("rep_west", SAMPLES / "discovery_call.vtt", title="West only call")
    page = signed_in("rep")
    assert "West only call" not in page.locator("#calls").inner_text()
    page_admin = signed_in("admin")
    page_admin.goto(f"/?q=&rep={web.people['rep_west'].user_id}")
    assert "West only call" in page_admin.locator("#calls").inner_text()
    web.wait_done("rep_west", west)


def test_table_refreshes_when_an_upload_finishes(web: Any, signed_in: Any, drop: Any, tmp_path: Path) -> None:
    page = signed_in("rep")
    vtt = tmp_path / "refresh-probe.vtt"
    vtt.write_bytes((SAMPLES / "discovery_call.vtt").read_bytes())
    before = page.locator("p.count").inner_text()
    drop(page, vtt, "text/vtt")
    item = page.locator("#uploads li").filter(has_text="refresh-probe.vtt")
    item.locator(".upload-state", has_text="done").wait_for(timeout=120_000)
    call_id = item.get_attribute("data-call-id")
    # No reload: the row is in the table, done, and the count went up by one.
    row = page.locator("#calls tbody tr", has=page.locator(f'a[href="/calls/{call_id}"]'))
    assert row.locator("td.status").get_attribute("data-status") == "done"
    assert int(page.locator("p.count").inner_text().split()[0]) == int(before.split()[0]) + 1
