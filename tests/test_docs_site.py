"""The documentation site builds without warnings, and its settings table matches the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from service.core.config import Settings

REPO = Path(__file__).resolve().parents[1]


def test_mkdocs_build_is_strict_clean(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr[-4000:]
    assert "WARNING" not in result.stderr, result.stderr[-4000:]
    page = (tmp_path / "site" / "configuration" / "index.html").read_text()
    assert "TALKTRACK_DATA_DIR" in page


def test_every_setting_is_documented() -> None:
    text = (REPO / "docs" / "configuration.md").read_text()
    missing = [f"TALKTRACK_{name.upper()}" for name in Settings.model_fields
               if f"`TALKTRACK_{name.upper()}`" not in text]
    assert not missing


def test_readme_links_point_at_existing_pages() -> None:
    readme = (REPO / "README.md").read_text()
    targets = {m.split("#")[0] for m in re.findall(r"\]\(([^)\s]+)\)", readme) if "://" not in m}
    assert targets and all((REPO / t).exists() for t in targets), targets
