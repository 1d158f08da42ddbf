"""Helpers every list page shares: the pager macro (library, deals, audit trail) and the date filters."""

from __future__ import annotations

from service.web.pages import TEMPLATES


def render(source: str) -> str:
    return TEMPLATES.env.from_string('{% from "_pager.html" import pager %}' + source).render()


def test_links_keep_the_filters_and_escape_them() -> None:
    html = render('{{ pager(2, 3, {"q": "a b", "rep": "x&y"}|urlencode) }}')
    assert '<a rel="prev" href="?q=a+b&amp;rep=x%26y&amp;page=1">Previous</a>' in html
    assert '<a rel="next" href="?q=a+b&amp;rep=x%26y&amp;page=3">Next</a>' in html
    assert "Page 2 of 3" in html


def test_first_and_last_pages_and_labels() -> None:
    first = render('{{ pager(1, 2, "") }}')
    assert 'rel="prev"' not in first and '<a rel="next" href="?page=2">Next</a>' in first
    last = render('{{ pager(2, 2, "action=x", "Newer", "Older") }}')
    assert '<a rel="prev" href="?action=x&amp;page=1">Newer</a>' in last and 'rel="next"' not in last
    assert render('{{ pager(1, 1, "") }}').strip() == ""  # one page: no pager


def test_filter_dates_are_utc_day_bounds_and_bad_ones_are_422() -> None:
    from datetime import UTC, datetime

    import pytest

    from service.core.errors import Invalid
    from service.web.pages import day_bound

    assert day_bound("") is None and day_bound(None) is None
    assert day_bound("2026-12-05") == datetime(2026, 12, 5, tzinfo=UTC)
    assert day_bound("2026-12-05", end=True) == datetime(2026, 12, 6, tzinfo=UTC)  # exclusive end
    with pytest.raises(Invalid, match="is not a date"):
        day_bound("05/12/2026")
