"""The admin's retention, deletion and audit pages in Chromium: the policy form (and its refusal of
a bad number), deleting a call with its tombstone shown, and the audit trail's filters and exports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any


def test_retention_policy_and_deleting_a_call(web: Any, signed_in: Any, h: Any, tmp_path: Path, shots: Any,
                                              a11y: Any) -> None:
    vtt = tmp_path / "privacy.vtt"
    vtt.write_text(h.vtt)
    call_id = web.upload("rep", vtt, title="Delete me on request")
    web.wait_done("rep", call_id)
    page = signed_in("admin")
    page.goto("/admin/retention")
    page.get_by_label("Recordings (days)").fill("30")
    page.get_by_label("Transcripts and analyses (days)").fill("ninety")
    page.get_by_role("button", name="Save policy").click()
    assert "give a whole number of days" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Transcripts and analyses (days)").input_value() == "ninety"  # what was typed
    page.get_by_label("Transcripts and analyses (days)").fill("90")
    page.get_by_role("button", name="Save policy").click()
    page.wait_for_url(re.compile(r".*/admin/retention\?done=policy-saved"))
    assert "Retention policy saved" in page.get_by_role("status").first.inner_text()
    assert page.locator("#policy-now").inner_text() == ("Now: recordings 30 days; transcripts and analyses 90 days.")

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Call id").fill(call_id)
    page.get_by_role("button", name="Delete the call").click()
    deleted = page.locator("#deleted")
    deleted.wait_for()
    # Words for people; the precise counts per table stay in the tombstone and the audit event.
    said = " ".join(deleted.locator("p").inner_text().split())
    assert said.startswith(f"Deleted the call, its analysis and uploaded transcript. (Call {call_id}.)"), said
    assert "tombstone" in said and "coaching feature" not in said and "search text" not in said
    assert call_id in page.locator("#tombstones").inner_text()
    with web.api("admin") as c:
        stone = c.get("/v1/tombstones", params={"kind": "call"}).json()["items"][0]
        assert stone["subject_id"] == call_id and stone["counts"]["callfeatures"] == 1 \
            and stone["counts"]["calltext"] == 1 and stone["counts"]["objects"] == 1
    a11y(page)
    shots(page, "admin-retention")
    with web.api("admin") as c:
        assert c.get(f"/v1/calls/{call_id}").status_code == 404
        assert c.put("/v1/retention", json={"audio_days": None, "analysis_days": None}).status_code == 200

    page.goto("/admin/audit")
    page.get_by_label("Action").select_option("call.delete")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*/admin/audit\?action=call\.delete.*"))
    rows = page.locator("#audit-events tbody tr")
    assert rows.count() >= 1 and {r.get_attribute("data-action") for r in rows.all()} == {"call.delete"}
    assert "Ada Admin" in rows.first.inner_text()
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    text = Path(download.value.path()).read_text()
    assert text.splitlines()[0].startswith("id,at,action,") and call_id in text
    a11y(page)
    shots(page, "admin-audit")
