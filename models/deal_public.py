"""API shapes of a call's brief and of a deal (`GET /v1/calls/{id}/brief`, `GET /v1/deals/{id}`,
`GET /v1/deals`). The rules behind the deal's story and warnings are in docs/deals.md."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

WarningCode = Literal["no_dated_next_step", "due_date_passed", "budget_below_price", "competitor_in_play",
                      "decision_maker_absent", "talk_share_falling", "questions_falling", "unanswered_questions"]
WARNING_CODES: tuple[str, ...] = ("no_dated_next_step", "due_date_passed", "budget_below_price",
                                  "competitor_in_play", "decision_maker_absent", "talk_share_falling",
                                  "questions_falling", "unanswered_questions")
NextStepStatus = Literal["kept", "missed", "pending", "undated"]


class ChapterPublic(BaseModel):
    title: str
    start: float
    end: float
    key_phrases: list[str] = []


class BriefItemPublic(BaseModel):
    kind: str = Field(description="pain, need, objection, budget, price, competitor, decision, next_step, question")
    text: str = Field(description="the words said, trimmed to the point")
    start: float
    end: float
    speaker: str
    role: str
    confidence: float
    detail: str | None = None
    amount: float | None = None
    owner: Literal["rep", "customer", "both"] | None = None
    due: str | None = Field(default=None, description="ISO date of a next step, null when none was said")
    date_phrase: str | None = None


class EmailPublic(BaseModel):
    subject: str
    body: str


class CitePublic(BaseModel):
    item: int = Field(description="index of the cited item in `items`")
    start: float
    end: float


class SummarySentencePublic(BaseModel):
    text: str
    cites: list[CitePublic] = Field(description="the items (moments) the sentence rests on")
    start: float
    end: float
    chapter: int | None = Field(default=None, description="index in `chapters` of the chapter it was written for")


class BriefPublic(BaseModel):
    version: int
    call_date: str | None = None
    call_date_source: Literal["recorded_at", "argument", "file"] | None = None
    empty_reason: str | None = None
    chapters: list[ChapterPublic] = []
    items: list[BriefItemPublic] = []
    email: EmailPublic | None = None
    summary: list[SummarySentencePublic] | None = Field(
        default=None, description="optional generated wording (TALKTRACK_LLM_URL), each sentence grounded in the "
                                  "items it cites; null when off or when the endpoint failed")
    summary_dropped: int | None = Field(default=None, description="generated sentences dropped by the grounding check")
    summary_unreadable: int | None = Field(default=None, description="endpoint answers that were not the JSON asked for")
    summary_model: str | None = None


class CallBriefPublic(BaseModel):
    call_id: str
    status: str = Field(description="the call's status (a brief only once it is `done`)")
    deal_id: str | None
    brief: BriefPublic | None = Field(description="null for a call analysed before briefs existed (see `note`)")
    note: str | None = None


class StoryItem(BaseModel):
    """A brief item of one of the deal's calls."""

    call_id: str
    kind: str
    text: str
    start: float
    end: float
    speaker: str
    role: str
    detail: str | None = None
    amount: float | None = None
    owner: Literal["rep", "customer", "both"] | None = None
    due: str | None = None


class Moment(BaseModel):
    """Evidence: a call of the deal and the moment in it (`start` in seconds; null: the call as a whole)."""

    call_id: str
    start: float | None = None
    text: str | None = None


class Stakeholder(BaseModel):
    name: str = Field(description="as a decision item named them (name or title)")
    on_call: bool = Field(description="a speaker of one of the deal's calls has this name")
    mentions: list[StoryItem]


class Competitor(BaseModel):
    name: str
    mentions: list[StoryItem]


class ObjectionThread(BaseModel):
    topic: str = Field(description="price, timing, authority, competition, material, or other")
    status: Literal["open", "handled"]
    raised: list[StoryItem]
    handled_in_call_id: str | None = Field(
        default=None, description="the first later analysed call in which the topic did not come back")


class DealNextStep(BaseModel):
    item: StoryItem
    status: NextStepStatus = Field(description="kept: the next call came by the due date; missed: after it, or none "
                                               "came and the date passed; pending: not due yet; undated: no date said")
    next_call_id: str | None = None
    next_call_on: date | None = None


class DealStory(BaseModel):
    pains: list[StoryItem] = []
    needs: list[StoryItem] = []
    stakeholders: list[Stakeholder] = []
    decisions: list[StoryItem] = []
    objections: list[ObjectionThread] = []
    budget: list[StoryItem] = []
    prices: list[StoryItem] = []
    competitors: list[Competitor] = []
    next_steps: list[DealNextStep] = []
    questions: list[StoryItem] = Field(default=[], description="customer questions the rep did not answer")


class DealWarning(BaseModel):
    code: WarningCode
    message: str
    evidence: list[Moment]
    # The message as its rule marked it (a `service.core.i18n.Message`: catalogue entry, count, date
    # and amount values), so that a page shows it in the reader's language; never in the JSON,
    # whose `message` stays the English text.
    _marked: str | None = PrivateAttr(default=None)

    @classmethod
    def marked(cls, code: WarningCode, message: str, evidence: list[Moment]) -> DealWarning:
        """A warning whose `message` keeps its catalogue entry for the pages (see `said`)."""
        warning = cls(code=code, message=str(message), evidence=evidence)
        warning._marked = message
        return warning

    def said(self) -> str:
        """The message to translate where it is shown (`service.core.i18n.tr`): the marked one, or
        the plain English `message` of a warning read back from JSON."""
        return self._marked if self._marked is not None else self.message


class DealCallPublic(BaseModel):
    id: str
    title: str | None
    rep_name: str | None
    status: str = Field(description="the call's status, as `GET /v1/calls/{id}` says it")
    at: datetime = Field(description="when the call happened: its start, else its upload")
    duration_s: float | None
    has_brief: bool
    customer_talk_share: float | None
    customer_questions: int | None


class DealView(BaseModel):
    deal_id: str
    today: date = Field(description="the date due dates were judged against (UTC)")
    calls: list[DealCallPublic] = Field(description="in time order, only those the caller may see")
    story: DealStory
    warnings: list[DealWarning]


class DealSummary(BaseModel):
    deal_id: str
    calls: int
    first_call_at: datetime
    last_call_at: datetime
    warnings: list[WarningCode]


class DealPage(BaseModel):
    items: list[DealSummary]
    total: int
    limit: int
    offset: int
    next_offset: int | None
