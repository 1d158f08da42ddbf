"""Optional generated wording of a brief: a language model rewords the extracted items into a few
sentences, each citing the items it rests on, and only sentences that pass a grounding check
against the transcript are kept (docs/brief.md, "Generative wording (optional)").

This module holds no HTTP code: it builds the prompts, calls `complete(messages) -> str` (an
OpenAI-style chat: a list of `{"role", "content"}` messages in, the assistant's text out), reads the
answers and checks them. The service supplies `complete` (`service/analysis/llm_client.py`).

- **Requests.** The items are grouped by chapter, in order; chapters are packed into requests
  whose prompt (system and user message together) stays under `prompt_chars` characters, and a
  chapter too long for one request is split across several ("part 1 of 2"). Every item is sent
  in exactly one request; nothing is cut. Chapters without items send nothing. What is sent of
  each item: its id, kind, the speaker's role, its time, its text, and where set its detail,
  owner and due date; the chapter's title and times. Never the transcript.
- **Answers.** A JSON list of `{"text": ..., "cites": ["i3", ...]}` (a Markdown code fence around
  it is accepted). An answer that is not that list is unreadable: all its sentences are lost,
  counted in `summary_unreadable`. An element that is not such an object, a sentence that cites
  nothing, cites an id that was not in its request, or fails the grounding check is dropped,
  counted in `summary_dropped`.
- **Grounding** (`nlp.brief.grounding`, `ungrounded_words`): every content word of the sentence must have been said in
  the transcript between the cited items' start and end, `margin_s` either side (any speaker).
  Words are compared by a light stem (lower case, a few suffixes: -s, -es, -ies, -ed, -ing, -ly, a
  final -e, a doubled final consonant), so "prices" matches "pricing"; spaCy's English stop
  words and a short list of words about the conversation itself ("customer", "rep", "said",
  "mentioned", "agreed", ...) need no grounding. A capitalised word that does not open the sentence
  (a name, a product, a competitor) must have been said as written (case aside), unstemmed.
  Numbers, in digits or in words ("60", "$60k", "sixty thousand"), must be said with the same
  value. The cited items' own fields also ground words: their kind ("objection"), detail (a
  competitor's name, a decision maker's title), date phrase and due date ("Friday, December 11"),
  and the speakers' names.
- **Chinese calls** (`Transcript.language` "zh", `nlp.brief.language`): the prompts, the chapter
  heads and the items' labels are in Chinese and ask for sentences in Simplified Chinese. A sentence
  with Chinese characters is grounded word by word as jieba segments it (`nlp.chinese`): every word
  must appear in what was said at the cited moments (Chinese has no inflection to stem away), or
  in the cited items' fields (their kind in Chinese, "异议"; a due date "12月11日"); spaCy's Chinese
  stop words and words about the conversation (客户, 提到, 表示, 双方 ...) need none; a number, in
  digits or numerals ("2400", "两千四", "30万"), must be said with the same value. Latin words in it
  (CRM, Salesforce) are grounded as in English.
- **Failure.** When `complete` raises (the endpoint refused, timed out, answered 5xx), the wording
  stops: the result carries the error and the brief is returned without a summary (a summary that
  misses chapters would read as complete).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from nlp.brief.grounding import (
    OBJECTION_TOPICS_ZH,
    day_text,
    english_stop_words,
    evidence,
    ungrounded_words,
)
from nlp.brief.language import CHINESE, ENGLISH, brief_language
from nlp.brief.types import Brief, BriefItem, Chapter, Cite, SummarySentence
from transcription.display import clock
from transcription.types import Transcript

Message = dict[str, str]
Complete = Callable[[list[Message]], str]

DEFAULT_PROMPT_CHARS = 12_000
MARGIN_S = 3.0

SYSTEM_PROMPT = (
    "You summarise a sales call for the sales rep from the items below, which were extracted from "
    "what was said. Write short plain sentences in English. Rules:\n"
    "- Use only facts stated in the items. Add nothing: no numbers, names, products, dates or "
    "reasons that the items do not say.\n"
    "- Reuse the items' own words; copy numbers, amounts and names exactly as the items write them.\n"
    "- Every sentence cites the ids of the items it rests on (for example \"i3\"); cite only ids listed.\n"
    "- One sentence per fact or per few related facts; at most one sentence per item.\n"
    "Answer with JSON only, no prose and no code fence: a list of objects "
    '[{"text": "<one sentence>", "cites": ["<item id>", ...]}].'
)
USER_HEAD = "Items said in the call, by chapter (times are minutes:seconds from the start):\n"
USER_TAIL = "\nWrite the summary of these items as the JSON list."

# The prompts and the words of the requests, one table per language (English: the constants above).
PROMPTS: dict[str, dict[str, str]] = {
    ENGLISH: {
        "system": SYSTEM_PROMPT,
        "head": USER_HEAD,
        "tail": USER_TAIL,
        "call": "The call",
        "chapter": 'Chapter {n}: "{title}" ({start}-{end})',
        "part": " (part {part} of {parts})",
        "item": '[i{index}] {kind} ({facts}) at {at}: "{text}"',
        "facts_sep": ", ",
        "owner": "owner: {owner}",
        "due": "due {day}",
    },
    CHINESE: {
        "system": (
            "你根据下面从一通销售电话中提取的条目（都是通话中说过的话），为销售代表写一份总结。用简体中文写简短、平实的句子。规则：\n"
            "- 只使用条目里说到的事实。不要添加任何条目没有说的内容：数字、名称、产品、日期或原因都不要加。\n"
            "- 尽量沿用条目的原话；数字、金额和名称要和条目写的完全一样。\n"
            "- 每句话都要引用它所依据的条目编号（例如 \"i3\"），只能引用列出的编号。\n"
            "- 一句话写一件事或几件相关的事；每个条目最多用在一句话里。\n"
            "只回答 JSON，不要其他文字，也不要代码块：一个对象列表 "
            '[{"text": "<一句话>", "cites": ["<条目编号>", ...]}]。'
        ),
        "head": "通话中说到的条目，按章节排列（时间为从通话开始起的 分:秒）：\n",
        "tail": "\n请把这些条目的总结写成上面要求的 JSON 列表。",
        "call": "整通电话",
        "chapter": "第 {n} 章：“{title}”（{start}-{end}）",
        "part": "（第 {part} 部分，共 {parts} 部分）",
        "item": "[i{index}] {kind}（{facts}）于 {at}：“{text}”",
        "facts_sep": "，",
        "owner": "负责：{owner}",
        "due": "截止：{day}",
    },
}
# What the items are, who said them and who does a step, in Chinese (English: the JSON's own words).
KIND_NAMES_ZH = {"pain": "痛点", "need": "需求", "objection": "异议", "budget": "预算", "price": "报价",
                 "competitor": "竞争对手", "decision": "决策", "next_step": "下一步", "question": "未回答的问题"}
ROLE_NAMES_ZH = {"rep": "销售代表", "customer": "客户", "unknown": "身份不明的发言人"}
OWNER_NAMES_ZH = {"rep": "销售代表", "customer": "客户", "both": "双方"}

_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?```\s*$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class WordingRequest:
    """One request: the chapters it covers, the item indexes it sends, and its messages."""

    chapters: tuple[int, ...]
    items: tuple[int, ...]
    messages: list[Message]

    @property
    def chars(self) -> int:
        return sum(len(m["content"]) for m in self.messages)


@dataclass(frozen=True, slots=True)
class Dropped:
    """A generated sentence that was not kept, and why ("no cites", "unknown id i9", "not said:
    Salesforce, 40", "not a sentence object")."""

    text: str
    reason: str


@dataclass(slots=True)
class WordingResult:
    """What one wording run did. `brief` carries the summary (or, when `error` is set, none)."""

    brief: Brief
    requests: list[WordingRequest] = field(default_factory=list)
    kept: list[SummarySentence] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    unreadable: int = 0
    error: str | None = None


# -- requests ------------------------------------------------------------------------------------

def item_chapters(brief: Brief) -> list[int]:
    """The chapter index of each item: the chapter its start falls in, else the nearest one; 0
    when the brief has no chapters (all items then form one block)."""
    chapters = brief.chapters
    out: list[int] = []
    for item in brief.items:
        if not chapters:
            out.append(0)
            continue
        inside = [k for k, c in enumerate(chapters) if c.start <= item.start < c.end]
        if inside:
            out.append(inside[0])
        else:
            out.append(min(range(len(chapters)), key=lambda k: min(abs(chapters[k].start - item.start),
                                                                    abs(chapters[k].end - item.start))))
    return out


def item_line(index: int, item: BriefItem, language: str = ENGLISH) -> str:
    """How an item is sent: `[i3] objection (customer, price) at 2:02: "..."`; on a Chinese call
    `[i3] 异议（客户，价格）于 2:02：“...”`."""
    words = PROMPTS[language]
    chinese = language == CHINESE
    facts = [ROLE_NAMES_ZH.get(item.role, item.role) if chinese else item.role]
    if item.detail:
        facts.append(OBJECTION_TOPICS_ZH.get(item.detail, item.detail)
                     if chinese and item.kind == "objection" else item.detail)
    if item.owner:
        facts.append(words["owner"].format(owner=OWNER_NAMES_ZH.get(item.owner, item.owner) if chinese else item.owner))
    if item.due:
        facts.append(words["due"].format(day=day_text(item.due, language)))
    kind = KIND_NAMES_ZH.get(item.kind, item.kind) if chinese else item.kind.replace("_", " ")
    return words["item"].format(index=index, kind=kind, facts=words["facts_sep"].join(facts), at=clock(item.start),
                                text=item.text)


def _chapter_head(k: int, chapter: Chapter | None, part: tuple[int, int] | None = None,
                  language: str = ENGLISH) -> str:
    words = PROMPTS[language]
    if chapter is None:
        head = words["call"]
    else:
        head = words["chapter"].format(n=k + 1, title=chapter.title, start=clock(chapter.start), end=clock(chapter.end))
    return head + (words["part"].format(part=part[0], parts=part[1]) if part else "")


def _messages(blocks: Sequence[str], language: str = ENGLISH) -> list[Message]:
    words = PROMPTS[language]
    return [{"role": "system", "content": words["system"]},
            {"role": "user", "content": words["head"] + "\n".join(blocks) + words["tail"]}]


def plan_requests(brief: Brief, prompt_chars: int = DEFAULT_PROMPT_CHARS,
                  language: str | None = ENGLISH) -> list[WordingRequest]:
    """The requests that send every item once, chapter by chapter, each prompt under
    `prompt_chars` characters where it can be (a request always holds at least one item, so a
    budget smaller than one item's prompt gives one request per item, over the budget). The
    prompts are in the call's `language` (English unless Chinese)."""
    language = brief_language(language)
    words = PROMPTS[language]
    chapter_of = item_chapters(brief)
    overhead = len(words["system"]) + len(words["head"]) + len(words["tail"])
    room = prompt_chars - overhead
    # Blocks: (chapter, item indexes, text); a chapter too long for one request becomes parts.
    blocks: list[tuple[int, list[int], str]] = []
    for k in sorted(set(chapter_of)):
        chapter = brief.chapters[k] if brief.chapters else None
        indexes = [i for i, c in enumerate(chapter_of) if c == k]
        lines = {i: item_line(i, brief.items[i], language) for i in indexes}
        whole = "\n".join([_chapter_head(k, chapter, None, language), *lines.values()]) + "\n"
        if len(whole) <= room:
            blocks.append((k, indexes, whole))
            continue
        parts: list[list[int]] = [[]]
        head_room = room - len(_chapter_head(k, chapter, (99, 99), language)) - 2
        for i in indexes:
            used = sum(len(lines[j]) + 1 for j in parts[-1])
            if parts[-1] and used + len(lines[i]) + 1 > head_room:
                parts.append([])
            parts[-1].append(i)
        for p, part in enumerate(parts, 1):
            text = "\n".join([_chapter_head(k, chapter, (p, len(parts)), language), *(lines[i] for i in part)]) + "\n"
            blocks.append((k, part, text))
    requests: list[WordingRequest] = []
    current: list[tuple[int, list[int], str]] = []

    def flush() -> None:
        if current:
            requests.append(WordingRequest(
                chapters=tuple(dict.fromkeys(b[0] for b in current)),
                items=tuple(i for b in current for i in b[1]),
                messages=_messages([b[2] for b in current], language)))
            current.clear()

    for block in blocks:
        if current and sum(len(b[2]) + 1 for b in current) + len(block[2]) > room:
            flush()
        current.append(block)
    flush()
    return requests


# -- answers -------------------------------------------------------------------------------------

def parse_answer(text: str) -> list[Any] | None:
    """The JSON list an answer holds (inside a code fence or not); None when it holds none."""
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, list) else None


# -- the run -------------------------------------------------------------------------------------

def _ids(request: WordingRequest) -> dict[str, int]:
    return {f"i{i}": i for i in request.items}


def check_sentences(answer: list[Any], request: WordingRequest, brief: Brief, transcript: Transcript,
                    chapter_of: Sequence[int], margin_s: float = MARGIN_S,
                    stop_words: frozenset[str] | None = None) -> tuple[list[SummarySentence], list[Dropped]]:
    """The sentences of one readable answer that are kept, and those dropped with the reason."""
    stop = stop_words if stop_words is not None else english_stop_words()
    ids = _ids(request)
    kept: list[SummarySentence] = []
    dropped: list[Dropped] = []
    for element in answer:
        if not (isinstance(element, dict) and isinstance(element.get("text"), str) and element["text"].strip()
                and isinstance(element.get("cites"), list)):
            dropped.append(Dropped(element.get("text", "") if isinstance(element, dict)
                                   and isinstance(element.get("text"), str) else json.dumps(element)[:200],
                                   "not a sentence object"))
            continue
        text = " ".join(element["text"].split())
        cites = [str(c).strip() for c in element["cites"]]
        if not cites:
            dropped.append(Dropped(text, "no cites"))
            continue
        unknown = [c for c in cites if c not in ids]
        if unknown:
            dropped.append(Dropped(text, f"unknown id {', '.join(unknown)}"))
            continue
        indexes = list(dict.fromkeys(ids[c] for c in cites))
        items = [brief.items[i] for i in indexes]
        missing = ungrounded_words(text, evidence(transcript, items, margin_s), stop)
        if missing:
            dropped.append(Dropped(text, f"not said: {', '.join(missing)}"))
            continue
        kept.append(SummarySentence(
            text=text, cites=[Cite(i, brief.items[i].start, brief.items[i].end) for i in indexes],
            start=min(it.start for it in items), end=max(it.end for it in items),
            chapter=chapter_of[indexes[0]] if brief.chapters else None))
    return kept, dropped


def word_brief(brief: Brief, transcript: Transcript, complete: Complete, *, model: str | None = None,
               prompt_chars: int = DEFAULT_PROMPT_CHARS, margin_s: float = MARGIN_S) -> WordingResult:
    """Ask `complete` to word the brief's items (see the module's docstring) and return the brief
    with `summary` (the kept sentences, chapter by chapter), `summary_dropped`,
    `summary_unreadable` and `summary_model`; on an exception from `complete`, the brief unchanged
    (no summary) with `error` set. A brief without items is returned with an empty summary and
    nothing sent."""
    result = WordingResult(brief=brief, requests=plan_requests(brief, prompt_chars, transcript.language))
    chapter_of = item_chapters(brief)
    stop = english_stop_words()
    for request in result.requests:
        try:
            answer = complete(request.messages)
        except Exception as exc:  # the endpoint's failure is the caller's to log; the brief stays as it is
            result.error = f"{type(exc).__name__}: {exc}"
            result.kept, result.dropped, result.unreadable = [], [], 0
            return result
        parsed = parse_answer(answer) if isinstance(answer, str) else None
        if parsed is None:
            result.unreadable += 1
            continue
        kept, dropped = check_sentences(parsed, request, brief, transcript, chapter_of, margin_s, stop)
        result.kept += kept
        result.dropped += dropped
    result.brief = replace(brief, summary=list(result.kept), summary_dropped=len(result.dropped),
                           summary_unreadable=result.unreadable, summary_model=model)
    return result


__all__ = [
    "DEFAULT_PROMPT_CHARS", "MARGIN_S", "PROMPTS", "SYSTEM_PROMPT", "Complete", "Dropped", "Message",
    "WordingRequest", "WordingResult", "check_sentences", "item_chapters", "item_line", "parse_answer",
    "plan_requests", "word_brief",
]
