"""What a call brief is: chapters, items said in the call, and a follow-up e-mail draft.

Every item is grounded: `text` is words that were said between `start` and `end` (seconds), by
`speaker`; nothing in a default brief is invented. The JSON form (`Brief.to_dict`) is the `brief`
object of the analysis JSON (`nlp/analysis.schema.json`), of `GET /v1/calls/{id}/brief` and of the
`call.analyzed` webhook.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BRIEF_VERSION = 1

ItemKind = Literal["pain", "need", "objection", "budget", "price", "competitor", "decision", "next_step", "question"]
ITEM_KINDS: tuple[ItemKind, ...] = (
    "pain", "need", "objection", "budget", "price", "competitor", "decision", "next_step", "question",
)
Owner = Literal["rep", "customer", "both"]
# Where the call's date came from: the upload's `started_at`, the CLI's `--date`, the file's time.
CallDateSource = Literal["recorded_at", "argument", "file"]


@dataclass(frozen=True, slots=True)
class Chapter:
    """A topic section of the call: a short title made of its key phrases, from `start` to `end`."""

    title: str
    start: float
    end: float
    key_phrases: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BriefItem:
    """One thing the call established, as said.

    `kind`: pain, need, objection, budget, price (a price the rep quoted), competitor, decision
    (who decides or signs, the process), next_step, question (a customer question the rep did not
    answer). `role` is the speaker's role ("rep", "customer", "unknown"). `detail` narrows the kind:
    the objection's topic ("price", "timing", "authority", "competition", "material"), the
    competitor's name, the decision maker's name or title. `amount` is a money amount said in the
    item (budget, price), in the currency's units. `owner`, `due` (ISO date) and `date_phrase` are
    set on next steps only; `due` is None when no date was said or the words could not be resolved.
    """

    kind: ItemKind
    text: str
    start: float
    end: float
    speaker: str
    role: str
    confidence: float
    detail: str | None = None
    amount: float | None = None
    owner: Owner | None = None
    due: str | None = None
    date_phrase: str | None = None


@dataclass(frozen=True, slots=True)
class FollowUpEmail:
    """A draft for the rep to edit and send: thanks, what we heard, agreed next steps with dates."""

    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class Cite:
    """A moment a generated sentence rests on: `item` is the index of a brief item in
    `Brief.items`, `start`/`end` its times."""

    item: int
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """A sentence of the optional generated wording (`nlp.brief.wording`): written by a language
    model from the items, kept only when it passed the grounding check against the transcript at
    the moments it cites. `chapter` is the index of the chapter it was written for."""

    text: str
    cites: list[Cite]
    start: float
    end: float
    chapter: int | None = None


@dataclass(slots=True)
class Brief:
    """The call's brief. `call_date` (ISO date) is what relative due dates were resolved against;
    `empty_reason` says why a brief has no items ("No speech was found in this call.")."""

    chapters: list[Chapter] = field(default_factory=list)
    items: list[BriefItem] = field(default_factory=list)
    email: FollowUpEmail | None = None
    call_date: str | None = None
    call_date_source: CallDateSource | None = None
    empty_reason: str | None = None
    version: int = BRIEF_VERSION
    # The optional generated wording (docs/brief.md, "Generative wording"): None when it is off or
    # its endpoint failed; then the JSON carries none of these keys.
    summary: list[SummarySentence] | None = None
    summary_dropped: int = 0  # sentences that failed the grounding check or cited nothing known
    summary_unreadable: int = 0  # answers that were not the JSON asked for (all their sentences lost)
    summary_model: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": self.version,
            "call_date": self.call_date,
            "call_date_source": self.call_date_source,
            "empty_reason": self.empty_reason,
            "chapters": [asdict(c) for c in self.chapters],
            "items": [asdict(i) for i in self.items],
            "email": None if self.email is None else asdict(self.email),
        }
        if self.summary is not None:
            data["summary"] = [asdict(s) for s in self.summary]
            data["summary_dropped"] = self.summary_dropped
            data["summary_unreadable"] = self.summary_unreadable
            data["summary_model"] = self.summary_model
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Brief:
        """Read a brief back from its JSON form (raises KeyError/TypeError/ValueError when malformed)."""
        email = data.get("email")
        summary = data.get("summary")
        return cls(
            chapters=[Chapter(**c) for c in data.get("chapters") or []],
            items=[BriefItem(**i) for i in data.get("items") or []],
            email=FollowUpEmail(**email) if isinstance(email, dict) else None,
            call_date=data.get("call_date"),
            call_date_source=data.get("call_date_source"),
            empty_reason=data.get("empty_reason"),
            version=int(data.get("version", BRIEF_VERSION)),
            summary=None if not isinstance(summary, list) else [
                SummarySentence(**{**s, "cites": [Cite(**c) for c in s.get("cites") or []]}) for s in summary],
            summary_dropped=int(data.get("summary_dropped") or 0),
            summary_unreadable=int(data.get("summary_unreadable") or 0),
            summary_model=data.get("summary_model"),
        )

    def of_kind(self, kind: ItemKind) -> list[BriefItem]:
        return [i for i in self.items if i.kind == kind]
