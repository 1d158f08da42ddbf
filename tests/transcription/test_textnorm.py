"""Normalisation used for word error rates."""

from __future__ import annotations

import pytest

from transcription.textnorm import normalize_text, number_to_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In 1813.", "in eighteen thirteen"),
        ("IN EIGHTEEN THIRTEEN", "in eighteen thirteen"),
        ("And so, my fellow Americans, ask not...", "and so my fellow americans ask not"),
        ("It's 25% of $300", "it's twenty five percent of three hundred dollars"),
        ("1,200 units in 1905", "one thousand two hundred units in nineteen oh five"),
        ("Okay - follow-up", "ok follow up"),
        ("'quoted' words", "quoted words"),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_fillers_dropped_on_request() -> None:
    assert normalize_text("Um, so, uh, yes") == "um so uh yes"
    assert normalize_text("Um, so, uh, yes", drop_fillers=True) == "so yes"


def test_number_to_words() -> None:
    assert number_to_words(0) == "zero"
    assert number_to_words(2000) == "two thousand"
    assert number_to_words(1_000_017) == "one million seventeen"
