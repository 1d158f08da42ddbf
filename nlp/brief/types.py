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

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "call_date": self.call_date,
            "call_date_source": self.call_date_source,
            "empty_reason": self.empty_reason,
            "chapters": [asdict(c) for c in self.chapters],
            "items": [asdict(i) for i in self.items],
            "email": None if self.email is None else asdict(self.email),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Brief:
        """Read a brief back from its JSON form (raises KeyError/TypeError/ValueError when malformed)."""
        email = data.get("email")
        return cls(
            chapters=[Chapter(**c) for c in data.get("chapters") or []],
            items=[BriefItem(**i) for i in data.get("items") or []],
            email=FollowUpEmail(**email) if isinstance(email, dict) else None,
            call_date=data.get("call_date"),
            call_date_source=data.get("call_date_source"),
            empty_reason=data.get("empty_reason"),
            version=int(data.get("version", BRIEF_VERSION)),
        )

    def of_kind(self, kind: ItemKind) -> list[BriefItem]:
        return [i for i in self.items if i.kind == kind]
