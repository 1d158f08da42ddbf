"""One overall progress fraction from the per-step hooks, and progress inside a transcription block."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from service.commands.progress_bar import ProgressBar
from transcription.progress import STEP_WEIGHTS, OverallProgress


def test_steps_fold_into_one_rising_fraction() -> None:
    p = OverallProgress()
    assert p.update("decode", 30, 165) == 0.0  # decoding runs alongside transcription: not counted
    assert p.update("transcribe", 82.5, 165) == pytest.approx(0.62 / 2)
    assert p.step == "transcribe"
    assert p.update("diarize", 0, 100) == pytest.approx(0.31)  # transcription is still half done
    assert p.update("diarize", 50, 100) == pytest.approx(0.31 + 0.155)  # diarization interleaves
    assert p.step == "diarize"
    assert p.update("transcribe", 165, 165) == pytest.approx(0.62 + 0.155)
    assert p.update("analyze", 1, 1) == pytest.approx(0.845)  # a reported step counts as far as it got
    assert p.update("diarize", 1, 1) == pytest.approx(1.0)


def test_a_skipped_step_jumps_forward_and_nothing_goes_back() -> None:
    p = OverallProgress()
    p.update("transcribe", 165, 165)
    assert p.update("analyze", 0, 1) == pytest.approx(STEP_WEIGHTS["transcribe"] + STEP_WEIGHTS["diarize"])
    assert p.update("transcribe", 10, 165) == pytest.approx(0.93)  # a late hook never moves it back
    assert OverallProgress().update("analyze", 0, 1) == pytest.approx(0.93)  # a transcript file


def test_a_step_outside_the_weights_is_the_whole_run() -> None:
    p = OverallProgress()
    assert p.update("calls", 3, 12) == pytest.approx(0.25)
    assert p.update("calls", 6, None) == pytest.approx(0.25)  # no total: no change


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_bar_is_one_bar_named_after_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", _Tty())
    with ProgressBar() as bar:
        bar("transcribe", completed=50, total=100)
        first = bar._bar
        assert first is not None and first.n == pytest.approx(31.0) and first.desc.startswith("transcribing")
        bar("diarize", completed=50, total=100)
        assert bar._bar is first  # the same bar: elapsed time and ETA carry on
        assert first.n == pytest.approx(46.5) and first.desc.startswith("finding speakers")
        assert first.smoothing == 0  # ETA from the average rate since the start


@pytest.mark.slow
def test_transcription_reports_progress_inside_a_block(phone_dir: Path, whisper_loaded: None) -> None:
    """30 s in one block: progress still moves segment by segment, not 0 then 1."""
    from transcription.pipeline import TranscribeOptions, transcribe_file

    seen: list[float] = []

    def hook(step: str, *, completed: float, total: float | None) -> None:
        if step == "transcribe":
            seen.append(completed)

    transcribe_file(phone_dir / "sample.wav", TranscribeOptions(diarize=False), hook)
    inside = [c for c in seen if 0.0 < c < 30.0]
    assert len(inside) >= 3, seen  # one per Whisper segment (3 on this call)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(30.0, abs=0.05)


def test_diarization_reports_its_segmentation_windows_as_they_are_analysed() -> None:
    """A long call shows movement during diarization: windows done / the call's total, before finish()."""
    import numpy as np

    from transcription.diarization import OverlapDiarizationParams, OverlapDiarizer
    from transcription.diarization.overlap_diarizer import count_windows

    params = OverlapDiarizationParams()
    done: list[int] = []
    d = OverlapDiarizer(params, on_windows=done.append)
    noise = np.random.default_rng(0).normal(0, 0.001, 70 * 16000).astype(np.float32)
    for i in range(0, len(noise), 10 * 16000):
        d.add_audio(noise[i : i + 10 * 16000], i / 16000)
    before_finish = list(done)
    d.finish()
    total = count_windows(70.0, params)
    assert total == 13  # 10 s windows every 5 s over 70 s
    assert before_finish and before_finish[-1] == 11  # the first 60 s block: windows starting at 0..50 s
    assert done == sorted(done) and done[-1] == total
