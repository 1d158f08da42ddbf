"""The follow-up e-mail draft: thanks, what we heard (the customer's pains and needs in their own
words, shortened), and the agreed next steps with owners and due dates. Plain text, for the rep
to edit and send themselves; nothing is sent."""

from __future__ import annotations

import datetime as dt
import re

from nlp.brief.types import BriefItem, FollowUpEmail
from transcription.types import Transcript

MAX_HEARD = 4
MAX_QUOTE_WORDS = 22
_OPENER = re.compile(
    r"^(?:(?:so|and|okay|ok|then|great|well|alright|um|uh)\W+)*(?:i'?ll|i will|i'm going to|i am going to|i'?m gonna|"
    r"we'?ll|we will|we'?re going to|we are going to|let'?s|let us|let me|shall we|can we|could we|should we|"
    r"how about we|why don'?t we|what if we|can you|could you|would you|will you|you'?ll|you will|i can|we can|i could|"
    r"we could|would it help if i|do you want me to|want me to|would you like me to|maybe we can)\s+"
    r"(?:(?:just|also|quickly|definitely|then|go ahead and|try to|make sure to|make sure we)\s+)*",
    re.IGNORECASE,
)
_SWAP = {"i": "you", "me": "you", "my": "your", "mine": "yours", "you": "me", "your": "my", "yours": "mine",
         "we": "you", "us": "you", "our": "your", "myself": "yourself"}


def first_name(name: str | None) -> str | None:
    """"Alex Rivera (Acme)" -> "Alex"."""
    if not name:
        return None
    words = re.sub(r"\([^)]*\)", " ", name).split()
    return words[0] if words else None


def full_name(name: str | None) -> str | None:
    """"Alex Rivera (Acme)" -> "Alex Rivera"."""
    if not name:
        return None
    cleaned = " ".join(re.sub(r"\([^)]*\)", " ", name).split())
    return cleaned or None


def day_text(iso: str) -> str:
    """"2026-12-11" -> "Friday, December 11"."""
    day = dt.date.fromisoformat(iso)
    return f"{day.strftime('%A')}, {day.strftime('%B')} {day.day}"


def shorten(text: str, limit: int = MAX_QUOTE_WORDS) -> str:
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]).rstrip(",;:") + " \u2026"


def action(item: BriefItem) -> str:
    """What the step does, without who says it: "I'll send the proposal by Friday" -> "send the
    proposal by Friday"; a step the customer owns reads from the rep's side ("talk to my boss"
    -> "talk to your boss")."""
    text = _OPENER.sub("", item.text.strip()).rstrip("?.! ")
    if item.owner == "customer" and item.role == "customer":
        text = " ".join(_swap(w) for w in text.split())
    return text or item.text


def _swap(word: str) -> str:
    core = word.rstrip(",;:.?!")
    swapped = _SWAP.get(core.lower())
    return word if swapped is None else swapped + word[len(core):]


_OWNER_LABEL = {"rep": "Me", "customer": "You", "both": "Together"}


def draft_email(items: list[BriefItem], transcript: Transcript, call_date: str | None) -> FollowUpEmail:
    """The draft from the brief's items (pains, needs, next steps) and the speakers' names."""
    customer = next((first_name(s.name) for s in transcript.speakers if s.role == "customer" and s.name), None)
    rep = next((full_name(s.name) for s in transcript.speakers if s.role == "rep" and s.name), None)
    when = f" on {day_text(call_date)}" if call_date else ""
    lines = [f"Hi {customer or 'there'},", "", f"Thank you for taking the time to talk with me{when}."]
    heard: list[BriefItem] = []
    for item in [i for i in items if i.kind == "pain"] + [i for i in items if i.kind == "need"]:
        if len(heard) < MAX_HEARD and all(item.text != h.text for h in heard):
            heard.append(item)
    if heard:
        lines += ["", "What I heard from you:"]
        lines += [f'- "{shorten(i.text)}"' for i in sorted(heard, key=lambda i: i.start)]
    steps = [i for i in items if i.kind == "next_step"]
    lines.append("")
    if steps:
        lines.append("What we agreed:")
        for step in steps:
            label = _OWNER_LABEL.get(step.owner or "", "")
            due = f" (by {day_text(step.due)})" if step.due else ""
            act = action(step)
            lines.append(f"- {label + ': ' if label else ''}{act[:1].upper() + act[1:]}{due}")
    else:
        lines.append("We did not set a next step yet. When would suit you to talk again?")
    lines += ["", "Best regards,"] + ([rep] if rep else [])
    subject = f"Following up on our call{when}"
    return FollowUpEmail(subject=subject, body="\n".join(lines).rstrip() + "\n")


__all__ = ["action", "day_text", "draft_email", "first_name", "full_name", "shorten"]
