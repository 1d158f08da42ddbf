"""The Mandarin speech set that `bench/chinese_eval.py` scores: utterances, references and kinds.

Two folders with the same layout: a Kaldi-style `text` (utterance id, a space, the reference in
Simplified characters; the reference's words may be separated by spaces), one audio file per id
(`<id>.flac` or `<id>.wav`), and a `SOURCES.md` whose table (`| file | what | kind | source | licence |`)
gives each file's kind, `read` or `conversational`, and its licence.

- `bench/data/zh`: in the repository (see its SOURCES.md for every file's origin and licence).
- `../shared/data/zh` (`TALKTRACK_SHARED_DATA`): next to CI's clone only, used when present.

An id in both folders is counted once, from the repository's copy. A file that its folder's
SOURCES.md does not list (the shared folder has none today) has the kind `unlabelled` and is
reported on its own line, never silently counted as read speech.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPO_ZH = ROOT / "bench" / "data" / "zh"
SHARED_ZH = Path(os.environ.get("TALKTRACK_SHARED_DATA", ROOT.parent / "shared" / "data")) / "zh"
KINDS = ("read", "conversational")
UNLABELLED = "unlabelled"
AUDIO_SUFFIXES = (".flac", ".wav")
_FILE_CELL = re.compile(r"`([^`]+)`")


@dataclass(frozen=True, slots=True)
class Item:
    name: str
    path: Path
    reference: str
    kind: str


@dataclass(frozen=True, slots=True)
class Source:
    """One row of a folder's SOURCES.md table."""

    file: str
    what: str
    kind: str
    source: str
    licence: str


def read_text(folder: Path) -> dict[str, str]:
    """Utterance id -> reference (its words joined), in file order; a line without a reference or a
    repeated id is an error."""
    out: dict[str, str] = {}
    for number, line in enumerate((folder / "text").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        utt, *words = line.split()
        if not words:
            raise ValueError(f"{folder / 'text'}:{number}: {utt} has no reference")
        if utt in out:
            raise ValueError(f"{folder / 'text'}:{number}: {utt} is listed twice")
        out[utt] = "".join(words)
    return out


def read_sources(folder: Path) -> dict[str, Source]:
    """File name -> its row of `folder/SOURCES.md` (empty when the folder has none)."""
    path = folder / "SOURCES.md"
    if not path.exists():
        return {}
    rows: dict[str, Source] = {}
    header: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None  # a table ends at the first line outside it
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if set("".join(cells)) <= set("-: "):
            continue  # the separator row
        found = _FILE_CELL.match(cells[0])
        if not found or "file" not in header:
            continue
        cell = dict(zip(header, cells, strict=False))
        rows[found.group(1)] = Source(found.group(1), cell.get("what", ""), cell.get("kind", ""),
                                      cell.get("source", ""), cell.get("licence", ""))
    return rows


def audio_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in AUDIO_SUFFIXES)


def audio_path(folder: Path, utt: str) -> Path | None:
    found = [folder / f"{utt}{suffix}" for suffix in AUDIO_SUFFIXES if (folder / f"{utt}{suffix}").exists()]
    return found[0] if len(found) == 1 else None


def folder_items(folder: Path) -> list[Item]:
    """Every utterance of one folder; an id without exactly one audio file is an error."""
    sources = read_sources(folder)
    items = []
    for utt, reference in read_text(folder).items():
        path = audio_path(folder, utt)
        if path is None:
            raise FileNotFoundError(f"{folder}: no single audio file for {utt} ({', '.join(AUDIO_SUFFIXES)})")
        row = sources.get(path.name)
        kind = row.kind if row is not None and row.kind in KINDS else UNLABELLED
        items.append(Item(utt, path, reference, kind))
    return items


def load_items(folders: tuple[Path, ...] = (REPO_ZH, SHARED_ZH)) -> list[Item]:
    """The utterances of every folder that exists, each id once (the first folder's copy)."""
    items: dict[str, Item] = {}
    for folder in folders:
        if (folder / "text").exists():
            for item in folder_items(folder):
                items.setdefault(item.name, item)
    return list(items.values())
