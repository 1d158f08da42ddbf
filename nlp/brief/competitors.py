"""Competitors: vendors and tools the customer names as tried, used, evaluated or quoted.

A name counts when it is one of the `competitors` tracker's listed names (the organisation's
own list, `nlp/trackers.yaml`), or a named organisation or product (a spaCy ORG/PRODUCT entity,
or capitalised words) in a competitive context: "we tried X", "we're also looking at X",
"X quoted us", "we switched from X". Merely using a system of record ("we're on Salesforce")
is not a competitor unless the context is an evaluation. The seller's own company and the
speakers' names are never competitors. One item per vendor: its most confident mention.
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

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
STRONG_AFTER = re.compile(r"^\W*(?:'s\W+)?(?:\w+\W+){0,2}?(?:quoted|offered|pitched|gave us|came in|came back|came up|"
                          r"is cheaper|was cheaper|are cheaper|were cheaper|costs? less|sent us|is on the table|are on the "
                          r"table|on the table|didn'?t work|did not work|didn'?t stick|never stuck|was too|were too|is too|"
                          r"and (?:\w+ )?were (?:both )?(?:over|too)|contract|renewal|trial|pilot|demo|rep|sales ?(?:rep|"
                          r"person|guy|team)|proposal|quote)\b")
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
               and not (e.label_ in ("DATE", "TIME") and t.text[:1].isupper() and t.lower_ not in _NOT_NAMES)}
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
    found.sort(key=lambda s: s.start)
    return found


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


def _context(span: Span, name: Span) -> bool:
    """Whether the words around `name` put it in competition."""
    doc = span.doc
    before = doc[span.start : name.start].text.lower().replace("\u2019", "'") + " "
    after = doc[name.end : span.end].text.lower().replace("\u2019", "'")
    if STRONG_BEFORE.search(before) or STRONG_AFTER.search(after):
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
    """One competitor item per vendor named in a competitive context (or on the tracker's list)."""
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
        for name_span in _name_spans(s.span):
            name = _clean(name_span)
            key = name.lower()
            if not name or len(key) < 2 or key in _NOT_NAMES or any(w in seller for w in key.split()):
                continue
            doc = s.span.doc
            if name_span.start - 2 >= s.span.start and doc[name_span.start - 1].lower_ in {"from", "by", "of"} and any(
                    n.end == name_span.start - 1 for n in _name_spans(s.span)):
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
    return sorted(best.values(), key=lambda it: it.start)


__all__ = ["SYSTEMS", "find_competitors", "seller_names"]
