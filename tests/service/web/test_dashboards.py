"""Dashboards in a real browser: a rep's weekly trends (/me, /reps/{id}) and team insights (/insights).

Analysed calls with outcomes are written straight into the server's database (feature rows, as the
analysis stage stores them) for an organization of their own, so the other page tests keep their
data. The expected numbers are computed here from the seeded values, not read back through the code
under test.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from coaching.features import METRIC_NAMES, CallFeatures
from coaching.insights import InsightOptions, compute_insights
from coaching.synthetic import make_corpus

PASSWORD = "correct horse battery staple"  # the test people's password (conftest.py)
N_CALLS = 480
N_REPS = 6  # rep0: the signed-in rep; rep0..rep3 in team North; rep4, rep5 in team South
RARE_TRACKER = "legal_review"  # on a handful of calls: shown greyed, too few to judge


@dataclass
class Seeded:
    org_id: str
    north: list[CallFeatures]
    rep_calls: list[tuple[datetime, CallFeatures]]
    team_calls: list[tuple[datetime, CallFeatures]]


@pytest.fixture(scope="module")
def dash(web: Any) -> Seeded:
    from models import Call, Outcome
    from models.coaching import CallFeatureRow
    from service.core.accounts import create_org, create_team, create_user
    from service.core.db import session_scope
    from service.core.sessions import set_password

    person = type(web.people["rep"])  # conftest's Person (conftest cannot be imported)
    corpus = make_corpus(n_calls=N_CALLS, seed=5, n_reps=N_REPS)
    now = datetime.now(UTC).replace(microsecond=0)
    rep_calls: list[tuple[datetime, CallFeatures]] = []
    team_calls: list[tuple[datetime, CallFeatures]] = []
    north: list[CallFeatures] = []
    with session_scope(web.stack.settings()) as s:
        org = create_org(s, "Dashco")
        teams = {"North": create_team(s, org.id, "North"), "South": create_team(s, org.id, "South")}
        users = {}
        for key, name, team, role in (("dash_coach", "Nora Coach", "North", "coach"),
                                      ("dash_rep", "Nils Rep", "North", "rep"),
                                      ("dash_south", "Sara South", "South", "rep")):
            user = create_user(s, org.id, name, team_id=teams[team].id, email=f"{key}@example.test", role=role)
            set_password(s, user, PASSWORD)
            users[key] = user
            web.people[key] = person(role, f"{key}@example.test", user.id, name, teams[team].id)
        for i, c in enumerate(corpus.calls):
            rep_index = i % N_REPS
            team = "North" if rep_index < 4 else "South"
            owner = users["dash_rep"] if rep_index == 0 else users["dash_south"] if rep_index == 4 else None
            trackers = sorted(c.trackers | ({RARE_TRACKER} if i % 60 == 0 else set()))
            when = now - timedelta(days=(i * 11) % 70, hours=i % 7)
            call = Call(org_id=org.id, team_id=teams[team].id, rep_user_id=owner.id if owner else None,
                        rep_name=c.rep, media_kind="vtt", status="done", started_at=when, title=f"Seeded {i}")
            s.add(call)
            s.flush()
            s.add(CallFeatureRow(call_id=call.id, org_id=org.id, rep=c.rep, duration_s=c.duration_s,
                                 trackers=trackers, **{m: c.metrics.get(m) for m in METRIC_NAMES}))
            s.add(Outcome(org_id=org.id, call_id=call.id, outcome="won" if c.outcome else "lost"))
            if team == "North":
                seen = CallFeatures(c.call_id, c.rep, c.outcome, c.duration_s, c.metrics, frozenset(trackers))
                north.append(seen)
                team_calls.append((when, c))
                if rep_index == 0:
                    rep_calls.append((when, c))
        s.commit()
        return Seeded(org.id, north, rep_calls, team_calls)


def _weekly_mean(calls: list[tuple[datetime, CallFeatures]], metric: str, scale: float) -> dict[str, float]:
    by_week: dict[str, list[float]] = defaultdict(list)
    for when, c in calls:
        value = c.metrics.get(metric)
        if value is not None:
            monday: date = when.date() - timedelta(days=when.weekday())
            by_week[monday.isoformat()].append(value * scale)
    return {w: sum(v) / len(v) for w, v in by_week.items()}


def _chart(page: Any, selector: str) -> Any:
    page.wait_for_function("s => window.Chart && Chart.getChart(document.querySelector(s))", arg=selector)
    return page.evaluate("""s => {
        const c = Chart.getChart(document.querySelector(s));
        return {labels: c.data.labels, datasets: c.data.datasets.map(d => ({label: d.label, data: d.data}))};
    }""", selector)


def test_rep_sees_own_trends_against_the_team(web: Any, dash: Seeded, signed_in: Any, shots: Any,
                                               a11y: Any) -> None:
    page = signed_in("dash_rep")
    page.goto("/me")
    assert page.get_by_role("heading", name="My trends").is_visible()
    assert page.locator("canvas[data-metric]").count() == 5
    chart = _chart(page, 'canvas[data-metric="talk_ratio"]')
    assert [d["label"] for d in chart["datasets"]] == ["Nils Rep", "Team North"]
    rep_means = _weekly_mean(dash.rep_calls, "talk_ratio", 100.0)
    team_means = _weekly_mean(dash.team_calls, "talk_ratio", 100.0)
    weeks_checked = 0
    for i, week in enumerate(chart["labels"]):
        if week in rep_means:
            assert chart["datasets"][0]["data"][i] == pytest.approx(rep_means[week], abs=0.051)
            assert chart["datasets"][1]["data"][i] == pytest.approx(team_means[week], abs=0.051)
            weeks_checked += 1
        else:
            assert chart["datasets"][0]["data"][i] is None
    assert weeks_checked >= 8  # the seeded calls span 10 weeks; the window holds the last 12
    shots(page, "rep-trends")
    # The same numbers as a table (the charts' accessible fallback).
    busiest = max(rep_means, key=lambda w: sum(1 for t, _ in dash.rep_calls
                                               if (t.date() - timedelta(days=t.weekday())).isoformat() == w))
    page.locator("#trend-talk_ratio summary").click()
    row = page.locator("#trend-talk_ratio table tbody tr", has=page.locator(f'th:text-is("{busiest}")'))
    assert row.locator("td").first.inner_text() == f"{round(rep_means[busiest], 1)}"
    questions = _chart(page, 'canvas[data-metric="question_count_rep"]')
    q_means = _weekly_mean(dash.rep_calls, "question_count_rep", 1.0)
    i = questions["labels"].index(busiest)
    assert questions["datasets"][0]["data"][i] == pytest.approx(q_means[busiest], abs=0.051)
    a11y(page)


def test_coach_sees_team_insights_as_a_forest_plot(web: Any, dash: Seeded, signed_in: Any, shots: Any,
                                                   a11y: Any) -> None:
    from models.coaching import InsightSnapshot
    from service.core.db import session_scope

    expected = compute_insights(dash.north, InsightOptions(regression=False))
    page = signed_in("dash_coach")
    page.goto("/insights")
    assert page.get_by_role("heading", name="Team insights").is_visible()
    assert f"{expected.n_calls} closed calls" in page.locator("main").inner_text()
    rows = page.locator("tr.forest-row")
    assert rows.count() == len(expected.findings)
    judged = [f for f in expected.findings if f.status == "finding"]
    assert page.locator("tr.forest-row canvas").count() == len(judged)
    # Each judged feature's bar is its 95% interval of the win-rate ratio, the point its estimate.
    talk = expected.finding("talk_ratio")
    assert talk is not None and talk.lift is not None and talk.lift_ci is not None
    chart = _chart(page, 'tr[data-feature="talk_ratio"] canvas')
    low, high = chart["datasets"][0]["data"][0]
    assert low == pytest.approx(1 + talk.lift_ci[0], abs=1e-3) and high == pytest.approx(1 + talk.lift_ci[1], abs=1e-3)
    assert chart["datasets"][1]["data"][0]["x"] == pytest.approx(1 + talk.lift, abs=1e-3)
    assert talk.sentence in page.locator('tr[data-feature="talk_ratio"]').inner_text()
    # The rare tracker is greyed, with the reason and no plot.
    rare = page.locator(f'tr[data-feature="tracker:{RARE_TRACKER}"]')
    assert "greyed" in (rare.get_attribute("class") or "")
    assert "Not enough data" in rare.inner_text() and "Too few calls" in rare.inner_text()
    assert rare.locator("canvas").count() == 0
    assert page.locator("#forest-axis").count() == 1
    a11y(page)
    shots(page, "team-insights")
    # A page GET writes nothing: no insight snapshot for this organization.
    with session_scope(web.stack.settings()) as s:
        n = s.execute(select(func.count()).select_from(InsightSnapshot)
                      .where(InsightSnapshot.org_id == dash.org_id)).scalar_one()  # type: ignore[arg-type]
    assert n == 0


def test_the_charts_speak_the_pages_language(web: Any, dash: Seeded, signed_in: Any) -> None:
    """The words the chart scripts write (axis days, tooltips, legends) come from the page's
    catalogue: a Chinese page's trend chart has Chinese days and tooltips, its forest plot a
    Chinese legend; the English ones keep ISO days (the table's too)."""
    page = signed_in("dash_rep")
    page.context.add_cookies([{"name": "tt_lang", "value": "zh-CN", "url": web.url}])
    page.goto("/me")
    assert page.get_by_role("heading", name="我的趋势").is_visible()
    labels = _chart(page, 'canvas[data-metric="talk_ratio"]')["labels"]
    assert labels and all(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", w) for w in labels), labels
    tooltip = page.evaluate("""() => {
        const c = Chart.getChart(document.querySelector('canvas[data-metric="talk_ratio"]'));
        const cb = c.options.plugins.tooltip.callbacks;
        const items = [{label: c.data.labels[0], dataIndex: 0}];
        return {title: cb.title(items), body: cb.afterBody(items)};
    }""")
    assert tooltip["title"] == f"{labels[0]} 这一周"
    assert re.fullmatch(r"Nils Rep 的 \d+ 次通话", tooltip["body"][0]) and re.fullmatch(r"团队 \d+ 次通话", tooltip["body"][1])

    coach = signed_in("dash_coach")
    coach.context.add_cookies([{"name": "tt_lang", "value": "zh-CN", "url": web.url}])
    coach.goto("/insights")
    chart = _chart(coach, 'tr[data-feature="talk_ratio"] canvas')
    assert [d["label"] for d in chart["datasets"]] == ["95% 区间", "估计值"]
    # The behaviours and their sentences are Chinese too, with the same numbers.
    assert chart["labels"] == ["销售代表发言占比至多 65%"]
    talk = compute_insights(dash.north, InsightOptions(regression=False)).finding("talk_ratio")
    assert talk is not None
    row = coach.locator('tr[data-feature="talk_ratio"]')
    assert row.locator("th").inner_text().startswith("销售代表发言占比至多 65%")
    sentence = row.locator("td.sentence").inner_text()
    assert f"n = {talk.n_with} / {talk.n_without}；校正后 p = " in sentence, sentence
    assert not re.search(r"[A-Za-z]{3,}", sentence), sentence
    rare = coach.locator(f'tr[data-feature="tracker:{RARE_TRACKER}"]').inner_text()
    assert "数据不足" in rare and "通话太少，无法判断“提到了 legal review”" in rare, rare
    assert "Method:" not in coach.locator("main").inner_text()
    coach.context.clear_cookies(name="tt_lang")
    coach.goto("/insights")
    chart = _chart(coach, 'tr[data-feature="talk_ratio"] canvas')
    assert [d["label"] for d in chart["datasets"]] == ["95% interval", "estimate"]
    assert chart["labels"] == ["rep talk ratio at most 65%"]


def test_a_rep_is_refused_insights(web: Any, signed_in: Any) -> None:
    page = signed_in("rep")
    response = page.goto("/insights")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    assert "a rep cannot do this" in page.locator("main").inner_text()


def test_who_may_open_a_reps_trends(web: Any, signed_in: Any) -> None:
    people = web.people
    coach = signed_in("coach")  # team East
    response = coach.goto(f"/reps/{people['rep_west'].user_id}")
    assert response is not None and response.status == 404
    assert coach.get_by_role("heading", name="Not found").is_visible()
    response = coach.goto(f"/reps/{people['rep'].user_id}")  # their own team's rep
    assert response is not None and response.status == 200
    assert coach.get_by_role("heading", name=f"Trends of {people['rep'].name}").is_visible()
    # The picker offers the coach's team only (other tests may add people to East meanwhile).
    options = coach.get_by_label("Rep").locator("option").all_inner_texts()
    assert {f"{p.name} (East)" for p in (people["coach"], people["rep"])} <= set(options)
    assert all(o.endswith("(East)") for o in options) and options == sorted(options)
    rep = signed_in("rep")
    response = rep.goto(f"/reps/{people['coach'].user_id}")  # a rep: only themselves
    assert response is not None and response.status == 404
    response = rep.goto("/me?weeks=many")  # a bad period is an error page, not a JSON error
    assert response is not None and response.status == 422
    assert "weeks must be a whole number" in rep.locator("main").inner_text()
    admin = signed_in("admin")
    response = admin.goto(f"/reps/{people['rep_west'].user_id}")
    assert response is not None and response.status == 200
    response = admin.goto(f"/reps/{people['rep_other'].user_id}")  # another organization
    assert response is not None and response.status == 404
