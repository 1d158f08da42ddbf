"""Coaching pages: the review inbox, a rep's trends and the team's insights."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from coaching.insights import InsightOptions, compute_insights
from service.core.errors import Invalid
from service.core.i18n import N_, format_day
from service.domain import insights_view, scorecards, trends
from service.domain.insights import latest_snapshot, store_snapshot, visible_feature_columns
from service.web import insight_words
from service.web.i18n import request_locale, tr
from service.web.pages import SignedIn, check_csrf, render
from transcription.display import clock

router = APIRouter(include_in_schema=False)
# The words of `trends.TREND_METRICS` (titles and units), for the catalogue: the trends page shows
# them translated (tests/service/test_i18n_catalog.py checks that none is missing).
METRIC_WORDS = (N_("Talk ratio"), N_("Open questions in the first 90 s"), N_("Longest monologue"),
                N_("Patience (pause before answering)"), N_("Questions per call"), N_("per call"), N_("s"))


@router.get("/inbox")
def review_inbox(request: Request, who: SignedIn) -> Response:
    """The analysed calls of the coach's team that nobody has scored yet."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        calls = scorecards.review_inbox(session, who.principal)
    return render(request, "inbox.html", {"calls": calls, "clock": clock}, who)


def _weeks(value: str | None) -> int:
    """The `?weeks=` of a trends page (a page shows an error page for a bad one, not JSON)."""
    if not value:
        return trends.DEFAULT_WEEKS
    try:
        return int(value)
    except ValueError as exc:
        raise Invalid(N_("weeks must be a whole number of weeks, not %(value)r", value=value)) from exc


def _trends_page(request: Request, who: SignedIn, user_id: str, weeks_arg: str | None) -> Response:
    weeks = _weeks(weeks_arg)
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        data = trends.rep_trends(session, who.principal, user_id, weeks=weeks)
        reps = trends.reps_in_view(session, who.principal)
    own = user_id == who.principal.user_id
    chart = {
        "weeks": [w.isoformat() for w in data.weeks],
        "week_labels": [format_day(request_locale(request), w) for w in data.weeks],
        "rep_name": data.rep.name,
        "team_name": tr(request, "Team %(team)s", team=data.rep.team_name) if data.rep.team_name else None,
        "rep_calls": data.rep_calls,
        "team_calls": data.team_calls,
        "series": [{"metric": s.metric.name, "title": tr(request, s.metric.title), "unit": tr(request, s.metric.unit),
                    "rep": s.rep, "team": s.team} for s in data.series],
    }
    return render(request, "trends.html", {"t": data, "chart": chart, "own": own, "reps": reps, "weeks": weeks,
                                           "week_choices": sorted({*trends.WEEK_CHOICES, weeks})}, who)


@router.get("/me")
def my_trends(request: Request, who: SignedIn, weeks: str | None = None) -> Response:
    """The signed-in person's own weekly trends against their team."""
    return _trends_page(request, who, who.user.id, weeks)


@router.get("/reps")
def pick_rep(who: SignedIn, rep: str = "", weeks: str | None = None) -> Response:
    """The rep picker's GET form: on to that rep's page."""
    if not rep:
        return RedirectResponse("/me", status_code=303)
    return RedirectResponse(f"/reps/{quote(rep, safe='')}?weeks={_weeks(weeks)}", status_code=303)


@router.get("/reps/{user_id}")
def rep_trends(request: Request, user_id: str, who: SignedIn, weeks: str | None = None) -> Response:
    """A rep's weekly trends: a coach sees their team's reps, an admin anyone in the organization, a
    rep only themselves (anyone else is a 404 page)."""
    return _trends_page(request, who, user_id, weeks)


@router.get("/insights")
def team_insights(request: Request, who: SignedIn) -> Response:
    """What goes with won deals, over the calls the coach (team) or admin (organization) sees."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        view = insights_view.team_insights(session, who.principal)
        current, snapshot_id = latest_snapshot(session, who.principal.org_id, who.principal.team_id)
    locale = request_locale(request)
    words = [insight_words.row_words(locale, r, view.min_group) for r in view.rows]
    chart = {"rows": [{**r.chart_data(), "label": w.label} for r, w in zip(view.rows, words, strict=True)]}
    return render(request, "insights.html", {"v": view, "chart": chart, "snapshot": current, "words": words,
                                             "notes": [insight_words.note_words(locale, n, view.rows)
                                                       for n in view.notes],
                                             "method": insight_words.method_words(locale, view.method),
                                             "scope": _scope_words(request, view.scope),
                                             "own_scope": view.scope == "your calls",
                                             "stored": request.query_params.get("stored") == "1"}, who)


def _scope_words(request: Request, scope: str) -> str:
    """The insights' scope (`insights_view`'s English: "the whole organization", "team East", "your
    team", "your calls") in the request's language."""
    if scope == "the whole organization":
        return tr(request, "the whole organization")
    if scope == "your team":
        return tr(request, "your team")
    if scope == "your calls":
        return tr(request, "your calls")
    if scope.startswith("team "):
        return tr(request, "team %(name)s", name=scope[len("team "):])
    return scope


@router.post("/insights/snapshot")
async def keep_insights(request: Request, who: SignedIn) -> Response:
    """Keep the scope's insights as its current ones: they rank its calls' suggestions and choose
    its live cards from now on (the same as `POST /v1/insights/snapshots`)."""
    check_csrf(await request.form(), who)

    def store() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            refusal = insights_view.team_insights(session, who.principal).keep_refusal
            if refusal:
                raise Invalid(refusal)
            report = compute_insights(visible_feature_columns(session, who.principal), InsightOptions()).to_dict()
            store_snapshot(session, who.principal, report)

    await run_in_threadpool(store)
    return RedirectResponse("/insights?stored=1", status_code=303)
