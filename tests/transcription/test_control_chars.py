"""The control-character rule (`transcription.control_chars`) and transcripts that break it: a VTT or
JSON transcript holding a NUL character is a `TranscriptParseError` naming the line or the field,
so its call fails once with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transcription.control_chars import control_char_problem, first_control_char, without_control_chars
from transcription.errors import TranscriptParseError
from transcription.transcript_io import read_transcript_json, read_vtt

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Dana>Hi there\tBob\n\n00:00:02.000 --> 00:00:04.000\n<v Bob>Hello\n"


@pytest.mark.parametrize("char", [chr(c) for c in range(0x20)] + ["\x7f"])
def test_one_line_text_refuses_every_c0_control_and_del(char: str) -> None:
    assert first_control_char(f"ab{char}c", multiline=False) == 2
    expected = "contains a NUL character" if char == "\x00" else f"contains the control character U+{ord(char):04X}"
    assert control_char_problem(f"ab{char}c", multiline=False) == expected


def test_free_text_keeps_tab_newline_and_carriage_return_only() -> None:
    assert first_control_char("line 1\r\n\tline 2\x7f", multiline=True) is None  # DEL is text here
    refused = [c for c in range(0x20) if first_control_char(chr(c), multiline=True) is not None]
    assert refused == [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)]
    assert control_char_problem("plain text, é ü 中文", multiline=False) is None
    assert without_control_chars("a\x00b\nc\x1b") == "a\ufffdb\nc\ufffd"


def test_vtt_with_nul_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "call.vtt"
    path.write_text(VTT)
    assert [w.word for w in read_vtt(path).words] == ["Hi", "there", "Bob", "Hello"]  # a tab is fine
    path.write_text(VTT.replace("Hello", "Hel\x00lo"))
    with pytest.raises(TranscriptParseError, match=r"^call\.vtt line 7: the transcript contains a NUL character"):
        read_vtt(path)
    path.write_bytes(VTT.replace("\n", "\r\n").replace("Hello", "Hel\x1blo").encode())
    with pytest.raises(TranscriptParseError, match=r"line 7: the transcript contains the control character U\+001B"):
        read_vtt(path)


def test_json_transcript_with_nul_names_its_field(tmp_path: Path) -> None:
    data = {"speakers": [{"id": "S1", "name": "Dana"}],
            "words": [{"start": 0.0, "end": 0.5, "word": "Hi", "speaker": "S1"},
                      {"start": 0.5, "end": 1.0, "word": "Bob", "speaker": "S1"}]}
    path = tmp_path / "call.json"
    path.write_text(json.dumps(data))
    assert [w.word for w in read_transcript_json(path).words] == ["Hi", "Bob"]
    data["words"][1]["word"] = "Bob\x00"  # type: ignore[index]
    path.write_text(json.dumps(data))  # written as the escape \u0000, which JSON allows
    with pytest.raises(TranscriptParseError, match=r"contains a NUL character in words\[1\]\.word"):
        read_transcript_json(path)
    path.write_text(json.dumps({"speakers": [{"id": "S1", "name\u0000": "Dana"}], "words": []}))
    with pytest.raises(TranscriptParseError, match=r"NUL character in a key of speakers\[0\]"):
        read_transcript_json(path)
    path.write_bytes(b'{"speakers": [], "words": []}\n\x00')
    with pytest.raises(TranscriptParseError, match=r"line 2: the transcript contains a NUL character"):
        read_transcript_json(path)
