"""The ICSI Meeting Recorder Dialog Act corpus (MRDA) as utterances with the product's question labels.

MRDA (Shriberg et al., 2004; CC BY 4.0) is read from `../shared/data/dialog-acts/mrda` at run time:
`dadb/` holds each meeting's utterances with word times and the full label string, and
`metadata/{train,val,test}_split.txt` name the meetings of each split. The words are lower case
without punctuation, like the output of a recogniser without punctuation.

The mapping of MRDA labels onto the product's labels (`label_of`) is written out as a table in
docs/questions.md. One utterance can hold several dialogue acts joined by "|" ("fg|qy^rt": a
floor grabber, then a yes/no question); the utterance takes the label of its last question act.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

DATA = Path(os.environ.get("TALKTRACK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
MRDA = DATA / "dialog-acts" / "mrda"
SPLITS = ("train", "val", "test")


@dataclass(frozen=True, slots=True)
class Utterance:
    meeting: str
    speaker: str
    start: float
    text: str
    label_string: str
    label: str  # a product label ("open", ..., "backchannel", "rhetorical", "none")
    abandoned: bool  # the last act was abandoned (".%--"): the speaker broke off mid-form


def act_label(act: str) -> str:
    """The product label of one MRDA dialogue act ("qy^d^rt" -> "declarative")."""
    act = act.split(".")[0]
    if ":" in act:  # "s:qw": a question quoted inside a statement ("they ask where is it")
        return "none"
    base, *marks = act.split("^")
    if "br" in marks or base == "br":  # "What?", "Sorry?": a request to repeat, not a question asked
        return "none"
    if base == "qh" or "qh" in marks:
        return "rhetorical"
    if "bh" in marks or base == "bh":
        return "backchannel"
    if "g" in marks:
        return "tag"
    if base in ("qr", "qrr"):
        return "choice"
    if base == "qy":
        return "declarative" if "d" in marks else "yes_no"
    if base in ("qw", "qo"):
        return "open"
    return "none"


def label_of(label_string: str) -> str:
    """The product label of an utterance: its last act that is not "none"."""
    found = "none"
    for act in label_string.split("|"):
        label = act_label(act.strip())
        if label != "none":
            found = label
    return found



def clean_word(token: str) -> str | None:
    """A transcript token as a recogniser would write it: "o_k" -> "okay", "x_m_l" -> "xml";
    word fragments ("th-"), non-verbal marks ("{vocalsound}") and empty tokens are dropped."""
    if not token or token.startswith("{") or token.endswith("-"):
        return None
    if token == "o_k":
        return "okay"
    if "_" in token:
        return token.replace("_", "")
    return token


def split_meetings(split: str) -> list[str]:
    return (MRDA / "metadata" / f"{split}_split.txt").read_text(encoding="utf-8").split()


def load_meeting(meeting: str) -> list[Utterance]:
    """A meeting's utterances in time order (those left with no words are dropped)."""
    rows: list[Utterance] = []
    with (MRDA / "dadb" / f"{meeting}.dadb").open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if len(row) < 8 or not row[5]:
                continue
            words = [clean_word(w.split("+", 2)[-1]) for w in row[4].split("|")]
            text = " ".join(w for w in words if w)
            if not text:
                continue
            rows.append(Utterance(meeting, row[7], float(row[0]), text, row[5], label_of(row[5]),
                                  row[5].endswith(".%--")))
    rows.sort(key=lambda u: u.start)
    return rows


def load_split(split: str, limit: int | None = None) -> list[list[Utterance]]:
    """The meetings of one split, each a list of utterances in time order."""
    if split not in SPLITS:
        raise ValueError(f"unknown MRDA split {split!r}; expected one of {', '.join(SPLITS)}")
    meetings = split_meetings(split)
    return [load_meeting(m) for m in meetings[:limit]]


def available() -> bool:
    return (MRDA / "dadb").is_dir()


__all__ = ["MRDA", "SPLITS", "Utterance", "act_label", "available", "label_of", "load_split"]


if __name__ == "__main__":
    from collections import Counter

    for name in SPLITS:
        meetings = load_split(name)
        counts = Counter(u.label for m in meetings for u in m)
        print(name, len(meetings), "meetings", sum(counts.values()), "utterances", dict(counts.most_common()))
