"""/docs and /redoc work with no network: every asset they load comes from this server."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

# src=, href=, ReDoc's spec-url= and Swagger UI's `url: '...'`
ASSET = re.compile(r"""(?:src|href|spec-url)=["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def server(h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    stack, _ = h.make_stack("sqlite", tmp_path_factory.mktemp("docs"))
    stack.start_server()
    try:
        yield stack.url
    finally:
        stack.stop()


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_references_only_this_server(server: str, page: str) -> None:
    html = httpx.get(server + page, timeout=10).text
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.I), html
    refs = [a or b for a, b in ASSET.findall(html)]
    assert "/openapi.json" in refs
    scripts = [r for r in refs if r.endswith((".js", ".css"))]
    assert scripts, html
    for ref in refs:
        r = httpx.get(server + ref, timeout=10)
        assert r.status_code == 200, ref
        if ref.endswith(".js"):
            assert len(r.content) > 100_000, ref  # the real bundles, not a stub


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_swagger_ui_renders_the_operations_offline(server: str, tmp_path: Path) -> None:
    """A headless browser that cannot resolve any host but loopback renders the operations list."""
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium on PATH for the browser test")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path}",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--virtual-time-budget=15000",
         "--dump-dom", server + "/docs"],
        capture_output=True, text=True, timeout=120).stdout
    assert "opblock" in dom, dom[-2000:]  # Swagger UI's operation rows
    for path in ("/v1/calls", "/v1/webhooks", "/healthz"):
        assert f'data-path="{path}"' in dom or f">{path}<" in dom, path
