"""bench/data/zh, the Mandarin speech that bench/chinese_eval.py scores, is consistent: every reference
has its audio, every audio file has a reference, a kind and a licence, the recordings are what the
bench expects, and the set stays small. No model runs here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.zh_speech import (
    AUDIO_SUFFIXES,
    KINDS,
    REPO_ZH,
    UNLABELLED,
    audio_files,
    audio_path,
    folder_items,
    load_items,
    read_sources,
    read_text,
)
from transcription.audio import probe_audio

OPEN_LICENCES = ("Apache-2.0", "MIT", "CC BY 4.0", "CC BY-SA 4.0", "CC0")


def test_every_reference_has_one_audio_file_and_every_audio_file_a_reference() -> None:
    text = read_text(REPO_ZH)
    assert len(text) >= 13
    for utt in text:
        assert audio_path(REPO_ZH, utt) is not None, utt
    assert sorted(p.stem for p in audio_files(REPO_ZH)) == sorted(text)
    assert all(p.suffix in AUDIO_SUFFIXES for p in audio_files(REPO_ZH))


def test_sources_list_each_file_with_kind_source_and_an_open_licence() -> None:
    sources = read_sources(REPO_ZH)
    files = {p.name for p in audio_files(REPO_ZH)}
    assert set(sources) == files  # every file listed, and no row for a file that is not here
    for name, row in sources.items():
        assert row.kind in KINDS, name
        assert row.source and row.what, name
        assert any(licence in row.licence for licence in OPEN_LICENCES), (name, row.licence)
        assert "NC" not in row.licence and "ND" not in row.licence, (name, row.licence)
    if any("Apache-2.0" in row.licence for row in sources.values()):
        assert "Apache License" in (REPO_ZH / "LICENSE-Apache-2.0").read_text(encoding="utf-8")
    notice = (REPO_ZH.parents[2] / "NOTICE").read_text(encoding="utf-8")
    assert "bench/data/zh" in notice and "AISHELL-1" in notice


def test_references_are_simplified_chinese_and_recordings_are_sane() -> None:
    from bench.chinese_eval import cer_chars  # no model is loaded by importing it

    for item in folder_items(REPO_ZH):
        info = probe_audio(item.path)
        assert info.sample_rate == 16000 and info.channels == 1, item.name
        assert 1.0 <= info.duration_s <= 60.0, (item.name, info.duration_s)
        chars = cer_chars(item.reference)
        assert chars == item.reference, item.name  # already Simplified, no punctuation or spaces
        assert all("\u4e00" <= c <= "\u9fff" for c in chars), item.name
        # Mandarin read aloud runs at about 3-5 characters a second: far outside that, the text
        # belongs to another recording.
        assert 1.0 <= len(chars) / info.duration_s <= 8.0, (item.name, len(chars), info.duration_s)


def test_the_set_stays_small() -> None:
    total = sum(p.stat().st_size for p in REPO_ZH.iterdir())
    assert total < 8 * 1024 * 1024, total


def test_both_folders_are_read_each_id_once_and_unlisted_files_are_unlabelled(tmp_path: Path) -> None:
    shared = tmp_path / "zh"
    shared.mkdir()
    known = REPO_ZH / "BAC009S0764W0121.flac"
    shutil.copy(known, shared / "BAC009S0764W0121.wav")
    shutil.copy(known, shared / "EXTRA0001.wav")
    (shared / "text").write_text("BAC009S0764W0121  甚至 出现 交易 几乎 停滞 的 情况\nEXTRA0001 甚至\n",
                                 encoding="utf-8")
    items = {i.name: i for i in load_items((REPO_ZH, shared))}
    assert len(items) == len(read_text(REPO_ZH)) + 1
    assert items["BAC009S0764W0121"].path.parent == REPO_ZH  # the repository's copy, counted once
    assert items["BAC009S0764W0121"].kind == "read"
    assert items["EXTRA0001"].kind == UNLABELLED
    assert [i.name for i in load_items((REPO_ZH, tmp_path / "absent"))] == list(read_text(REPO_ZH))


def test_a_reference_without_audio_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "text").write_text("MISSING0001 你好\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="MISSING0001"):
        folder_items(tmp_path)
    (tmp_path / "text").write_text("MISSING0001\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no reference"):
        read_text(tmp_path)
