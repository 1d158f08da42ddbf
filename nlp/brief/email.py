"""The follow-up e-mail draft: thanks, what we heard (the customer's pains and needs in their own
words, shortened), and the agreed next steps with owners and due dates. Plain text, for the rep
to edit and send themselves; nothing is sent.

Worded in the call's language (`Transcript.language`, `nlp.brief.language`): one table of
sentences per language, English the default (exactly the draft written before languages
existed), Chinese for a Chinese call ("李静，您好！", "感谢您在12月7日（周一）抽出时间与我沟通。",
owners 我方 / 贵方 / 双方, due dates "12月11日周五前"). The quotes stay as they were said; a
step's words lose their opener ("那我…", "没问题，我们会…") and a closing check ("您看可以吗"),
and the customer's own words read from the rep's side ("我跟我们老板汇报" -> "跟贵司老板汇报")."""

from __future__ import annotations

import datetime as dt
import re

from nlp.brief.language import CHINESE, ENGLISH, brief_language
from nlp.brief.types import BriefItem, FollowUpEmail
from transcription.types import Transcript

MAX_HEARD = 4
MAX_QUOTE_WORDS = 22
MAX_QUOTE_CHARS = 40  # a Chinese quote, in characters (no spaces between words)
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

# The draft's sentences (`str.format` fields), one table per language with the same keys (a test
# checks it). English first: the default.
SENTENCES: dict[str, dict[str, str]] = {
    ENGLISH: {
        "greeting": "Hi {name},",
        "greeting_no_name": "Hi there,",
        "thanks_on": "Thank you for taking the time to talk with me on {day}.",
        "thanks": "Thank you for taking the time to talk with me.",
        "heard": "What I heard from you:",
        "quote": '- "{quote}"',
        "agreed": "What we agreed:",
        "step": "- {owner}{action}{due}",
        "owner": "{label}: ",
        "due": " (by {day})",
        "due_together": " (by {day})",
        "no_step": "We did not set a next step yet. When would suit you to talk again?",
        "closing": "Best regards,",
        "subject_on": "Following up on our call on {day}",
        "subject": "Following up on our call",
    },
    CHINESE: {
        "greeting": "{name}，您好！",
        "greeting_no_name": "您好！",
        "thanks_on": "感谢您在{day}抽出时间与我沟通。",
        "thanks": "感谢您抽出时间与我沟通。",
        "heard": "通话中您提到：",
        "quote": "- “{quote}”",
        "agreed": "我们约定的下一步：",
        "step": "- {owner}{action}{due}",
        "owner": "{label}：",
        "due": "（{day}前）",
        "due_together": "（{day}）",  # a meeting both sides set: on that day, not before it
        "no_step": "我们还没有约定下一步。您看什么时候方便再沟通？",
        "closing": "顺祝商祺！",
        "subject_on": "{day}通话跟进",
        "subject": "通话跟进",
    },
}
# Who does a step: the rep who writes, the customer who reads, or both.
OWNER_LABELS: dict[str, dict[str, str]] = {
    ENGLISH: {"rep": "Me", "customer": "You", "both": "Together"},
    CHINESE: {"rep": "我方", "customer": "贵方", "both": "双方"},
}
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


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


def day_text_zh(iso: str, *, year: bool = False, brackets: bool = True) -> str:
    """"2026-12-11" -> "12月11日（周五）"; with `year` "2026年12月11日（周五）"; without `brackets`
    "12月11日周五"."""
    day = dt.date.fromisoformat(iso)
    weekday = WEEKDAYS_ZH[day.weekday()]
    return (f"{day.year}年" if year else "") + f"{day.month}月{day.day}日" + (f"（{weekday}）" if brackets else weekday)


def shorten(text: str, limit: int = MAX_QUOTE_WORDS) -> str:
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]).rstrip(",;:") + " \u2026"


def shorten_zh(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """A Chinese quote cut to `limit` characters, "……" after the cut."""
    return text if len(text) <= limit else text[:limit].rstrip("，,；;：:、 ") + "\u2026\u2026"


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


# -- Chinese steps -------------------------------------------------------------------------------

_ZH_END = "。！？!?.…~～ "
_ZH_FIRST_CLAUSE = re.compile(r"^([^，,；;]*)[，,；;]\s*")
_ZH_LAST_CLAUSE = re.compile(r"[，,；;]\s*([^，,；;]*)$")
# A clause that only acknowledges ("好，…", "没问题，…") or only checks ("…，您看可以吗").
_ZH_ACK = re.compile(r"^(?:那|那么)?(?:好的|好嘞|好|行|可以|没问题|嗯+|对|OK|ok|Ok|明白了?|理解|收到|当然|一定)+$")
_ZH_CHECK = re.compile(r"^(?:那|您|你)*(?:看)?(?:可以吗|行吗|好吗|好不好|怎么样|如何|行不行|可不可以|没问题吧|对吧|是吧|"
                       r"可以不|您看呢|你看呢)$")
# What a step opens with before its action: a connector, politeness, the subject, a request to the
# listener, a modal word.
_ZH_LEAD = re.compile(r"^(?:那么|那就|那|然后|所以|就是|就|好的|好|嗯+|另外|还有|OK|ok)+")
_ZH_POLITE = re.compile(r"^(?:如果)?(?:方便的话|有空的话|可以的话)")
_ZH_SUBJECT = re.compile(r"^(?:我们这边|我这边|我们|咱们|咱|我)(?=.)")
_ZH_REQUEST = re.compile(r"^(?:麻烦|请)?(?:您|你|你们|您们)(?:这边|那边)?(?:能不能|能否|可不可以|可以|能|方便|帮忙|帮我们|帮我)"
                         r"|^(?:麻烦|请)(?:您|你)?")
_ZH_MODAL = re.compile(r"^(?:会|将|就|也|都|能|可以|要)+(?=.)")
_ZH_TRAILING = re.compile(r"(?:您看|你看)?(?:可以吗|行吗|好吗|好不好|对吧|是吧|可不可以)?(?:吧|吗|呢|啊|哈|呀|啦)*$")
# The customer's words from the rep's side: "我" is the reader ("您"), "您" the writer ("我").
_ZH_PRONOUN = re.compile(r"我们公司|我们这边|我们|你们|您们|我|您|你")
_ZH_SWAP = {"我们公司": "贵司", "我们这边": "贵司", "我们": "贵司", "你们": "我们", "您们": "我们", "我": "您", "您": "我",
            "你": "我"}


def action_zh(item: BriefItem) -> str:
    """A Chinese step's action, without who says it and how: "那我下周二把方案发给您，您看可以吗"
    -> "下周二把方案发给您"; "您能把合同发我一下吗" said by the customer -> "把合同发您一下"."""
    text = item.text.strip().rstrip(_ZH_END)
    while (m := _ZH_FIRST_CLAUSE.match(text)) and _ZH_ACK.match(_ZH_LEAD.sub("", m.group(1).strip()) or "好"):
        text = text[m.end():]
    while (m := _ZH_LAST_CLAUSE.search(text)) and _ZH_CHECK.match(m.group(1).strip().rstrip(_ZH_END)):
        text = text[: m.start()].rstrip(_ZH_END)
    for pattern in (_ZH_LEAD, _ZH_POLITE, _ZH_LEAD, _ZH_SUBJECT):
        text = pattern.sub("", text, count=1)
    text = _ZH_REQUEST.sub("", text, count=1)
    text = _ZH_MODAL.sub("", text, count=1)
    text = _ZH_TRAILING.sub("", text.rstrip(_ZH_END)).rstrip("，,；; ")
    if item.role == "customer":
        text = _ZH_PRONOUN.sub(lambda m: _ZH_SWAP[m.group(0)], text)
    return text or item.text.strip()


# -- the draft -----------------------------------------------------------------------------------

def draft_email(items: list[BriefItem], transcript: Transcript, call_date: str | None) -> FollowUpEmail:
    """The draft from the brief's items (pains, needs, next steps) and the speakers' names, in the
    call's language (`transcript.language`)."""
    language = brief_language(transcript.language)
    say = SENTENCES[language]
    chinese = language == CHINESE
    customer = next((first_name(s.name) for s in transcript.speakers if s.role == "customer" and s.name), None)
    rep = next((full_name(s.name) for s in transcript.speakers if s.role == "rep" and s.name), None)
    day = (day_text_zh(call_date) if chinese else day_text(call_date)) if call_date else None
    lines = [say["greeting"].format(name=customer) if customer else say["greeting_no_name"], "",
             say["thanks_on"].format(day=day) if day else say["thanks"]]
    heard: list[BriefItem] = []
    for item in [i for i in items if i.kind == "pain"] + [i for i in items if i.kind == "need"]:
        if len(heard) < MAX_HEARD and all(item.text != h.text for h in heard):
            heard.append(item)
    if heard:
        lines += ["", say["heard"]]
        lines += [say["quote"].format(quote=shorten_zh(i.text) if chinese else shorten(i.text))
                  for i in sorted(heard, key=lambda i: i.start)]
    steps = [i for i in items if i.kind == "next_step"]
    lines.append("")
    if steps:
        lines.append(say["agreed"])
        for step in steps:
            label = OWNER_LABELS[language].get(step.owner or "", "")
            owner = say["owner"].format(label=label) if label else ""
            due = ""
            if step.due:
                other_year = call_date is None or step.due[:4] != call_date[:4]
                due_day = day_text_zh(step.due, year=other_year, brackets=False) if chinese else day_text(step.due)
                due = say["due_together" if step.owner == "both" else "due"].format(day=due_day)
            act = action_zh(step) if chinese else action(step)
            lines.append(say["step"].format(owner=owner, action=act[:1].upper() + act[1:], due=due))
    else:
        lines.append(say["no_step"])
    lines += ["", say["closing"]] + ([rep] if rep else [])
    subject = say["subject_on"].format(day=day) if day else say["subject"]
    return FollowUpEmail(subject=subject, body="\n".join(lines).rstrip() + "\n")


__all__ = ["OWNER_LABELS", "SENTENCES", "action", "action_zh", "day_text", "day_text_zh", "draft_email",
           "first_name", "full_name", "shorten", "shorten_zh"]
