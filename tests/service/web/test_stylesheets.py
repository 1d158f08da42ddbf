"""Every stylesheet the web app serves parses without an error and its braces balance.

A block left open is no syntax error to a CSS parser (the end of the file closes it), which is how
two unclosed `@media (max-width: 900px) {` once made every admin, trends and insights rule apply on
narrow screens only: so the braces are counted too, outside comments and strings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[3] / "service" / "web" / "static"
SHEETS = sorted(p for p in STATIC.rglob("*.css") if "vendor" not in p.parts)


def brace_problems(css: str) -> list[str]:
    """Where the braces of `css` do not balance (comments and strings left out), as messages."""
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), css, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', '""', text)
    problems, opened = [], []
    for line_no, line in enumerate(text.splitlines(), 1):
        for ch in line:
            if ch == "{":
                opened.append(line_no)
            elif ch == "}":
                if not opened:
                    problems.append(f"line {line_no}: '}}' closes nothing")
                else:
                    opened.pop()
    problems += [f"line {n}: '{{' is never closed" for n in opened]
    return problems


def parse_errors(css: str) -> list[str]:
    """tinycss2's parse errors in the stylesheet, its rules' declarations and nested at-rules."""
    import tinycss2

    errors: list[str] = []

    def walk(nodes: list[object]) -> None:
        for node in nodes:
            kind = getattr(node, "type", "")
            if kind == "error":
                errors.append(f"line {node.source_line}: {node.message}")  # type: ignore[attr-defined]
            elif kind == "qualified-rule":
                for d in tinycss2.parse_declaration_list(node.content, skip_comments=True,  # type: ignore[attr-defined]
                                                         skip_whitespace=True):
                    if d.type == "error":
                        errors.append(f"line {d.source_line}: {d.message}")
            elif kind == "at-rule" and node.content is not None:  # type: ignore[attr-defined]
                walk(tinycss2.parse_rule_list(node.content, skip_comments=True,  # type: ignore[attr-defined]
                                              skip_whitespace=True))

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return errors


def test_there_are_stylesheets() -> None:
    assert [p.name for p in SHEETS] == ["app.css"]


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.name)
def test_stylesheet_parses_and_braces_balance(sheet: Path) -> None:
    css = sheet.read_text(encoding="utf-8")
    assert brace_problems(css) == []
    pytest.importorskip("tinycss2", reason="tinycss2 (the dev extra) parses the stylesheets")
    assert parse_errors(css) == []


def test_the_checks_catch_an_unclosed_media_block() -> None:
    broken = "a { color: red; }\n@media (max-width: 900px) {\n  .x { color: blue; }\n.admin { display: grid; }\n"
    assert brace_problems(broken) == ["line 2: '{' is never closed"]
    assert brace_problems("a { color: red; }}") == ["line 1: '}' closes nothing"]
    assert brace_problems('a::before { content: "{"; } /* { */') == []
    pytest.importorskip("tinycss2", reason="tinycss2 (the dev extra) parses the stylesheets")
    assert parse_errors("a { color red; }") != []
