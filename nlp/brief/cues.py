"""Cue patterns: the words that mark a pain, a need, an objection, a budget, a decision or a price.

Each cue is a regular expression over a sentence's lower-cased text (curly apostrophes made
straight, apostrophes optional where speech recognisers drop them) with a weight (how sure the
words alone make the kind, 0..1). `negatable` cues are cancelled by a negation just before them
("not a problem", "no issues"); cues that carry their own negation ("can't see", "nobody
updates") are not. `detail` names the objection's topic. The rules that read the parse around a
cue (hypotheticals, "used to", other people's pains) are in `nlp.brief.items`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.brief.dates import MONTH_NAMES


@dataclass(frozen=True, slots=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float
    negatable: bool = True
    detail: str | None = None
    unless_conditional: bool = False  # a condition before it ("if ...") cancels it, whatever the kind


def _cue(pattern: str, weight: float, *, negatable: bool = True, detail: str | None = None,
         unless_conditional: bool = False) -> Cue:
    return Cue(re.compile(pattern), weight, negatable, detail, unless_conditional)


_NT = r"(?:n'?t|not)"  # "can't", "cant", "can not"
_W = r"(?:[\w'-]+ ){0,2}?"  # up to two words in between
# The months by name, but "may" (the verb: "until may be too late").
_MONTHS = "|".join(m for m in MONTH_NAMES if m != "may")

PAIN = (
    _cue(r"\bstruggl\w*", 1.0),
    _cue(r"\bpain(?:ful| points?)\b|\bheadaches?\b|\bnightmare\b|\bfrustrat\w*|\bchaos\b|\bchaotic\b", 1.0),
    _cue(r"\b(?:a|total|complete|real|big|huge) mess\b|\bmessy\b", 1.0),
    _cue(r"\bwast(?:e|es|ed|ing)\b|\bbottlenecks?\b", 1.0),
    _cue(rf"\b(?:lose|loses|losing|lost)\s+{_W}(?:deals?|customers?|clients?|time|money|revenue|track|visibility|"
         r"hours|business|leads?|opportunit\w+|reps?|people|renewals?|accounts?)\b", 1.0),
    _cue(r"\bfall(?:s|ing)? through the cracks\b|\bslip(?:s|ping|ped)? through\b", 1.0, negatable=False),
    _cue(r"\btakes? (?:us |them |me |the team |everyone )?(?:forever|ages|way too long|too long|hours|days|weeks|"
         r"most of|half (?:a|the|of))", 1.0),
    _cue(r"\b(?:manual(?:ly)?|by hand|copy(?:ing)? and past\w*|re-?typ\w+)\b", 0.7),
    _cue(r"\berror[- ]prone\b|\b(?:errors|mistakes|typos)\b", 0.7),
    _cue(r"\b(?:no|zero|little|limited|poor) (?:real )?(?:visibility|insight|idea|way to|transparency|oversight|"
         r"consistency|process|time)\b", 1.0, negatable=False),
    _cue(rf"\b(?:ca{_NT}|cannot|could{_NT}|unable to|not able to|no way to|hard to|difficult to|impossible to|"
         rf"tough to|never) {_W}(?:see|tell|know|track|find|measure|keep up|scale|trust|figure|report|coach|"
         r"follow|forecast|hear|review|listen|get to|catch|reach|ramp|hire|onboard|share)\b", 1.0, negatable=False),
    _cue(rf"\b(?:nobody|no one|no-one|none of (?:us|them)|half (?:of )?(?:the|my|our) (?:team|reps|people)) "
         rf"{_W}(?:listens?|knows?|updates?|follows?|reads?|uses?|checks?|reviews?|looks?|caught|catches|tracks?|"
         r"owns?|has time|bothers?|trusts?|kept|keeps|does|do|did|is|was|remembers?|logs?|fills?)\b", 1.0, negatable=False),
    _cue(r"\bproblems?\b|\bissues?\b|\bchallenges?\b|\bchallenging\b|\bdifficult\b", 0.8),
    _cue(r"\b(?:too|really|very|painfully|super|so|pretty|way too) (?:slow|late|manual|complicated|complex|hard|"
         r"clunky|expensive to maintain|time[- ]consuming|tedious|messy|old)\b|\btime[- ]consuming\b|\btedious\b",
         1.0),
    _cue(r"\b(?:slow|outdated|out of date|stale|inconsistent|scattered|unreliable|inaccurate|clunky|fragmented|"
         r"siloed|buggy|broken|wrong|old|behind|overdue|late|lagging)\b", 0.6),
    _cue(r"\b(?:dropped|declin\w+|fell|falling|went down|gone down|go down|down from|shrink\w*|slipp\w+|plummet\w*|"
         r"tanked|suffer\w*)\b", 0.7),
    _cue(rf"\bmiss(?:ed|ing|es)? {_W}(?:targets?|quota|forecasts?|numbers?|deadlines?|calls?|follow[- ]?ups?|deals?|"
         r"things|signals?|opportunit\w+|renewals?|the mark|out)\b", 0.9),
    _cue(r"\bcomplain\w*|\bhates?\b|\bhated\b|\bannoy\w*|\bpainfully\b", 0.8),
    _cue(r"\b(?:costs?|costing|cost) us\b|\bhurt(?:s|ing)?\b|\bkilling us\b|\bdrives? (?:me|us|everyone) "
         r"(?:crazy|nuts)\b", 0.9),
    _cue(r"\bonly find out\b|\btoo late\b|\bfind out (?:\w+ ){0,4}too late\b|\bafter the fact\b", 1.0, negatable=False),
    _cue(rf"\bspend(?:s|ing)? {_W}(?:hours?|days?|half|most|a lot of time|too much)\b", 0.8),
    _cue(r"\boverwhelm\w*|\bburn(?:ed|t)? out\b|\bburnout\b|\bchurn\w*|\bturnover\b|\bworr(?:y|ies|ied)\b|\brisk\b|"
         r"\bblind\b|\bguess(?:ing|work)\b", 0.7),
    _cue(rf"\b(?:does{_NT}|do{_NT}|did{_NT}|is{_NT}|are{_NT}|never) (?:really |actually )?(?:work|working|scale|"
         r"talk to each other|integrate|sync|stick|get used|get updated|updated|accurate|reliable|enough)\b|"
         r"\bfail(?:s|ed|ing|ures?)?\b|\bbreaks?\b|\bcrash\w*", 0.8, negatable=False),
    _cue(r"\b(?:a few|couple of|several) (?:days|weeks) old\b|\bweeks? behind\b|\bdays? late\b", 0.9, negatable=False),
    _cue(r"\bspreadsheets?\b|\bsticky notes\b|\bown notes\b|\bpost-?its\b|\bwhiteboards?\b|\bon paper\b|"
         r"\bpaper (?:forms?|folders?|timesheets?|sheets?|files?|records?|process)\b|\bin a binder\b|\bby email\b|"
         r"\bgroup chat\b", 0.6),
    _cue(r"\b(?:spends?|spent|spending|takes?|took|taking|eats?|ate|eating|burns?|lose|loses|lost|losing|wastes?|"
         r"wasted|wasting|costs?|costing)\b(?:[\w',-]+ ){0,6}?(?:hours?|days?|weeks?|minutes?|mornings?|afternoons?|"
         r"half (?:a|the|their|our|his|her|of)|most of|the whole|an entire|the entire)\b", 0.9, negatable=False),
    _cue(r"\b(?:paid|pay|paying|cost|costs|costing|lost|losing|lose)\b(?:[\w',-]+ ){0,5}?(?:penalt\w+|fines?|"
         r"dollars|thousand|grand|revenue|customers?|deals?)\b|\bpenalt(?:y|ies)\b|\bfines\b|\bidle\b|\bscrap\b|"
         r"\brework\b|\bwrite[- ]offs?\b|\bchargebacks?\b|\bdisputes?\b|\bescalations?\b|\bcancellations?\b|"
         r"\bno[- ]shows?\b|\bdead stock\b|\brun out of\b|\bout of stock\b|\bstockouts?\b|\boutages?\b|"
         r"\bbacklog\b|\bdowntime\b|\bviolations?\b", 0.8),
    _cue(r"\b(?:swamped|underwater|overloaded|stretched|buried|drowning|on hold|embarrass\w*|furious|riot)\b", 0.9),
    _cue(r"\b(?:jump|jumps|jumping|switch|switching|toggle|toggling|copy|copying) between\b|\bre-?(?:type|enter|key)\w*|"
         r"\b(?:types?|typed|typing|keys?|keyed|keying|enters?|entered|entering) (?:[\w']+ ){0,4}?(?:by hand|manually|"
         r"twice|into)\b|\b(?:three|four|five|multiple|several|two|different) (?:screens|systems|tools|places|"
         r"spreadsheets|logins|apps)\b|\btwice\b", 0.8),
    _cue(rf"\b(?:does{_NT}|do{_NT}) match\b|\bout of sync\b|\bcrash\w*|\bgoes down\b|\bwent the other way\b|"
         r"\bsits? there\b|\bsitting (?:in|on|there)\b|\bby the time\b", 0.9, negatable=False),
    _cue(r"\b(?:nobody|no one|no-one|never)\b (?:[\w']+ ){0,2}?(?:fixed|told|tells|reads?|trusts?|answers?|responds?|"
         r"calls? back|gets? back|picks? up|shown|showed|gets?|got|hears?|heard|sees?|saw|tracks?|knows?|notices?|"
         r"notice)\b", 1.0, negatable=False),
    _cue(rf"\b(?:ca{_NT}|cannot|could{_NT}|unable to|not able to|no way to)\b(?! wait)", 0.6, negatable=False),
    _cue(r"\b(?:rate|scrap|churn|turnover|no[- ]show\w*|backlog|error rate|response time|wait time|cost per \w+|"
         r"first response)\b(?:[\w',-]+ ){0,5}?(?:percent|hours?|days?|dollars|minutes)\b", 0.8, negatable=False),
)

# "need to" that asks for time or permission is not a requirement: "I need to check with my boss".
_NOT_A_NEED = (r"(?! to (?:check|talk|ask|think|discuss|loop|confirm|get back|go|review (?:it|this|that) with|"
               r"sleep|hop|jump|wrap|leave|speak|consult|clear|get (?:approval|sign|buy)|drop|head|take a look|look at "
               r"(?:it|this|the)|run it|bring|involve|make sure i|sign off|read|digest|show (?:this|it|that) to))")
NEED = (
    _cue(r"\b(?:we|i|they|team|it|this|that|you|the tool|the system|whatever we (?:buy|pick|choose)) (?:really |absolutely |"
         r"definitely |would |will |also |still |just |'?d |'?ll |do |basically |mainly |primarily )?(?:need|needs)\b"
         + _NOT_A_NEED, 0.9),
    _cue(r"\bmust[- ]haves?\b|\bmust (?:be|support|integrate|have|work|run|stay|include|handle|offer|allow|let|give|"
         r"connect)\b|\b(?:has|have) (?:got )?to (?:be|have|support|integrate|work|run|stay|include|handle|offer|allow|"
         r"connect|plug|live|give|cover|scale|let)\b", 1.0),
    # What the product must do, whatever the verb: "Quotes have to land in Epic", "whatever we pick has
    # to pull the bill in". A person's "I have to check with my boss" is not a need.
    _cue(r"\b(?:it|this|that|whatever (?:we|you) \w+|the (?:[\w-]+ )?(?:system|tool|app|platform|software|product|"
         r"solution|scanners?|devices?|data|reports?|integration|dashboards?)|quotes|orders|invoices|alerts) "
         r"(?:would |will |really |also |just |still )?(?:has|have) (?:got )?to (?!go through|be (?:approved|signed)|get "
         r"(?:approved|signed))\w+|\b(?:is|are|'s) a must\b", 1.0),
    _cue(r"\brequire(?:s|d|ments?)?\b|\bprerequisites?\b|\bnon[- ]?negotiable\b|\bdeal[- ]?breakers?\b|\bcritical\b|"
         r"\bessential\b|\bkey (?:for|to) us\b|\bmandatory\b|\bcompliance\b|\bcompliant\b|\bhard constraint\b", 0.9),
    _cue(r"\b(?:looking for|in the market for|searching for|shopping for) (?:a |an |some |something|someone|a way|"
         r"the ability|one|tools?|solutions?|software|platforms?|ways?)", 0.9),
    _cue(r"\b(?:want|wants|wanted|would like|'?d like|would love|'?d love|hoping|hope|looking|trying) to (?:be able to|"
         r"have|see|get|make sure|know|cut|reduce|save|stop|improve|automate|track|coach|give|find|hear|integrate|"
         r"move|consolidate|replace|start|spend less|free up|speed|increase|double|shorten|understand|standardi[sz]e)",
         0.8),
    _cue(r"\bideally\b|\bin an ideal world\b|\bwish (?:list|we could|we had|i could|i had)\b|\bwhat (?:we|i) "
         r"(?:really |actually )?(?:want|need|care about)\b", 0.9),
    _cue(r"\bsuccess (?:would|will|for us|looks|means|is|to me|criteria)|\bthe goal (?:is|would be|here)|\b(?:our|my) "
         r"(?:main |big |biggest |key |real )?goals?\b|\bconsider it a success\b|\b(?:a )?win for us\b|"
         r"\bwould be a (?:big |huge )?win\b|\bmeasure success\b|\bkpis?\b|\btarget is\b", 1.0),
    _cue(r"\bimportant (?:to us|for us|to me|for me|that|is|thing)\b|\bmost important\b|\btop priority\b|"
         r"\bpriority for us\b|\bmatters most\b|\bcare (?:most )?about\b|\bnon-?starter\b", 0.9),
    _cue(r"\bshould be able to\b|\bneeds to\b|\bhave to be\b|\bcan'?t live without\b", 0.6),
    _cue(r"\b(?:i|we|they|he|she)(?:'d| would) (?:want|like|need|expect|insist on|require)\b|\b(?:wants?|will want|'ll "
         r"want|would want) to see\b|\ba must\b|\bthat'?s (?:a|the) (?:big one|key|main thing|dealbreaker)\b", 0.8),
    _cue(rf"\bca{_NT} (?:be asked to|have|require|expect|rely on|ask)\b|\bshould{_NT} have to\b|"
         rf"\b(?:must|can) not\b|\bmust{_NT}\b", 0.8, negatable=False),
)

OBJECTION = (
    _cue(r"\btoo (?:expensive|pricey|much money|high|steep|costly|rich)\b|\bway too much\b", 1.0, detail="price"),
    _cue(r"\b(?:over|above|out of|beyond|outside|exceeds?|more than) (?:our|the|my) budget\b", 1.0, detail="price"),
    _cue(r"\bexpensive\b|\bpricey\b|\bsteep\b|\bcostly\b|\ba lot of money\b|\ba big ask\b|\b(?:hard|tough|difficult) "
         rf"to justify\b|\bca{_NT} justify\b|\bsticker shock\b", 0.8, detail="price"),
    _cue(rf"\b(?:ca{_NT}|cannot|could{_NT}) afford\b|\bno budget\b|\bdo{_NT} have (?:the |a |any |much )?budget\b|"
         r"\bbudget (?:is|'s|was) (?:\w+ )?(?:tight|limited|frozen|gone|spent|already allocated|allocated|cut|"
         r"committed)\b|\btight budget\b|\bbudget (?:freeze|cuts?)\b|\bno money\b", 1.0, negatable=False,
         detail="price"),
    _cue(r"\b(?:more|higher) than (?:we|i) (?:can|could|want to|wanted to|were hoping to|planned to|expected to|"
         r"would) (?:\w+ )?(?:spend|pay|afford)\b|\bmore than (?:we|i) (?:expected|budgeted|thought|hoped)\b", 1.0,
         detail="price"),
    _cue(r"\b(?:price|pricing|cost|costs|quote|number) (?:is|are|'s|seems|seem|looks?|feels?) (?:\w+ ){0,2}?"
         r"(?:high|steep|a lot|an issue|a concern|a problem|a sticking point|tough|hard to swallow|out of reach)",
         1.0, detail="price"),
    _cue(r"\bcheaper\b|\bdiscount\b|\bbetter (?:price|deal|rate)\b|\bflexib\w+ on (?:the )?pric\w+\b|\bwiggle room\b|"
         r"\bknock (?:something|anything|a bit) off\b|\bsharpen (?:your|the) pencil\b", 0.6, detail="price"),
    _cue(r"\bnot (?:a|the|our|really a) (?:top |big |high |real |huge )?priority\b|\bnot (?:really )?(?:the )?right "
         r"time\b|\bbad time\b|\btiming (?:is|'s|was) (?:\w+ )?(?:bad|tough|off|tricky|an issue|difficult|terrible|"
         r"awful|not (?:\w+ )?(?:right|great|ideal|good))\b|\btiming (?:isn'?t|wasn'?t|just isn'?t) (?:\w+ )?(?:right|"
         r"great|ideal|good)\b|\bbad timing\b", 1.0, negatable=False, detail="timing"),
    _cue(r"\b(?:before|until|till|after|not till|not until) (?:next quarter|next year|the new year|january|q[1-4]|"
         r"the end of the (?:quarter|year)|our (?:renewal|budget cycle|fiscal year|planning)|the holidays|"
         r"next fiscal year|the (?:summer|fall|spring|autumn)|(?:our|the) (?:current )?contract)", 0.9,
         negatable=False, detail="timing"),
    _cue(rf"\b(?:ca{_NT}|cannot|wo{_NT}|not going to|unable to|do{_NT} (?:want|plan) to) {_W}(?:do|start|commit|sign|"
         r"move|look at|take on|buy|purchase|change|switch|roll out|invest)\b(?: \w+){0,4}? (?:now|right now|"
         r"this (?:year|quarter|month)|before|until|yet|at the moment|anytime soon)\b", 1.0, negatable=False,
         detail="timing"),
    _cue(r"\bon hold\b|\bback burner\b|\bpark (?:this|it)\b|\brevisit (?:this|it|in|next|after|later)\b|"
         r"\btoo busy\b|\bswamped\b|\bslammed\b|\bnot ready\b|\bfreeze\b|\bhiring freeze\b|\breorg\b|"
         r"\bnot (?:in|for) (?:this|the) (?:year|quarter)\b", 0.9, negatable=False, detail="timing"),
    _cue(rf"\bnot (?:my|really my|entirely my|up to me|solely my) (?:decision|call)?\b|\bnot my (?:decision|call)\b|"
         rf"\bi ca{_NT} (?:sign|approve|make (?:that|the|this) (?:decision|call)|commit)\b|\bdo{_NT} have (?:the )?"
         r"(?:authority|final say|sign[- ]?off|budget authority)\b|\bout of my hands\b|\babove my pay ?grade\b", 1.0,
         negatable=False, detail="authority"),
    _cue(r"\b(?:have|need|has|needs|got|gotta) to (?:check|run (?:it|this|that) (?:by|past)|talk|speak|clear (?:it|this|"
         r"that)|get (?:approval|sign[- ]?off|buy[- ]in|the ok|the okay|a green light)|ask|consult|loop in|bring in|"
         r"sell (?:it|this) to|convince|pitch (?:it|this) to) (?:with |to |from |in |by )?(?:my|our|the|a) (?:\w+ )?"
         r"(?:boss|manager|cfo|ceo|vp|director|team|head|finance|legal|procurement|board|leadership|it|security|"
         r"partners?|owner|founder|cto|coo|cro|committee|people|department|superiors?|management|execs?|"
         r"executives?)\b", 1.0, negatable=False, detail="authority"),
    _cue(r"\brun (?:it|this|that) (?:by|past)\b|\bget (?:approval|sign[- ]?off|buy[- ]in) from\b|\bneeds? "
         r"(?:approval|sign[- ]?off|their blessing|his blessing|her blessing)\b", 0.9, negatable=False,
         detail="authority"),
    _cue(r"\b(?:happy|fine|good|satisfied|content|ok|okay) with (?:\w+ ){0,2}?(?:what we have|our current|the current|"
         r"our existing|the existing|our setup|our tool|the tool we)", 0.9, detail="competition"),
    _cue(r"\b(?:already|currently) (?:have|use|using|pay for|paying for|own|got) (?:a |an |another |some |our own )?"
         r"(?:tool|vendor|solution|system|platform|provider|contract|product|something)\b|\blocked in(?:to)?\b|"
         r"\bunder contract\b|\b(?:our|the) contract (?:\w+ ){0,3}?(?:runs|ends|renews|is up|expires)\b|"
         r"\bbuild (?:it|this|our own) (?:ourselves|in[- ]house)\b|\bbuilt in[- ]house\b", 0.8, detail="competition"),
    _cue(r"\b(?:send|email|e-mail|shoot|forward|mail|drop) (?:me|us|over|it over|me over|something over)? ?"
         r"(?:some|any|more|a little|a bit of|your|a few|the)? ?(?:info|information|material|materials|literature|"
         r"brochures?|one[- ]pagers?|overview|details|something|decks?|stuff|case stud(?:y|ies)|collateral|"
         r"white ?papers?|documentation|pdfs?|links?)\b(?! (?:by|on|before|until|tomorrow|today))", 1.0,
         negatable=False, detail="material"),
    _cue(r"\bput (?:[\w-]+ ){1,3}?in writing\b|\bwhy don'?t you (?:just )?(?:send|email)\b|"
         r"\bjust send (?:it|me|us)\b", 1.0, negatable=False, detail="material"),
    _cue(r"\bstill (?:\w+ )?(?:over|above|high|too|short|more|expensive)\b|\ba (?:big|huge|real|large|significant) "
         r"(?:jump|increase|step|hike)\b|\bsignificant\b|\bnot nothing\b|\ba lot (?:to|for|of money)\b|"
         r"\bhigher than\b|\bthinking (?:more )?(?:like|along the lines of|around|closer to)\b|\bhoping for\b|"
         r"\b(?:was|were) expecting\b|\bout of (?:our|my) (?:range|league)\b|\bblow through\b|"
         rf"\bca{_NT} go to (?:\w+ ){{0,3}}with\b|\b(?:quotes?|offers?|bids?) from (?:\w+ ){{0,2}}(?:other|another)\b|"
         r"\b(?:not|rather than) (?:[\w-]+)\?$", 0.9, negatable=False, detail="price"),
    _cue(r"^\W*(?:(?:but|and|so|well|honestly)\W+)?not (?:before|until|till|during|this|in|for|right now|now|yet)\b|"
         r"\bfrozen\b|\btoo (?:tight|soon|early|short|close)\b|\bin the middle of\b|\bnot (?:until|before) \w+",
         0.9, negatable=False, detail="timing"),
    # How buyers say no without the words "price", "timing" or "decision".
    _cue(rf"\b(?:wo{_NT}|will not|would{_NT}|would not|does{_NT}|does not|not going to|never going to) fly\b|"
         r"\bchoke on\b|\bwe'?re done\b|\bnot in (?:anyone'?s|our|the) budget\b|"
         r"\b(?:that'?s|that is|it'?s|it is|this is) (?:\w+ )?more than (?:we|i) (?:\w+ )?(?:spend|pay|paid|make|"
         r"'?d hoped|had hoped|hoped|'?d expected|had in mind)\b|\bmore than i'?d (?:hoped|expected|thought)\b|"
         r"\b(?:price|pricing|cost|quote|number|fee) (?:is|'s) (?:still )?(?:the|our) (?:issue|problem|sticking point|"
         r"hurdle)\b", 1.0, negatable=False, detail="price"),
    # "If it can't talk to our ERP, it's a non-starter" states a requirement (a need), not a no.
    _cue(r"\bnon-?starter\b|\bdeal-?breaker\b", 1.0, negatable=False, unless_conditional=True),
    _cue(rf"\b(?:i'?m|i am) not the (?:one|person|guy|woman) (?:who|that) (?:\w+ )?(?:approves?|picks?|decides?|signs?|"
         rf"chooses?|says? yes|makes? (?:the|that) (?:call|decision)|gets? to)\b|\bi ca{_NT} say yes\b|"
         rf"\b(?:has|have) to (?:agree|sign off|say yes) to\b|\bca{_NT} approve (?:\w+ ){{0,3}}?(?:on my own|myself|alone)\b",
         1.0, negatable=False, detail="authority"),
    _cue(rf"\b(?:nothing|no one|nobody)(?:'s)? (?:new |else )?(?:\w+ ){{0,4}}?(?:gets?|goes|is going|will|is) "
         rf"(?:\w+ ){{0,5}}?(?:until|till|before|between)\b|\b(?:is|'s){_NT} happening\b|\bcould{_NT} possibly\b|"
         rf"\b(?:until|till|not till|not until) (?:mid-?|the end of |early |late )?(?:{_MONTHS}|thanksgiving|christmas|"
         r"harvest|go-?live)\b",
         0.9, negatable=False, detail="timing"),
    _cue(r"\b(?:does|do|covers?|handles?) (?:most|all|much|a lot|half) of (?:this|that|it|what)\b(?: \w+){0,4}? "
         r"already\b|\bgood enough for\b|\b(?:build|extend|do|make) (?:it|this|that|something|one) (?:\w+ ){0,4}?in[- ]house\b|"
         r"\bwants? to build\b|\bquoted us\b|\b(?:their|the other) (?:quote|price|bid|offer|number) (?:was|is|came in) "
         r"(?:\w+ ){0,3}?(?:under|below|less than|lower|cheaper)\b|\bcosts? nothing\b|\b(?:would be|is) free\b|"
         r"\btied (?:to|into) (?:them|it|that|our)\b", 0.9, negatable=False, detail="competition"),
    _cue(r"\b(?:send|email|e-mail|give) (?:me|us) (?:a|an|the|your|that) (?:[\w-]+ )?(?:deck|one-?pager|document|"
         r"report|summary|write-?up|proposal|stuff|numbers|overview)\b|\b(?:see|need|want|have) (?:that|it|this) "
         r"(?:on paper|in writing)\b", 0.9,
         negatable=False, detail="material"),
    _cue(rf"\bhow do (?:i|we) know (?:\w+ ){{0,4}}?(?:wo{_NT}|will|is{_NT}|can|are)\b|\bgot burn(?:ed|t)\b|"
         r"\b(?:i'?ve|we'?ve) (?:seen|heard) (?:\w+ ){0,2}?before\b|\b(?:hard|tough) time selling\b|\ban? (?:easier|"
         r"harder|hard|tough) sell\b", 0.8, negatable=False),
    # A buyer refusing the deal's next move in the first person: "I'm not signing two years with ...",
    # "I am not putting a new system in front of staff ...", "there is zero chance I'm ripping it out".
    _cue(r"\b(?:i'?m|i am|we'?re|we are) not (?:going to |gonna )?(?:sign|renew|commit|put|roll|rip|switch|buy|pay|"
         r"add|mov|chang|replac|touch)\w*\b(?! (?:(?:the |our |that )?(?:old|current|existing|other)|ours|that)\b)|"
         r"\b(?:zero|no) chance\b|\bdead on arrival\b|\bnot happening\b|"
         rf"\bca{_NT} have (?:my|our|the) (?:[\w-]+ ){{0,3}}?\w+ing\b|\b(?:is|be|'s) a (?:\w+ )?fight\b|"
         rf"\bdo(?:es)?{_NT} need (?:one more|another|a new|yet another)\b|\bcame in (?:[\w-]+ ){{0,3}}?"
         r"(?:under|below|lower|cheaper)\b|\bmore than (?:i|we) (?:had|have) in (?:my|our) heads?\b",
         1.0, negatable=False),
    _cue(r"\bworr(?:ied|y|ies) (?:about|that)\b|\bconcerned (?:about|that)\b|\bmy (?:main |big |biggest )?concern\b|"
         r"\bthe part i'?m worried\b|\bnot going to (?:type|use|learn|change|do)\b|"
         r"\bwon'?t (?:use|adopt|type|learn|download|install|log in)\b",
         0.8, negatable=False),
    _cue(rf"\bnot (?:sure|convinced) (?:it'?s|this is|that|we|about|it would|it will|this would|this will|the)\b|"
         rf"\bdo{_NT} see (?:the )?(?:value|need|point|roi)\b|\bburn(?:ed|t) before\b|\bbeen burn(?:ed|t)\b|"
         r"\bskeptic\w*|\bsceptic\w*|\bworth (?:it|the money|the price)\?|\bhesita\w+", 0.8, negatable=False),
)

BUDGET = (
    _cue(r"\bbudget(?:s|ed|ing)?\b", 0.8),
    _cue(r"\b(?:set aside|allocated|earmarked|ring[- ]?fenced|signed off on|approved for|approved budget)\b", 0.8),
    _cue(r"\b(?:we|i) (?:can|could|are able to|'re able to|would|'d|might|will) (?:probably |maybe |realistically )?"
         r"(?:spend|pay|invest|go up to|stretch to|afford)\b|\bwilling to (?:spend|pay|invest)\b|\b(?:thinking|"
         r"looking at|planning on|planning to|expecting to|hoping to|plan to|want to) (?:spend|spending|pay|paying|"
         r"invest|investing)\b|\bcap(?:ped)? at\b|\bceiling\b|\bspend(?:ing)? (?:is|was|would be|of)\b", 0.8),
    _cue(r"\bline item\b|\b(?:max|maximum|tops|at most|at the most|no more than|limit|upper limit)\b|\bup to\b|"
         r"\bat or (?:under|below)\b|\bunder (?:\w+ ){0,3}(?:thousand|hundred|grand|k|a month|a year|dollars)\b|"
         rf"\bca{_NT} spend more than\b|\bapprove (?:up to|anything under)\b|\bwould accept\b|\bsaid they'?d accept\b|"
         r"\bthinking (?:more )?(?:like|around|of)\b|\bin the range\b|\bballpark\b", 0.7),
)

PRICE = (
    _cue(r"\bper (?:seat|user|license|licence|month|year|rep|head|agent|minute|hour|call)\b|\ba (?:seat|user|month|"
         r"year|rep|head)\b|\b(?:monthly|annually|yearly|annual|per annum)\b", 1.0),
    _cue(r"\b(?:costs?|price[ds]?|pricing|priced|list price|license|licence|subscription|plan|package|tier|fee|"
         r"quote|total|comes (?:out )?to|works out to|would be|starts at|runs)\b", 0.8),
)

DECISION = (
    _cue(r"\b(?:makes?|making|made|have|has|get|gets) (?:the )?(?:final |ultimate |last )?(?:decision|call|say)\b|"
         r"\bfinal (?:decision|say|call|word|approval|sign[- ]?off)\b|\bdecision[- ]?makers?\b|\bdecides\b|"
         r"\bdecide on\b|\bdecision (?:is|will be|would be|lies|sits|rests)\b|\b(?:it'?s|is) (?:\w+ ){0,2}call\b|"
         r"\bbuying (?:process|committee|decision)\b|\beconomic buyer\b|\bbudget (?:holder|owner)\b|"
         r"\b(?:holds|owns|controls) the (?:budget|purse strings)\b", 1.0, negatable=False),
    _cue(r"\bsigns? off\b|\bsigning off\b|\bsign[- ]?off\b|\bsigns? (?:the |all |our |any )?(?:contracts?|paperwork|"
         r"deals?|po|purchase orders?|checks?|cheques?)\b|\bsignatures?\b|\bsignatory\b|\bwho signs\b|"
         r"\b(?:has|have|needs?|would need) to sign\b|\bapprov(?:e|es|al|ed|ing)\b|\bgreen[- ]?light\b|"
         r"\bthe ok\b|\bthe okay\b|\bsay so\b|\bveto\b|\bbuy[- ]in\b", 0.9, negatable=False),
    _cue(r"\b(?:go|goes|going|went) (?:through|to|past|before) (?:\w+ )?(?:procurement|legal|finance|the board|"
         r"committee|it|security|purchasing|compliance|leadership|management|vendor management|a review)\b|"
         r"\b(?:procurement|purchasing|vendor) (?:process|review|team|department|approval)\b|\b(?:legal|security|"
         r"compliance|it|infosec) (?:review|team|questionnaire|assessment|approval|check)\b|\bthe process "
         r"(?:is|looks like|would be|will be|here)\b|\b(?:three|two|several|multiple) (?:quotes|bids|proposals)\b|"
         r"\bthe board\b|\bsteering committee\b|\bcommittee\b|\brfp\b|\bpilot first\b", 0.8, negatable=False),
    _cue(r"\bsigns? (?:anything|everything|up to|off on|for)\b|\bi sign\b|\bsigning authority\b|\bauthority\b|"
         r"\b(?:approves?|decides?|handles? the money|holds? the purse)\b|\bfinal (?:say|signature|decision|call)\b|"
         r"\b(?:anything|everything) (?:over|above|beyond|more than|that'?s)\b|\bgo(?:es)? to (?:our|the|my) \w+|"
         r"\b(?:take|bring|show) (?:it|this|that|anything|everything)(?: [\w-]+){0,3} to (?:our|the|my) \w+|"
         r"\bneeds? (?:our|the|my) \w+|\b(?:has|have) to (?:ask|run|go|approve|sign|review|see)\b|"
         r"\bwant to see it before\b|\bbefore we commit\b|\brecommend\w*|\bgo out to bid\b|\btender\b|"
         r"\bvendor (?:qualification|assessment|onboarding)\b|\bdecision is\b", 0.8, negatable=False),
)

# Titles a decision's detail may name when no person is named.
TITLES = re.compile(
    r"\b(?:(?:our|my|the) )?(?:cfo|ceo|cto|coo|cro|cmo|cio|ciso|founders?|co-?founders?|owners?|president|"
    r"(?:senior |executive )?vp(?: of [a-z]+)?|vice president(?: of [a-z]+)?|head of [a-z]+|director(?: of [a-z]+)?|"
    r"boss|manager|board|finance(?: team)?|procurement(?: team)?|legal(?: team)?|it(?: team)?|security(?: team)?|"
    r"leadership(?: team)?|management|committee|partners?|controller|purchasing|gm|general manager|"
    r"managing director|chief [a-z]+ officer)\b"
)

# Negations that cancel a negatable cue when they come shortly before it.
NEGATIONS = frozenset({"not", "n't", "no", "never", "without", "nothing", "none", "zero", "nt", "nor", "hardly",
                       "neither", "isnt", "dont", "doesnt", "didnt", "arent", "wasnt", "havent", "hasnt"})
# Words that make the rest of a sentence a condition, not a fact: "if we had problems".
CONDITIONS = frozenset({"if", "unless", "suppose", "supposing", "imagine", "whether", "hypothetically", "assuming"})
# A pain that is over: "we used to struggle", "that's no longer an issue".
PAST_PAIN = re.compile(r"\bused to\b|\bno longer\b|\banymore\b|\bany more\b|\b(?:fixed|solved|resolved|sorted) "
                       r"(?:that|this|it)\b|\b(?:that|this|it) (?:was|got|has been|is) (?:fixed|solved|resolved|sorted)\b|"
                       r"\bin the past\b|\bback then\b|\bbefore we (?:switched|moved|started|hired|got|bought)\b")
# A pain the customer says is over: "that's solved now", "no longer an issue" (not "nobody fixed it").
SOLVED = re.compile(r"(?<!nobody )(?<!never )(?<!not )(?<!n't )(?<!no one )\b(?:solved|fixed|resolved|sorted out|under "
                    r"control|no longer|not (?:an? )?(?:issue|problem) any ?more)\b")
# Sentences about other people's situation: a rep describing other customers, "a lot of teams".
THIRD_PARTY = re.compile(r"^(?:\W*\w+\W+){0,3}?(?:a lot of|lots of|many|most|some|other|all|plenty of) (?:of )?"
                         r"(?:our |my |the )?(?:customers|clients|teams|companies|people|reps|folks|orgs|"
                         r"organi[sz]ations|businesses|firms)\b|\b(?:our|my) (?:other )?(?:customers|clients) "
                         r"(?:tell|say|told|find|found|struggle|see|usually|often|typically)\b|"
                         r"\b(?:what we (?:usually|often|typically) see|we see (?:this|that) a lot|typically|"
                         r"usually teams|other teams)\b")


_ANY: dict[int, re.Pattern[str]] = {}


def _any(cues: tuple[Cue, ...]) -> re.Pattern[str]:
    """One pattern matching where any of `cues` does: most sentences match none, and one search is
    cheaper than one per cue."""
    key = id(cues)
    if key not in _ANY:
        _ANY[key] = re.compile("|".join(f"(?:{c.pattern.pattern})" for c in cues))
    return _ANY[key]


def matches(cues: tuple[Cue, ...], text: str) -> list[tuple[Cue, re.Match[str]]]:
    """Every cue matching `text` (lower-cased), in order of position."""
    if not _any(cues).search(text):
        return []
    found = [(cue, m) for cue in cues for m in cue.pattern.finditer(text)]
    found.sort(key=lambda cm: cm[1].start())
    return found


__all__ = ["BUDGET", "CONDITIONS", "Cue", "DECISION", "NEED", "NEGATIONS", "OBJECTION", "PAIN", "PAST_PAIN",
           "PRICE", "SOLVED", "THIRD_PARTY", "TITLES", "matches"]
