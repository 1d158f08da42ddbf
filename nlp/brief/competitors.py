"""Competitors: vendors and tools the customer names as tried, used, evaluated or quoted.

A name counts when it is one of the `competitors` tracker's listed names (the organisation's
own list, `nlp/trackers.yaml`), or a named organisation or product (a spaCy ORG/PRODUCT entity,
or capitalised words) in a competitive context: "we tried X", "we're also looking at X",
"X quoted us", "we switched from X", "we had X years ago"; "a company called X" stands for the name
in those frames ("we're talking to a company called X"). A recogniser often writes a name in
lower case ("we looked at triple whale"): right after a frame of trying, evaluating or quoting, a
bare lower-case noun phrase that is no generic word counts too (`_lower_case_names`). Merely using
a system of record ("we're on Salesforce") is not a competitor unless the context is an
evaluation. The seller's own company and the speakers' names are never competitors. One item per vendor: its most confident mention.

On Chinese sentences (`doc.lang_ == "zh"`: no entities, no capitals) the names are the vendor words
of the `competitors` tracker (`nlp/trackers.yaml`'s `phrases_zh` less its generic words such as 别家,
竞品: 用友, 金蝶, 销售易, 纷享销客, Salesforce; and an organisation's own named hits), office and chat
systems (`ZH_SYSTEMS`: 钉钉, 企业微信, 飞书, ...) and capitalised Latin words ("我们之前用过Zoho"),
with Chinese cues for the context: using, trying, evaluating, comparing or a quote before the name
(在用, 用的是, 用过, 之前用的, 试过, 也在看, 对比, 考虑, 接触过 ...) or after it (报价, 便宜, 用了五年,
的方案, 来演示 ...), the answer to the rep's question about rivals (都有哪几家; 用的是什么系统 for an
unlisted name), the rep saying the customer uses it (你们之前用的是用友). A listed vendor named by
the customer counts unless it is only a system to connect with (要能和金蝶对接, 金蝶的接口: a need) or
negated (没用过金蝶); a system or an unlisted name needs the context. The seller's own company
(我是云帆软件的王磊) never counts. `text` is the clause around the name, `detail` the name.
"""

from __future__ import annotations

import functools
import re

from spacy.tokens import Span, Token

from nlp.brief.chinese_items import clause_of, clip_chars, tracker_phrases
from nlp.brief.context import CallContext
from nlp.brief.features import is_question
from nlp.brief.spans import clause_around
from nlp.brief.types import BriefItem
from nlp.types import TrackerHit

# Contexts that put a named vendor in competition, before the name ("we tried X", "a quote from
# X", "what about X?") ...
STRONG_BEFORE = re.compile(
    r"\b(?:tried|try|trying|trial(?:l?ed|l?ing)?|tested|testing|piloted|piloting|look(?:ed|ing)? (?:at|into)|"
    r"evaluat\w+|consider\w*|compar\w+|demo(?:ed|'d)?|demos? (?:of|from|with)|talking (?:to|with)|talked (?:to|with)|"
    r"spoke (?:to|with)|speaking (?:to|with)|switch(?:ed|ing)? (?:from|away from|to)|mov(?:ed|ing) (?:from|away from|"
    r"off)|replac\w+|leav(?:e|ing)|went with|going with|go with|leaning (?:towards?|to)|sign(?:ed)? with|renew(?:ed|ing)? "
    r"with|quotes? from|proposal from|pricing from|offer from|bid from|stuck with|locked into|contract with|cancel(?:l?ed)?|"
    r"churned from|versus|vs|against|instead of|rather than|alternatives? (?:like|such as)|other (?:vendors?|tools?|"
    r"options?) (?:like|such as)|used to use|used to have|were using|was using|in talks with|shortlist\w*|"
    r"short-listed|bake-?off|poc with|proof of concept with|mentioned|recommended|heard (?:about|of|good things about)|"
    r"pay|paying|paid|what about|how about|different from|compare to|better than|cheaper than|old copy of|old version "
    r"of|an old|currently with|renewal with|(?:module|product|version|add-on|tool) (?:in|from|of))\W+(?:[\w'-]+\W+){0,2}$"
)
# ... and after it ("X quoted us", "X came back at ninety-five", "X is on the table").
STRONG_AFTER = re.compile(r"^\W*(?:'s\W+)?(?:(?:\w+\W+){0,6}?(?:quoted|pitched)|(?:\w+\W+){0,2}?(?:offered|gave us (?:a |an |their |some )?(?:\w+ )?(?:quotes?|price|pricing|discount|deal|proposal|demo|trial|"
                          r"offer|rate)|came in|came back|came up|"
                          r"is cheaper|was cheaper|are cheaper|were cheaper|costs? less|sent us|is on the table|are on the "
                          r"table|on the table|didn'?t work|did not work|didn'?t stick|never stuck|was too|were too|is too|"
                          r"and (?:\w+ )?were (?:both )?(?:over|too)|contract|renewal|trial|pilot|demo|rep|sales ?(?:rep|"
                          r"person|guy|team)|proposal|quote))\b")
# "We had ClearCare years ago", "we've had Bill.com for four years": a tool used before, right
# after the words (not "we had an FDA inspection").
_HAD = re.compile(r"\bwe(?:'ve| have)? had\s*$")
# Contexts that name a product, not a person (spaCy tags some vendor names as people).
PRODUCT_CONTEXT = re.compile(r"\b(?:tried|trial\w*|tested|piloted|look(?:ed|ing)? (?:at|into)|evaluat\w+|quotes? from|"
                             r"proposal from|demos? from|switch\w* from|leav(?:e|ing)|pay|paying|paid|contract with|"
                             r"old copy of|what about|came back|came in|came up|on the table|quoted|sent us|licen[cs]e)\b")
# A rep's question about the customer's other options: the names in the answer are competitors.
ASKS_RIVALS = re.compile(r"\b(?:who else|anyone else|other (?:vendors?|tools?|options?|solutions?|providers?|products?)|"
                         r"which (?:vendor|tool|one|provider|product|system)|what (?:are|were|did) you (?:use|using)|what "
                         r"do you use|using (?:anything|something|any)|(?:have you )?(?:looked at|tried|evaluated)|"
                         r"alternatives?|competitors?|who'?s the other|what did you try|who are you talking to|"
                         r"anything (?:else|before))\b")
# Systems of record a customer runs without them competing with anything; named in a plain "we
# use X" they are not competitors.
SYSTEMS = frozenset({
    "salesforce", "hubspot", "excel", "google sheets", "sheets", "slack", "zoom", "teams", "microsoft teams",
    "outlook", "gmail", "google", "microsoft", "jira", "sap", "oracle", "dynamics", "workday", "zendesk", "notion",
    "confluence", "linkedin", "office", "word", "powerpoint", "google meet", "meet", "webex", "aws", "azure",
    "crm", "erp", "sql", "tableau", "looker", "power bi", "netsuite", "quickbooks", "shopify", "stripe",
})  # fmt: skip
_NOT_NAMES = frozenset({
    "i", "we", "you", "they", "it", "okay", "ok", "yeah", "yes", "so", "and", "but", "the", "a", "an", "our",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december", "q1", "q2", "q3",
    "q4", "ceo", "cfo", "cto", "vp", "coo", "cro", "hr", "ai", "api", "sso", "eu", "us", "uk", "usa",
})  # fmt: skip
_NAME_LABELS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "FAC", "GPE"})
# Capitalised words that open sentences without naming anything.
_OPENERS = frozenset({"we", "our", "they", "it", "that", "this", "there", "so", "and", "but", "well", "yes", "no",
                      "okay", "honestly", "maybe", "right", "sure", "great", "good", "the", "a", "an", "my", "i", "you",
                      "what", "how", "when", "who", "why", "which", "half", "some", "most", "one", "two", "looked",
                      "tried", "also", "then", "now", "last", "next", "first", "oh", "hmm", "mm", "um", "uh"})


def _looks_like_name(tok: Token, first: bool) -> bool:
    text = tok.text
    if not text[:1].isalnum() or not any(c.isupper() for c in text) or text == "I":
        return False
    if not all(c.isalnum() or c in "-." for c in text) or text.lower() in _NOT_NAMES:
        return False
    if first:  # a sentence's first word is capitalised anyway: only a proper noun or an odd spelling counts
        return text.lower() not in _OPENERS and (tok.pos_ == "PROPN" or any(c.isupper() for c in text[1:])
                                                  or any(c.isdigit() for c in text))
    return True


def _name_spans(span: Span) -> list[Span]:
    """Named things in the sentence: ORG/PRODUCT/... entities, and runs of capitalised words
    ("Follow Up Boss", "Five9", "kvCORE"; a transcript capitalises names)."""
    doc = span.doc
    found: list[Span] = [e for e in span.ents if e.label_ in _NAME_LABELS or e.label_ == "PERSON"]
    # Tokens of other entities are no names, except a capitalised word the parser swept into a date
    # ("Gong two years ago" read as one DATE).
    covered = {t.i for e in span.ents for t in e if e.label_ not in _NAME_LABELS and e.label_ != "PERSON"
               and not (e.label_ in ("DATE", "TIME") and any(c.isupper() for c in t.text) and t.lower_ not in _NOT_NAMES)}
    covered |= {t.i for e in found for t in e}
    i = span.start
    while i < span.end:
        tok = doc[i]
        first = i == span.start or doc[i - 1].text in {".", "?", "!", '"', ":"}
        if tok.i not in covered and _looks_like_name(tok, first):
            j = i + 1
            while j < span.end and doc[j].i not in covered and _looks_like_name(doc[j], False):
                j += 1
            found.append(doc[i:j])
            i = j
        else:
            i += 1
    found += _lower_case_names(span, {t.i for e in found for t in e})
    found.sort(key=lambda s: s.start)
    return found


# A recogniser often writes a vendor's name in lower case ("we looked at triple whale", "a quote from
# compliance wire"): right after a frame that names what was tried or quoted, a bare noun phrase counts as
# a name too, unless it is one of the generic words said in the same frames.
_LOWER_FRAME = re.compile(r"\b(?:tried|trial(?:l?ed)|tested|piloted|look(?:ed)? at|evaluated|(?:quote|proposal|demo|"
                          r"bid|offer) from|switched (?:from|to)|moved (?:from|off|to)|went with|leaving|replacing|"
                          r"talking to|a company called|we(?:'ve| have)? had)\b")
_GENERIC = frozenset({
    "option", "options", "alternative", "alternatives", "vendor", "vendors", "tool", "tools", "software", "system",
    "systems", "solution", "solutions", "product", "products", "platform", "platforms", "app", "apps", "spreadsheet",
    "spreadsheets", "excel", "paper", "email", "emails", "pricing", "price", "prices", "quote", "quotes", "proposal",
    "proposals", "demo", "demos", "people", "others", "other", "stuff", "things", "thing", "ways", "providers",
    "provider", "companies", "company", "brands", "services", "service", "manual", "hand", "whiteboard", "budget",
    "cost", "costs", "numbers", "data", "reports", "report", "time", "home", "lunch", "first", "last", "next",
    "one", "ones", "both", "each", "several", "lots", "lot", "everything", "anything", "something", "nothing",
    "me", "us", "him", "her", "them", "it", "that", "this", "those", "these", "what", "which", "who", "how",
    "contract", "contracts", "module", "modules", "version", "upgrade", "renewal", "pilot", "trial", "call",
    "meeting", "team", "teams", "month", "months", "year", "years", "week", "weeks", "day", "days",
})  # fmt: skip


def _lower_case_names(span: Span, taken: set[int]) -> list[Span]:
    """Lower-case names right after a frame of trying, evaluating or quoting (`_LOWER_FRAME`): one to
    three lower-case nouns or adjectives in a row (spaCy may sweep one into a date: "samsara about
    two years ago"), none a stop word or a generic word, no plural common noun alone ("we looked at
    options"); `taken`: tokens already in a name."""
    doc = span.doc
    text = span.text.lower().replace("\u2019", "'")
    starts = {t.idx - span.start_char: t.i for t in span}  # a token's first character -> the token
    out: list[Span] = []
    for frame in _LOWER_FRAME.finditer(text):
        k = starts.get(len(text) - len(text[frame.end() :].lstrip()))  # the first word after the frame
        if k is None:
            continue
        j = k
        while (j < span.end and j - k < 3 and j not in taken and doc[j].text.islower()
               and re.fullmatch(r"[a-z][a-z0-9-]*(?:\.com)?", doc[j].text) and not doc[j].is_stop
               and doc[j].pos_ in ("NOUN", "PROPN", "ADJ", "X") and doc[j].lower_ not in _GENERIC
               and doc[j].lower_ not in _NOT_NAMES):
            j += 1
        if j > k and not (j - k == 1 and doc[k].tag_ == "NNS"):
            out.append(doc[k:j])
    return out


def _clean(name: Span) -> str:
    words = [t.text for t in name if not (t.lower_ in {"the", "'s", "\u2019s"} or t.is_punct)]
    return " ".join(words).strip()


def seller_names(ctx: CallContext) -> set[str]:
    """Lower-cased words that name the seller or the people on the call: the speakers' names, the
    rep's company in their speaker name ("Alex (Acme)"), and what the rep names after "from",
    "with" or "at" early in the call ("this is Sam from Routewise")."""
    names: set[str] = set()
    for speaker in ctx.transcript.speakers:
        if speaker.name:
            names.update(w.lower() for w in re.findall(r"[\w'-]+", speaker.name))
    for i, s in enumerate(ctx.sentences[:40]):
        if ctx.role(i) == "customer":
            continue
        for m in re.finditer(r"\b(?:from|with|at|here at|calling from)\s+((?:[A-Z][\w'-]*\s?){1,3})", s.text):
            if ctx.role(i) == "rep" or i < 4:
                names.update(w.lower() for w in m.group(1).split())
    for i, s in enumerate(ctx.sentences):  # the product the rep sells: "with RatePilot you ..."
        if ctx.role(i) == "rep":
            for m in re.finditer(r"\b(?:with|in|from|at) ([A-Z]\w+)\b(?=,? (?:you|your|we))", s.text):
                names.add(m.group(1).lower())
    return names


# "talking to a company called FleetLoop": the phrase stands for the name, so the frame before it counts.
_CALLED = re.compile(r"\b(?:a|an|this|some|one) (?:[\w-]+ )?(?:company|vendor|firm|outfit|start-?up|provider|"
                     r"product|tool|platform|system|app) called\s*$")


def _context(span: Span, name: Span) -> bool:
    """Whether the words around `name` put it in competition."""
    doc = span.doc
    before = _CALLED.sub("", doc[span.start : name.start].text.lower().replace("\u2019", "'")) + " "
    after = doc[name.end : span.end].text.lower().replace("\u2019", "'")
    if STRONG_BEFORE.search(before) or STRONG_AFTER.search(after) or _HAD.search(before):
        return True
    # "We looked at Gong and at Chorus": a name in a list after a strong context.
    listed = re.sub(r"(?:,|\band\b|\bor\b)\s*(?:at\s+|with\s+)?$", "", before.rstrip())
    if listed != before.rstrip():
        head = listed.rsplit(",", 1)[0] if "," in listed else listed
        return bool(STRONG_BEFORE.search(re.sub(r"\s*[\w'-]+(?:\s+[\w'-]+)?$", " ", head) + " "
                                            ) or STRONG_BEFORE.search(head + " "))
    return False


def _around(span: Span, name: Span) -> str:
    doc = span.doc
    return doc[max(span.start, name.start - 4) : min(span.end, name.end + 3)].text.lower()


def _asked(ctx: CallContext, i: int) -> bool:
    """Sentence `i` opens (or follows closely) the customer's answer to a question about rivals."""
    for j in range(i - 1, max(-1, i - 3), -1):
        s = ctx.sentences[j]
        if s.speaker != ctx.sentences[i].speaker:
            return s.text.rstrip().endswith("?") and bool(ASKS_RIVALS.search(s.text.lower()))
    return False


def find_competitors(ctx: CallContext, trackers: list[TrackerHit]) -> list[BriefItem]:
    """One competitor item per vendor named in a competitive context (or on the tracker's list);
    Chinese sentences by Chinese cues (`chinese_competitors`)."""
    listed = {h.phrase.lower() for h in trackers if h.tracker == "competitors" and h.match == "phrase"
              and h.phrase[:1].isupper()}
    seller = seller_names(ctx)
    best: dict[str, BriefItem] = {}
    for i, s in enumerate(ctx.sentences):
        if s.span._.is_backchannel or s.span.doc.lang_ != "en":
            continue
        rep_says_yours = ctx.role(i) == "rep" and re.search(r"\byou'?(?:re| are) (?:on|using|leaving|with|replacing|"
                                                          r"moving off)\b", s.text.lower())
        if not ctx.customer_side(i) and not rep_says_yours:
            continue
        question = is_question(s.span)
        asked = _asked(ctx, i)
        names = _name_spans(s.span)
        for name_span in names:
            name = _clean(name_span)
            key = name.lower()
            if not name or len(key) < 2 or key in _NOT_NAMES or any(w in seller for w in key.split()):
                continue
            doc = s.span.doc
            if name_span.start - 2 >= s.span.start and doc[name_span.start - 1].lower_ in {"from", "by", "of"} and any(
                    n.end == name_span.start - 1 for n in names):
                continue  # "ComplianceWire from UL": the maker of the product named just before
            strong = _context(s.span, name_span)
            if name_span.label_ == "PERSON" and not (strong and PRODUCT_CONTEXT.search(_around(s.span, name_span))):
                continue
            if key in listed:
                confidence = 0.95 if strong else 0.8
            elif strong and not (question and not re.match(r"^\W*(?:what|how) about\b", s.text.lower())):
                confidence = 0.85 if name_span.label_ in ("ORG", "PRODUCT") else 0.8
            elif asked and not question:
                confidence = 0.7
            else:
                continue
            if key in SYSTEMS and not strong:
                continue
            clip = ctx.words.clip(s, clause_around(s.span, name_span.start, name_span.end))
            item = BriefItem(kind="competitor", text=clip.text, start=round(clip.start, 3), end=round(clip.end, 3),
                             speaker=clip.speaker, role=ctx.role(i), confidence=confidence, detail=name)
            if key not in best or item.confidence > best[key].confidence:
                best[key] = item
    for key, item in chinese_competitors(ctx, trackers, seller).items():
        if key not in best or item.confidence > best[key].confidence:
            best[key] = item
    return sorted(best.values(), key=lambda it: it.start)


# --- Chinese sentences -------------------------------------------------------------------------

# The tracker's generic words (别家, 竞品, 其他供应商 ...): no vendor's name.
_ZH_GENERIC = re.compile(r"家|供应商|厂商|竞|对手|competitor|vendor|tool|alternative", re.I)
# Systems a Chinese customer runs without them competing (chat, office, spreadsheets): named in a
# plain "我们用钉钉" they are no competitor; in an evaluation ("也在看飞书") they are.
ZH_SYSTEMS = frozenset({"钉钉", "企业微信", "飞书", "微信", "腾讯会议", "WPS", "石墨文档", "金山文档"})
_ZH_LATIN_NOT_NAMES = frozenset({"crm", "erp", "oa", "saas", "paas", "app", "pc", "bi", "mes", "wms", "scm", "hr",
                                 "ok", "demo", "poc", "ppt", "pdf", "it", "ai", "api", "sdk", "vip", "kpi", "roi"})
_ZH_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Za-z0-9]*(?:[ .-][A-Z][A-Za-z0-9]*)*(?![A-Za-z0-9])")
_ZH_BREAK = "，,。？?！!；;：:"
# Before the name, in its clause: the customer uses, used, tries, evaluates or compares it.
ZH_BEFORE = re.compile(
    r"(?:在用|用的是|用的还是|用的|用过|用了|还在用|一直用|使用|试过|试用|试了|在看|看过|看了|还看|考察|对比|比较|比过|"
    r"比了|考虑|接触|聊过|谈过|在谈|找过|找了|换掉|替换|换成|换了|签了|买了|续约|报价|报过价|选了|选的是|上了)"
    r"[^，,。？?！!；;：:]{0,6}$")
# After it: a quote, a price, a time in use, its proposal or demo ("销售易报价比你们低", "用友用了五年").
ZH_AFTER = re.compile(
    r"^(?:那边|那家|他们|也|都|的人|家)?(?:[^，,。？?！!；;：:]{0,4}?)(?:报价|报了|报的|给的价|给了|便宜|贵|价格|的方案|方案|"
    r"演示|试用|试过|试了|用了|用过|在用|用得|不好用|看过|对比过|考虑过|接触过|谈过|聊过|合同|续约|到期|的销售|来过|来谈|找过|"
    r"更好|比你们|跟你们比|和你们比|的年费|"
    r"换过来|迁过来|切过来|转过来)")
# A system the customer connects with: a need, not a rival ("要能和金蝶对接", "金蝶的接口").
ZH_INTEGRATION = re.compile(r"^(?:的)?(?:[^，,。？?！!；;：:]{0,6}?)(?:对接|打通|集成|同步|兼容|联动|互通|接口|API|api|"
                            r"导入|导出|导数据|连通|连接)")
_ZH_NEGATED = re.compile(r"(?:没|不|未|别|从没|从来没)(?:有)?(?:在)?$")
_ZH_NEGATED_AFTER = re.compile(r"^[^，,。？?！!；;：:]{0,4}?(?:没|不|未|从没|从来没)(?:有)?(?:用|考虑|看|试|谈|接触|合作|对比)")
# The rep says the customer uses it: "你们之前用的是用友，对吧？".
ZH_REP_SAYS_YOURS = re.compile(r"(?:你们|您|贵司|贵公司)(?:这边|那边)?(?:现在|目前|之前|以前|原来|一直)?(?:在用|用的是|用的|用过|"
                               r"用了|还在用|使用|在看|也在看|对比|考虑)")
# A rep's question about the customer's other options: the names in the answer are being evaluated
# ("还看了哪几家？" / "有销售易，还有HubSpot"); about what the customer uses: unlisted names count.
ZH_ASKS_RIVALS = re.compile(r"哪几家|哪家|哪些(?:厂商|供应商|产品|系统|方案|品牌)|其他(?:几)?家|别家|别的(?:厂商|供应商|产品|"
                            r"方案|系统)|其他(?:厂商|供应商|产品|方案|系统)|竞品|还看了|对比了|比较了|接触了|在看")
ZH_ASKS_SYSTEM = re.compile(r"用的是什么|用什么|什么系统|什么软件|什么工具")
_ZH_QUESTION_END = re.compile(r"[？?]\s*$|[吗呢][。！!]?\s*$")


@functools.cache
def zh_vendor_words() -> tuple[str, ...]:
    """The built-in `competitors` tracker's Chinese vendor names (its generic words left out)."""
    return tuple(p for p in tracker_phrases("competitors") if not _ZH_GENERIC.search(p))


def _zh_seller(ctx: CallContext) -> list[str]:
    """Texts that name the seller: the speakers' names, and what the rep (or an unknown speaker at
    the start) says after 我是 / 这里是 / 我们是 ("我是云帆软件的王磊" -> 云帆软件); two characters or more."""
    found = [s.name for s in ctx.transcript.speakers if s.name]
    for i, s in enumerate(ctx.sentences[:40]):
        if s.span.doc.lang_ == "zh" and (ctx.role(i) == "rep" or ctx.role(i) == "unknown" and i < 4):
            found += [m.group(1) for m in re.finditer(r"(?:我是|这里是|我们是|我这边是)([^，,。？?！!；;：:]{2,12}?)(?:的|，|。|$)",
                                                      s.text)]
    return [t for t in found if len(t) >= 2]


def _zh_question(ctx: CallContext, k: int) -> bool:
    s = ctx.sentences[k]
    return s.span._.question_type is not None or bool(_ZH_QUESTION_END.search(s.text))


def _zh_asked(ctx: CallContext, i: int) -> str | None:
    """"rivals" or "system" when sentence `i` answers (or follows closely) the other speaker's
    question about rivals or about the system in use."""
    for j in range(i - 1, max(-1, i - 3), -1):
        prev = ctx.sentences[j]
        if prev.speaker != ctx.sentences[i].speaker:
            if not _zh_question(ctx, j):
                return None
            return "rivals" if ZH_ASKS_RIVALS.search(prev.text) else "system" if ZH_ASKS_SYSTEM.search(prev.text) else None
    return None


def _zh_names(text: str, listed: set[str]) -> list[tuple[int, int, str, str]]:
    """(start, end, name as written, "listed" | "system" | "latin") for each name in `text`: listed
    names and systems first, the longest where two overlap, then other capitalised Latin words."""
    found: list[tuple[int, int, str, str]] = []
    for name in sorted(listed | ZH_SYSTEMS, key=len, reverse=True):
        latin = name.isascii()
        pattern = (r"(?<![A-Za-z0-9])" + re.escape(name) + r"(?![A-Za-z0-9])") if latin else re.escape(name)
        for m in re.finditer(pattern, text, re.I if latin else 0):
            found.append((m.start(), m.end(), name, "listed" if name in listed else "system"))
    known = list(found)
    for m in _ZH_LATIN.finditer(text):
        word = m.group(0)
        if any(a < m.end() and m.start() < b for a, b, _, _ in known):
            continue  # "Salesforce CRM": the listed name
        if word.lower() not in _ZH_LATIN_NOT_NAMES and word.lower() not in _NOT_NAMES:
            found.append((m.start(), m.end(), word, "system" if word.lower() in SYSTEMS else "latin"))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[tuple[int, int, str, str]] = []
    for f in found:
        if not out or f[0] >= out[-1][1]:
            out.append(f)
    return out


def _zh_context(text: str, start: int, end: int) -> str | None:
    """"strong", "integration", "negated" or None for the name at text[start:end]."""
    clause_start = max((text.rfind(c, 0, start) for c in _ZH_BREAK), default=-1) + 1
    before, after = text[clause_start:start], text[end:]
    if _ZH_NEGATED_AFTER.search(after):
        return "negated"
    m = ZH_BEFORE.search(before)
    if m and _ZH_NEGATED.search(before[: m.start()]):
        return "negated"
    if m:
        return "strong"
    if ZH_INTEGRATION.search(after):
        return "integration"
    return "strong" if ZH_AFTER.search(after) else None


def chinese_competitors(ctx: CallContext, trackers: list[TrackerHit], seller: set[str] | None = None
                        ) -> dict[str, BriefItem]:
    """The competitor items of the Chinese sentences, keyed by the vendor's lower-cased name (one
    per vendor: its most confident mention, the first of equals)."""
    if not any(s.span.doc.lang_ == "zh" for s in ctx.sentences):
        return {}
    listed = set(zh_vendor_words()) | {h.phrase for h in trackers if h.tracker == "competitors" and h.match == "phrase"
                                       and not _ZH_GENERIC.search(h.phrase) and not h.phrase[:1].islower()}
    sellers = _zh_seller(ctx)
    seller_words = seller or set()
    best: dict[str, BriefItem] = {}
    for i, s in enumerate(ctx.sentences):
        text = s.text
        if s.span.doc.lang_ != "zh" or s.span._.is_backchannel or not text.strip():
            continue
        rep_says_yours = ctx.role(i) == "rep" and bool(ZH_REP_SAYS_YOURS.search(text))
        if not ctx.customer_side(i) and not rep_says_yours:
            continue
        question = _zh_question(ctx, i)
        asked = _zh_asked(ctx, i)
        for start, end, name, sort in _zh_names(text, listed):
            key = name.lower()
            if any(name in t or t in name for t in sellers) or (name.isascii() and any(
                    w in seller_words for w in key.split())):
                continue  # the seller's own company or product
            context = _zh_context(text, start, end)
            if context in ("negated", "integration"):
                continue
            strong = context == "strong" or asked == "rivals" and not question
            if sort == "listed":
                confidence = 0.95 if strong else 0.8
            elif strong and not question:
                confidence = 0.8
            elif sort == "latin" and asked == "system" and not question:
                confidence = 0.7
            else:
                continue
            if rep_says_yours and ctx.role(i) == "rep":
                confidence = min(confidence, 0.8)  # the customer's own words outrank the rep's
            lo, hi = clause_of(text, start)
            lo, hi = min(lo, start), max(hi, end)
            clip, t0, t1 = clip_chars(ctx, i, lo, hi)
            item = BriefItem(kind="competitor", text=clip, start=round(t0, 3), end=round(t1, 3), speaker=s.speaker,
                             role=ctx.role(i), confidence=confidence, detail=name)
            if key not in best or item.confidence > best[key].confidence:
                best[key] = item
    return best


__all__ = ["SYSTEMS", "ZH_SYSTEMS", "chinese_competitors", "find_competitors", "seller_names", "zh_vendor_words"]
