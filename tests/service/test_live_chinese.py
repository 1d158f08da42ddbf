"""Live calls in Mandarin on a real server over loopback (the live tests' own harness,
`tests/service/test_live.py`): how a call's language is chosen, real Mandarin speech streamed in and
read back in Simplified characters by the multilingual model, the call stored as Chinese, the
language stage reading Chinese utterances with the Chinese pipeline, and English calls still on
tiny.en exactly as before."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import numpy as np
import pytest

from service.commands.live import read_recording
from tests.datafiles import AISHELL, ASR
from tests.service.test_live import LiveServer, _stream, server
from transcription.chinese import to_simplified
from transcription.scripts import cjk_count

__all__ = ["server"]  # the live tests' server fixture, one instance for this module


@pytest.fixture(scope="module", autouse=True)
def _own_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The stored calls' offline analysis joins the multilingual model into the data directory of
    `Settings()`: the tests' own, never the user's."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TALKTRACK_DATA_DIR", str(tmp_path_factory.mktemp("analysis-data")))
    yield
    mp.undo()


def _start(**extra: object) -> str:
    return json.dumps({"type": "start", "sample_rate": 16000, "channels": 1, **extra})


def _started_language(server: LiveServer, start: str, query: str = "") -> tuple[str | None, list[dict[str, object]]]:
    """Start a call (no audio) and stop it; the language its `started` event names, and its events."""
    import asyncio

    from tests.service.test_live import _exchange

    headers = {"Authorization": f"Bearer {server.keys['admin']}"}
    events, _ = asyncio.run(asyncio.wait_for(
        _exchange(server.ws + query, [start, json.dumps({"type": "stop"})], headers), 300))
    started = next((e for e in events if e["type"] == "started"), None)
    return (str(started["language"]) if started else None), events


def test_a_live_calls_language_start_message_then_query_then_the_organizations_default(server: LiveServer) -> None:
    assert _started_language(server, _start())[0] == "en"  # no choice anywhere: English, as before
    assert _started_language(server, _start(language="Mandarin"))[0] == "zh"
    assert _started_language(server, _start(), "?language=zh-CN")[0] == "zh"
    assert _started_language(server, _start(language="en"), "?language=zh")[0] == "en"  # the message wins
    with server.client("admin") as admin:
        assert admin.put("/v1/language", json={"default_language": "zh"}).status_code == 200
        try:
            assert _started_language(server, _start())[0] == "zh"
            assert _started_language(server, _start(), "?language=en")[0] == "en"
            assert _started_language(server, _start(language="auto"))[0] == "auto"
        finally:
            assert admin.put("/v1/language", json={"default_language": None}).status_code == 200
    for start, query in ((_start(language="Klingon"), ""), (_start(), "?language=xx"), (_start(language=7), "")):
        language, events = _started_language(server, start, query)
        assert language is None and [(e["type"], e["code"]) for e in events] == [("error", "bad_start")]
    _, events = _started_language(server, _start(language="Klingon"))
    assert "unknown language 'Klingon': use auto (detect it), en, zh" in str(events[0]["message"])


def test_the_language_stage_reads_a_live_chinese_utterance_with_the_chinese_pipeline() -> None:
    from nlp.questions.context import RollingContext
    from service.live.sessions import _language
    from transcription.scripts import split_chinese
    from transcription.streaming import Utterance
    from transcription.types import Role, Speaker, Word

    def utterance(index: int, start: float, text: str, speaker: Role) -> Utterance:
        units = [u for token in text.split() for u in split_chinese(token)]  # as the live transcriber cuts it
        words = [Word(start + 0.2 * k, start + 0.2 * k + 0.2, w, speaker) for k, w in enumerate(units)]
        return Utterance(index, speaker, speaker, None, start, words[-1].end, text, words, 0.9, language="zh")

    speakers = [Speaker("rep", "rep"), Speaker("customer", "customer")]
    context = RollingContext()
    said: list[tuple[Role, str]] = [
        ("rep", "您这边预算大概在什么范围？"),
        ("customer", "价格还是有点高，我们现在用的是金蝶"),
        ("rep", "那我下周二把方案和报价单发给您，好吗？"),
        ("rep", "你们有预算吗"),  # unpunctuated, as Whisper often writes short Mandarin
    ]
    found = [_language(utterance(i, 6.0 * i, text, who), speakers, context) for i, (who, text) in enumerate(said)]
    assert [[(q.text, q.type) for q in qs] for qs, _, _ in found] == [
        [("您这边预算大概在什么范围？", "open")], [], [("那我下周二把方案和报价单发给您，好吗？", "tag")],
        [("你们有预算吗", "yes_no")]]
    assert [sorted(trackers) for _, trackers, _ in found] == [[], ["competitors", "pricing"],
                                                              ["next_steps", "pricing"], []]
    assert [[(n.action, n.date_phrase) for n in steps] for _, _, steps in found] == [
        [], [], [("下周二把方案和报价单发给您", "下周二")], []]
    # The customer's utterance, as the session hands it to the coach of a Chinese call: the pricing
    # card in Chinese (the playbook's zh block).
    from coaching.live import LiveCoach
    from coaching.suggestions import Utterance as CoachUtterance

    coach = LiveCoach(language="zh")
    [card] = coach.add_utterance(CoachUtterance("customer", "customer", 6.0, 12.0, said[1][1], frozenset(found[1][1])))
    assert (card.id, card.title, card.trigger) == ("pricing_objection", "处理价格异议", "customer tracker:pricing")


@pytest.mark.slow
def test_real_mandarin_speech_streamed_live_comes_back_in_simplified_characters(server: LiveServer) -> None:
    sentence = read_recording(AISHELL)
    silence = np.zeros((1, 16000), dtype=np.float32)
    audio = np.concatenate([silence, sentence, silence, sentence, silence], axis=1)
    result = _stream(server, audio, "rep1", start_extra={"language": "zh", "title": "直播通话"})
    assert not result.of_type("error"), result.of_type("error")
    assert result.events[0]["type"] == "started" and result.events[0]["language"] == "zh"
    utts = result.of_type("utterance")
    assert len(utts) == 2
    for u in utts:
        text = str(u["text"])
        assert u["language"] == "zh"
        assert text.startswith("甚至出现交易几乎") and cjk_count(text) >= 12, text
        assert to_simplified(text) == text  # nothing left to convert: Simplified characters
        assert u["questions"] == [] and u["trackers"] == [] and u["next_steps"] == []  # a statement, no tracker
    ended = result.events[-1]
    assert ended["type"] == "ended" and ended["status"] == "queued"
    call_id = ended["call_id"]
    deadline = time.monotonic() + 600
    with server.client("rep1") as c:
        call = c.get(f"/v1/calls/{call_id}").json()
        assert call["language"] == "zh"  # stored with the call as it was streamed
        while call["status"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(1)
            call = c.get(f"/v1/calls/{call_id}").json()
    assert call["status"] == "done", call.get("error")
    analysis = call["analysis"]  # the stored call, analysed offline in the same language
    assert analysis["language"] == "zh"
    assert "".join(w["word"] for w in analysis["words"]).startswith("甚至出现交易几乎")


@pytest.mark.slow
def test_an_english_live_call_still_goes_to_tiny_en(server: LiveServer) -> None:
    from transcription.live_asr import LiveAsrOptions, UtteranceRecognizer
    from transcription.streaming import LiveTranscriber

    audio = read_recording(ASR / "jfk.flac")
    result = _stream(server, audio, "rep1")  # no language anywhere: English
    assert result.events[0]["language"] == "en"
    utts = result.of_type("utterance")
    assert utts and all(u["language"] == "en" for u in utts)
    # The same utterances decoded by the English recogniser alone (tiny.en, the disfluent prompt):
    # the same text, so English live calls take the path they took before.
    lt = LiveTranscriber(UtteranceRecognizer(LiveAsrOptions()), channels=1)
    pcm = (np.clip(audio[0], -1, 32767 / 32768) * 32768).astype("<i2").tobytes()
    segments = [s for i in range(0, len(pcm), 3200) for s in lt.feed_pcm16(pcm[i: i + 3200])] + lt.finish()
    alone = [u.text for s in segments if (u := lt.transcribe(s)) is not None]
    assert [u["text"] for u in utts] == alone
    assert "ask what you can do for your country" in " ".join(alone).lower()
    with server.client("rep1") as c:
        assert c.get(f"/v1/calls/{result.events[-1]['call_id']}").json()["language"] == "en"


def test_talktrack_live_refuses_an_unknown_language_before_streaming(capsys: pytest.CaptureFixture[str]) -> None:
    from service.cli import main

    code = main(["live", str(ASR / "jfk.flac"), "--speed", "0", "--language", "klingon"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--language: unknown language 'klingon'" in err and "Traceback" not in err


@pytest.mark.slow
def test_talktrack_live_language_streams_mandarin_to_the_multilingual_model(capsys: pytest.CaptureFixture[str]) -> None:
    from service.cli import main

    code = main(["live", str(AISHELL), "--speed", "0", "--language", "Mandarin", "--json"])
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert code == 0, events
    assert events[0]["type"] == "started" and events[0]["language"] == "zh"
    utterances = [e for e in events if e["type"] == "utterance"]
    assert len(utterances) == 1 and str(utterances[0]["text"]).startswith("甚至出现交易几乎"), utterances
    assert events[-1]["type"] == "ended" and events[-1]["status"] == "queued"
