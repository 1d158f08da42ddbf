"""`talktrack insights` and `talktrack suggest` end to end on real transcript files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coaching.insights import InsightReport
from coaching.synthetic import make_corpus, synthetic_analysis
from service.cli import main
from service.commands.insights import render_table
from transcription.transcript_io import write_vtt

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_VTT = ROOT / "samples" / "discovery_call.vtt"


@pytest.fixture(scope="module")
def call_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("calls")
    calls = make_corpus(n_calls=6, seed=12).calls
    rows = ["call_id,outcome,rep"]
    for i, call in enumerate(calls):
        (folder / f"{call.call_id}.vtt").write_text(write_vtt(synthetic_analysis(call).transcript), encoding="utf-8")
        rows.append(f"{call.call_id},{'won' if i % 2 == 0 else 'lost'},{call.rep}")
    rows.append("not_here,won,rep0")
    (folder / "outcomes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def insights_out(call_dir: Path) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["insights", str(call_dir), "--outcomes", str(call_dir / "outcomes.csv"), "--json",
                     "--min-group", "2", "--no-progress"])
    return code, out.getvalue(), err.getvalue()


def test_insights_json(insights_out: tuple[int, str, str]) -> None:
    code, out, err = insights_out
    assert code == 0
    assert "not_here" in err  # the CSV row without a file is reported
    data = json.loads(out)
    assert (data["n_calls"], data["n_won"]) == (6, 3)
    assert data["features"]
    for f in data["features"]:
        assert {"feature", "comparison", "lift", "lift_ci", "p_value", "significant", "n_with", "n_without"} <= set(f)
    opener = next(f for f in data["features"] if f["feature"] == "open_questions_first_90s")
    # The language stage found the planted opening question in the transcripts it read.
    assert opener["n_with"] + opener["n_without"] == 6 and opener["n_with"] >= 1
    assert {r["rep"] for r in data["reps"]} <= {f"rep{i}" for i in range(8)}


def test_insights_table(insights_out: tuple[int, str, str]) -> None:
    report = InsightReport.from_dict(json.loads(insights_out[1]))
    table = render_table(report)
    assert table.startswith("6 closed calls (3 won, 3 lost)")
    assert "No behaviour is significantly linked" in table
    for f in report.findings:
        assert f.feature in table


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [("id,result\nx,won\n", "needs a header"), ("call_id,outcome\nx,maybe\n", "not won, lost or open")],
)
def test_insights_bad_outcomes_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], csv_text: str,
                                    message: str) -> None:
    bad = tmp_path / "o.csv"
    bad.write_text(csv_text, encoding="utf-8")
    assert main(["insights", str(tmp_path), "--outcomes", str(bad), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and "Traceback" not in err


def test_suggest_sample_call(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["suggest", str(SAMPLE_VTT), "--rep", "Alex Rivera (Acme)", "--json", "--no-progress"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["basis"] == "published bands"
    ids = [s["id"] for s in data["suggestions"]]
    assert ids[:2] == ["let_customer_talk", "ask_more_questions"] and "pricing_objection" in ids
    pricing = next(s for s in data["suggestions"] if s["id"] == "pricing_objection")
    assert pricing["where"][0]["quote"] == "How much does it cost per seat?"
    assert data["language"] == "en" and pricing["title"] == "Handle the pricing objection"


def test_suggest_a_chinese_call_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    """The Chinese discovery call of the Chinese evaluation set: its suggestions in Chinese."""
    call = ROOT / "bench" / "chinese_data" / "calls" / "zh01-crm-discovery.vtt"
    code = main(["suggest", str(call), "--rep", "王磊", "--json", "--no-progress"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["language"] == "zh"
    by_id = {s["id"]: s for s in data["suggestions"]}
    assert list(by_id) == ["competitor_mention", "pricing_objection"]  # a 1:21 call: moments only
    pricing = by_id["pricing_objection"]
    assert (pricing["title"], pricing["why"]) == ("处理价格异议", "客户在 0:55 提到：“那价格大概是多少？”")
    assert pricing["example"] == "您问得很实在。和现在丢单带来的损失相比，您觉得这个投入怎么样？"
    assert by_id["competitor_mention"]["title"] == "回应竞品" and "金蝶" in by_id["competitor_mention"]["why"]
    main(["suggest", str(call), "--rep", "王磊", "--no-progress"])
    text = capsys.readouterr().out
    assert "1. 回应竞品  [playbook moment]" in text and "Say:   \"您觉得他们哪些地方做得不错？" in text


def test_suggest_bad_insights_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "ins.json"
    bad.write_text('{"features": 3}', encoding="utf-8")
    assert main(["suggest", str(SAMPLE_VTT), "--insights", str(bad), "--no-progress"]) == 2
    assert "not a Talktrack insights JSON" in capsys.readouterr().err


@pytest.mark.parametrize(("content", "message"), [("{not json", "is not JSON"), ("[1, 2]", "is not the JSON object")])
def test_suggest_insights_file_not_a_json_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    bad = tmp_path / "ins.json"
    bad.write_text(content, encoding="utf-8")
    assert main(["suggest", str(SAMPLE_VTT), "--insights", str(bad), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert message in err and "talktrack insights --json" in err and "Traceback" not in err


def test_suggest_missing_insights_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", str(SAMPLE_VTT), "--insights", str(tmp_path / "none.json"), "--no-progress"]) == 2
    assert "does not exist" in capsys.readouterr().err
