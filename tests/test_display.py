"""One way to write a moment, a rate and a number, everywhere (`transcription.display`), and one
definition of each shared constant and formatter in the project."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from transcription.display import clock, hours_minutes, number, percent, rounded, signed_percent

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("transcription", "nlp", "coaching", "models", "service")


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "0:00"), (59.99, "0:59"), (122.7, "2:02"), (3599.9, "59:59"), (3725, "1:02:05"), (-3, "0:00"),
])
def test_clock_cuts_to_the_second(seconds: float, shown: str) -> None:
    assert clock(seconds) == shown


@pytest.mark.parametrize(("seconds", "shown"), [
    (20, "20 s"), (59.4, "59 s"), (60, "1 min"), (2712, "45 min"), (3599.9, "59 min"), (10800, "3 h 0 min"),
    (3 * 3600 + 25 * 60 + 40, "3 h 25 min"),
])
def test_a_length_in_hours_and_minutes(seconds: float, shown: str) -> None:
    assert hours_minutes(seconds) == shown


def test_missing_values() -> None:
    assert clock(None) == "-"
    assert clock(float("nan"), missing="n/a") == "n/a"
    assert percent(None) == "-"
    assert percent(0.654) == "65%"
    assert signed_percent(-0.05) == "-5%"
    assert number(12.345, " s") == "12.3 s"
    assert rounded(float("inf")) is None
    assert rounded(0.123456) == 0.1235


def test_the_surfaces_write_an_hour_the_same_way() -> None:
    from coaching import live_plan, suggestions
    from service.commands import scorecard_text
    from service.web import call_view
    from service.webhooks import delivery

    for module in (live_plan, suggestions, scorecard_text, delivery, call_view):
        assert module.clock(3725) == "1:02:05", module.__name__
    assert call_view.fmt_metric(3725.0, "s") == "1:02:05"


def _definitions() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for top in PACKAGES:
        for path in (REPO / top).rglob("*.py"):
            tree = ast.parse(path.read_text(), str(path))
            for node in tree.body:
                names: list[str] = []
                if isinstance(node, ast.FunctionDef):
                    names = [node.name]
                elif isinstance(node, ast.Assign):
                    names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    names = [node.target.id]
                for name in names:
                    found.setdefault(name, []).append(str(path.relative_to(REPO)))
    return found


@pytest.mark.parametrize("name", ["clock", "_clock", "format_clock", "_pct", "_r", "SAMPLE_RATE"])
def test_defined_once(name: str) -> None:
    assert len(_definitions().get(name, [])) <= 1, _definitions()[name]
