"""The written customer sentences that train the brief's sentence-kind models
(`bench/brief_data/sentences.tsv`): well formed, balanced as documented, and apart from the
evaluation calls (no sentence of theirs is copied from a call). No models."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bench.brief_data import OBJECTION_TOPICS, load_calls
from bench.brief_data.sentences import SENTENCE_KINDS, load_sentences
from bench.questions_eval import is_asr_style

ROWS = load_sentences()


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def test_every_kind_is_there_in_both_styles() -> None:
    counts = Counter(r.kind for r in ROWS)
    assert set(counts) == set(SENTENCE_KINDS)
    assert min(counts.values()) >= 40 and counts["none"] >= 150  # hard negatives outnumber each kind
    for kind in SENTENCE_KINDS:
        rows = [r for r in ROWS if r.kind == kind]
        asr = [r for r in rows if is_asr_style(r.text)]
        assert 0.3 <= len(asr) / len(rows) <= 0.7, kind  # as a recogniser with and without punctuation writes


def test_details_follow_the_kind() -> None:
    for r in ROWS:
        if r.kind == "objection":
            assert r.detail in (*OBJECTION_TOPICS, "other"), r.id
        elif r.kind == "none":
            assert r.detail, r.id  # why it is a hard negative
        else:
            assert not r.detail, r.id


def test_no_sentence_is_taken_from_an_evaluation_call() -> None:
    said = {_words(text) for call in load_calls() for _, text in call.turns}
    turns = " | ".join(said)
    copied = [r.id for r in ROWS if len(_words(r.text).split()) >= 6 and _words(r.text) in turns]
    assert not copied


def test_a_bad_row_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "sentences.tsv"
    bad.write_text("id\tkind\tdetail\ttext\nb0001\tpain\t\tour trucks sit idle\nb0002\tgripe\t\tit hurts\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match=r"sentences.tsv:3: unknown kind 'gripe'"):
        load_sentences(bad)
    bad.write_text("id\tkind\ttext\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        load_sentences(bad)
