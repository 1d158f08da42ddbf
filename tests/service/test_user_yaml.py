"""The parser of YAML people type (`service.core.user_yaml`) and the field rule of text sent to the
HTTP API (`service.core.text_input`), without a server."""

from __future__ import annotations

import pytest

from service.core.errors import Invalid
from service.core.strict_json import ControlCharError, loads
from service.core.text_input import field_problem, json_problem, path_problem, query_problem
from service.core.user_yaml import UserYamlError, load_user_yaml
from service.domain.definitions import MAX_PLAYBOOK_CHARS, bundled_playbook_yaml, parse_playbook_yaml

BOMB = "a: &a [lol, lol, lol]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"


def test_the_bundled_playbook_still_parses() -> None:
    content = parse_playbook_yaml(bundled_playbook_yaml())
    assert len(content["situations"]) >= 5


@pytest.mark.parametrize(("text", "reason"), [
    (BOMB, "line 1: anchors and aliases are not accepted (&a)"),
    ("x: 1\ny: *nowhere\n", "line 2: anchors and aliases are not accepted (*nowhere)"),
    ("base: &base {a: 1}\nother:\n  <<: *base\n", "anchors and aliases are not accepted (&base)"),
    ("a: .nan", "'.nan' is not a finite number"),
    ("a: [1.5, .inf]", "'.inf' is not a finite number"),
    ("a: -.Inf", "'-.Inf' is not a finite number"),
    ("a: 1.0e+999", "'1.0e+999' is not a finite number"),
    ('a: "x\\0y"', "the field 'a' contains a NUL character"),
    ("a: !!binary aGk=", "the tag 'tag:yaml.org,2002:binary' is not accepted"),
    ("a: !!set {x, y}", "the tag 'tag:yaml.org,2002:set' is not accepted"),
    ("a: !!python/object/apply:os.system [true]", "is not accepted"),
    ("1: one", "the key '1' is not text"),
    ("[" * 70 + "]" * 70, "nests deeper than 64 levels"),
    ("a: 1" + "0" * 5000, "Exceeds the limit (4300 digits)"),
    ("a: b: c", "is not valid YAML (line 1)"),
])
def test_refused_yaml_says_why(text: str, reason: str) -> None:
    with pytest.raises(UserYamlError) as caught:
        load_user_yaml(text, max_chars=10_000)
    assert reason in str(caught.value)


def test_accepted_yaml_is_json_data() -> None:
    data = load_user_yaml("when: 2026-01-31\nscore: 0.5\nn: 3\nok: true\nnone: null\nnote: |\n  two\n  lines\n",
                          max_chars=1000)
    assert data == {"when": "2026-01-31", "score": 0.5, "n": 3, "ok": True, "none": None, "note": "two\nlines\n"}
    with pytest.raises(UserYamlError, match="at most 10 characters"):
        load_user_yaml("a: 12345678901", max_chars=10)


def test_playbook_form_errors_are_invalid() -> None:
    with pytest.raises(Invalid, match="^the playbook is not accepted: line 1: anchors and aliases"):
        parse_playbook_yaml(BOMB)
    with pytest.raises(Invalid, match=f"at most {MAX_PLAYBOOK_CHARS} characters"):
        parse_playbook_yaml("#" * (MAX_PLAYBOOK_CHARS + 1))


def test_field_rule() -> None:
    assert field_problem("title", "Acme\x00") == "the field 'title' contains a NUL character"
    assert field_problem("title", "two\nlines") == "the field 'title' contains the control character U+000A"
    assert field_problem("note", "two\nlines\ttabbed\r\n") is None  # free text
    assert field_problem("comment_rapport", "two\nlines") is None
    assert field_problem("note", "bell\x07") == "the field 'note' contains the control character U+0007"
    assert field_problem("ti\x00tle", "x") == "a field name contains a NUL character"
    assert query_problem(b"rep=%00&x=1") == "the query parameter 'rep' contains a NUL character"
    assert query_problem(b"rep=Dana+Lee&limit=5") is None
    assert path_problem("/v1/calls/\x00") == "the path contains a NUL character"


def test_json_rule_names_the_place() -> None:
    assert json_problem({"comments": [{"text": "a\nb"}, {"text": "c\x00"}]}) == \
        "the field 'comments[1].text' contains a NUL character"
    assert json_problem({"content": {"situations": {"a": {"do": "x\ny"}}}}) is None  # under a free-text key
    assert json_problem({"name": "x\ny"}) == "the field 'name' contains the control character U+000A"
    assert json_problem({"a\x00": 1}) == "a field name in 'body' contains a NUL character"
    with pytest.raises(ControlCharError, match="the field 'deal_id' contains a NUL character"):
        loads('{"deal_id": "006\\u0000"}')
    assert loads('{"note": "line\\nline"}') == {"note": "line\nline"}
