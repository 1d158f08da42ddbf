"""The custom-vocabulary admin page in a real browser against a real `talktrack serve`: an admin
saves terms and the API returns them (groups kept), a bad list comes back with the reason and
nothing stored, a coach gets the 403 page, and the page fits desktop and phone widths."""

from __future__ import annotations

from typing import Any

from tests.service.web.layout import layout_problems


def _api_vocabulary(web: Any) -> dict[str, Any]:
    with web.api("admin") as c:
        r = c.get("/v1/vocabulary")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_admin_saves_the_vocabulary_and_the_api_returns_it(web: Any, signed_in: Any) -> None:
    with web.api("admin") as c:  # a vocabulary set through the API, with a group
        r = c.put("/v1/vocabulary", json={"competitors": ["Gong"]})
    assert r.status_code == 200, r.text

    page = signed_in("admin")
    page.goto("/admin")
    page.get_by_role("navigation", name="Admin sections").get_by_role("link", name="Custom vocabulary").click()
    page.get_by_role("heading", name="Custom vocabulary", exact=True).wait_for()
    assert "calls analysed from now on" in page.locator(".admin-body").inner_text()
    box = page.get_by_label("Terms, one per line")
    assert box.input_value() == "Gong"  # what the API stored, one term a line

    box.fill("Gong\n  Acme Cloud  \n\n")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("status").first.inner_text() == "Vocabulary saved: calls analysed from now on use it."
    assert page.url.endswith("/admin/vocabulary?done=vocabulary-saved")
    assert box.input_value() == "Gong\nAcme Cloud"
    body = _api_vocabulary(web)
    assert body["all_terms"] == ["Gong", "Acme Cloud"]
    assert body["competitors"] == ["Gong"] and body["terms"] == ["Acme Cloud"]  # Gong keeps its group
    assert body["products"] == body["companies"] == body["people"] == []
    saved_at = body["updated_at"]

    # A term over 60 characters: the reason on the page, what was typed kept, nothing stored.
    long_term = "Talktrack " + "x" * 55
    box.fill(f"Chorus\n{long_term}")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save").click()
    assert posted.value.status == 422
    assert "is longer than 60 characters" in page.get_by_role("alert").inner_text()
    assert box.input_value() == f"Chorus\n{long_term}"
    after = _api_vocabulary(web)
    assert after["all_terms"] == ["Gong", "Acme Cloud"] and after["updated_at"] == saved_at

    # Too many terms: the same rule as PUT /v1/vocabulary (at most 100), nothing stored.
    box.fill("\n".join(f"Term {i}" for i in range(101)))
    page.get_by_role("button", name="Save").click()
    assert "101 terms; at most 100" in page.get_by_role("alert").inner_text()
    assert _api_vocabulary(web)["all_terms"] == ["Gong", "Acme Cloud"]

    # A form without the session's CSRF token is refused and stores nothing.
    r = page.request.post("/admin/vocabulary", form={"text": "Forged"}, max_redirects=0)
    assert r.status == 403
    assert _api_vocabulary(web)["all_terms"] == ["Gong", "Acme Cloud"]

    page.goto("/admin/vocabulary")
    problems = layout_problems(page, "/admin/vocabulary", "admin-vocabulary")
    assert not problems, "\n".join(problems)


def test_coach_gets_the_403_page_and_cannot_save(web: Any, signed_in: Any) -> None:
    before = _api_vocabulary(web)["all_terms"]
    page = signed_in("coach")
    response = page.goto("/admin/vocabulary")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    # Even with a valid CSRF token (from a page the coach may open), a coach's form is refused.
    page.goto("/")
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert csrf
    r = page.request.post("/admin/vocabulary", form={"csrf_token": csrf, "text": "Coach term"}, max_redirects=0)
    assert r.status == 403
    assert _api_vocabulary(web)["all_terms"] == before
    problems = layout_problems(page, "/admin/vocabulary", "admin-vocabulary-coach", status=403)
    assert not problems, "\n".join(problems)
