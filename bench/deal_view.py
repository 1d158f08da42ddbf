"""Speed of the deal view: a 20-call deal on a real server (SQLite stack, `devstack`).

Uploads the bundled sample transcript once (the real pipeline), then stores `--calls` calls of one
deal (each with a brief of 27 items and 8 chapters, written by hand: `devstack.deals`) among
`--other-calls` calls of 100 other deals of the same organization, all through
`service.domain.analyses.store_analysis`, the function the analysis jobs call. Then measures,
`--repeat` times each, p50 and p95:

- `GET /v1/deals/{id}`: the server's time (the `Server-Timing` header: handler and serialisation);
- the domain function `service.domain.deals.deal_view` in this process (its own session each time);
- the deal page `/deals/{id}` (server time: handler and template);
- `GET /v1/deals`: the first request (every deal of the organization judged), then again (the
  judgements of deals that did not change are kept), and `GET /v1/deals?warning=...`;
- the baseline: one call's brief, `GET /v1/calls/{id}/brief` and `service.domain.briefs.call_brief`.

    .venv/bin/python -m bench.deal_view [--calls 20] [--other-calls 500] [--repeat 100]

Target: the deal view of a 20-call deal at most 100 ms server time (p50). Numbers: docs/deals.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from devstack.deals import SeedCall, brief, item, store_calls
from devstack.stack import BASE_ENV, Stack, bootstrap_accounts

REPO = Path(__file__).resolve().parents[1]
TARGET_MS = 100.0


def rich_brief(n: int, when: datetime) -> dict[str, Any]:
    """27 items (three of each kind) and 8 chapters: a long call's brief."""
    said = "we spend about two days a week rebuilding the same report by hand and it still comes out wrong"
    items = []
    for k in range(3):
        t = 60.0 * k
        items += [item("pain", said, t + 5), item("need", f"we need {said}", t + 10),
                  item("objection", "the price is more than we planned for", t + 15,
                       detail=("price", "timing", "authority")[(n + k) % 3]),
                  item("budget", "we have about forty thousand for this", t + 20, amount=40000.0 + 1000 * n),
                  item("price", "the list price is sixty thousand a year", t + 25, speaker="S1", role="rep",
                       amount=60000.0),
                  item("competitor", "we also looked at Gong", t + 30, detail=("Gong", "Chorus", "Clari")[k]),
                  item("decision", "our CFO signs anything over fifty thousand", t + 35, detail="Maria Lopez"),
                  item("question", "how long does the rollout take?", t + 40),
                  item("next_step", "I'll send you the proposal by Friday", t + 45, speaker="S1", role="rep",
                       owner="rep", due=(when + timedelta(days=4)).date().isoformat(), date_phrase="by Friday")]
    return brief(items, call_date=when.date().isoformat(), chapters=8)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def server_ms(client: httpx.Client, path: str, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        timing = r.headers["server-timing"]  # app;dur=12.3
        out.append(float(timing.split("dur=")[1]))
    return out


def timed_ms(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(1000 * (time.perf_counter() - t0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--other-calls", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="talktrack-deal-bench-"))
    env = {**os.environ, **BASE_ENV, "TALKTRACK_DATA_DIR": str(tmp / "data"),
           "TALKTRACK_RATE_LIMIT_PER_MINUTE": "1000000", "TALKTRACK_RATE_LIMIT_BURST": "100000"}
    env.pop("TALKTRACK_DATABASE_URL", None)
    env.pop("TALKTRACK_BROKER_URL", None)
    stack = Stack(name="sqlite", env=env, tmp=tmp)
    bootstrap_accounts(stack)
    stack.start_server()
    try:
        run(stack, args)
    finally:
        stack.stop()


def run(stack: Stack, args: argparse.Namespace) -> None:
    from sqlmodel import Session

    from models import User
    from service.core.access import Principal
    from service.core.db import get_engine, session_scope
    from service.core.sessions import SESSION_COOKIE, start_session
    from service.domain.briefs import call_brief
    from service.domain.deals import deal_path, deal_view

    with stack.client("rep1", timeout=120) as c:
        vtt = (REPO / "samples" / "discovery_call.vtt").read_bytes()
        call_id = c.post("/v1/calls", files={"file": ("discovery_call.vtt", vtt, "text/vtt")}).json()["id"]
        deadline = time.monotonic() + 300
        while (body := c.get(f"/v1/calls/{call_id}").json())["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, "the sample call was not analysed in time"
            time.sleep(0.3)
    assert body["status"] == "done", body
    base = body["analysis"]
    ids = stack.ids
    owner = {"org_id": ids["org_a"], "team_id": ids["team1"], "rep_user_id": ids["rep1"]}
    now = datetime.now(UTC)
    deal_id = "006BENCH0000000001"
    t0 = time.perf_counter()
    deal_calls = store_calls(stack.settings(), base, [
        SeedCall(**owner, started_at=now - timedelta(days=7 * (args.calls - n)), deal_id=deal_id, title=f"Call {n + 1}",
                 brief=rich_brief(n, now - timedelta(days=7 * (args.calls - n))),
                 speakers=[("Alex", "rep", 100.0 + 5 * n), ("Maria", "customer", 150.0 - 5 * n)],
                 customer_questions=max(0, 8 - n)) for n in range(args.calls)])
    others = [SeedCall(**owner, started_at=now - timedelta(hours=n), deal_id=f"006OTHER{n % 100:010d}",
                       brief=rich_brief(n, now - timedelta(hours=n))) for n in range(args.other_calls)]
    for start in range(0, len(others), 100):
        store_calls(stack.settings(), base, others[start:start + 100])
    print(f"seeded {args.calls} + {args.other_calls} calls in {time.perf_counter() - t0:.1f} s")

    settings = stack.settings()
    with session_scope(settings) as s:
        coach = s.get(User, ids["coach"])
        assert coach is not None
        token = start_session(s, coach, hours=1).token
    engine = get_engine(settings)
    admin = Principal(key_id="bench", org_id=ids["org_a"], role="admin")

    def domain_view() -> None:
        with Session(engine) as session:
            view = deal_view(session, admin, deal_id)
        assert len(view.calls) == args.calls

    def domain_brief() -> None:
        with Session(engine) as session:
            call_brief(session, admin, deal_calls[-1])

    rows: list[tuple[str, list[float]]] = []
    with stack.client("admin", timeout=60) as c:
        view = c.get(f"/v1/deals/{deal_id}").json()
        print(f"deal: {len(view['calls'])} calls, {sum(len(v) for k, v in view['story'].items() if isinstance(v, list))} "
              f"story entries, warnings {[w['code'] for w in view['warnings']]}")
        for _ in range(5):  # warm: first requests load templates and caches
            c.get(f"/v1/deals/{deal_id}")
            c.get(f"/v1/calls/{deal_calls[-1]}/brief")
        rows.append(("GET /v1/calls/{id}/brief (baseline)", server_ms(c, f"/v1/calls/{deal_calls[-1]}/brief", args.repeat)))
        rows.append((f"GET /v1/deals/{{id}} ({args.calls} calls)", server_ms(c, f"/v1/deals/{deal_id}", args.repeat)))
        listing = f"{1 + min(100, args.other_calls)} deals, {args.calls + args.other_calls} calls"
        rows.append((f"GET /v1/deals ({listing}; first, every deal judged)", server_ms(c, "/v1/deals", 1)))
        rows.append((f"GET /v1/deals ({listing}; again, judgements kept)",
                     server_ms(c, "/v1/deals", max(10, args.repeat // 5))))
        rows.append(("GET /v1/deals?warning=competitor_in_play", server_ms(c, "/v1/deals?warning=competitor_in_play",
                                                                           max(10, args.repeat // 5))))
    with httpx.Client(base_url=stack.url, cookies={SESSION_COOKIE: token}, timeout=60) as page:
        page.get(deal_path(deal_id))
        rows.append((f"page /deals/{{id}} ({args.calls} calls)", server_ms(page, deal_path(deal_id), args.repeat)))
    domain_brief()
    domain_view()
    rows.append(("domain call_brief (baseline, in-process)", timed_ms(domain_brief, args.repeat)))
    rows.append((f"domain deal_view ({args.calls} calls, in-process)", timed_ms(domain_view, args.repeat)))

    print(f"\n{'what':<62} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in rows:
        print(f"{name:<62} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f}")
    api_deal, api_brief = statistics.median(rows[1][1]), statistics.median(rows[0][1])
    dom_deal, dom_brief = statistics.median(rows[-1][1]), statistics.median(rows[-2][1])
    print(f"\ndeal view / one brief: API {api_deal / api_brief:.1f}x, domain {dom_deal / dom_brief:.1f}x")
    verdict = "meets" if api_deal <= TARGET_MS else "MISSES"
    print(f"deal view server time p50 {api_deal:.1f} ms: {verdict} the target of {TARGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
