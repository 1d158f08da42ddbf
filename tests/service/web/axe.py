"""axe-core in the browser tests: the copy inside axe-playwright-python, run on a Playwright page.
`conftest.check_a11y`, every screenshot (`conftest.shoot`) and every page of the layout tests
(`test_layout.layout_problems`) ask it; serious and critical violations fail."""

from __future__ import annotations

from typing import Any

BLOCKING = ("serious", "critical")


def violations(page: Any) -> list[str]:
    """The page's serious and critical axe-core violations, one line each (rule, impact, what it
    asks, the first three elements); empty when there is none."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
            for v in results.response["violations"] if v.get("impact") in BLOCKING]
