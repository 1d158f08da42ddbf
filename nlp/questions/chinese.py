"""Question types of Mandarin sentences, from the words alone (no parser), punctuated or not.

Chinese marks questions with words more than with word order, so the rules read the characters of
a sentence (spaces removed), with "？" as one more cue:

- `open`: a question word in place (什么, 怎么, 为什么, 哪, 多少, 几 + measure word, 如何, 谁, 多久 ...),
  an elliptical "X呢" ("那预算呢？"), or an invitation to talk (讲讲, 说说, 介绍一下, 聊聊 ... not
  said of oneself: "我给您介绍一下" is not one); an invitation wins over the yes/no form that frames
  it ("能不能简单介绍一下你们的业务？"), as "Can you walk me through ..." does in English;
- `yes_no`: a final 吗/么 (also after a question word, which then means "any": "有什么需求吗"), an
  A-not-A verb (是不是, 有没有, 方不方便, 可不可以, 用没用过), "V了没有" at the end, 可以吗/行吗;
- `choice`: "A还是B" between two alternatives ("先试用还是直接采购"), not 还是 meaning "still" or
  "had better" ("我们还是用Excel", "价格还是有点高", "我们还是想先内部讨论一下");
- `tag`: a statement closed by 对吧, 是吧, 对不对, 对吗, 是吗, 是不是, 好吗, 好不好, 没错吧;
- `declarative`: a statement with "？" ("你们现在还在用Excel？"), or a presumption with 吧 about
  the listener ("您是负责IT这块的吧", with or without "？");
- none: statements, including question words used as indefinites (什么都, 没什么, 有什么问题随时,
  好几家, 几乎, 多多少少, 哪怕, 无论/不管 ...), set phrases (哪里哪里, 怎么说呢, 哪儿的话), embedded
  and reported questions (我不知道你们有没有…, 他问我什么时候…, 我们在考虑要不要…), suggestions
  (我们先试用一个月吧) and backchannels (嗯嗯, 对对, 好的, and "是吗？", "真的吗？" as reactions).

Without punctuation every rule but `declarative` still applies (Whisper often writes none on
short Mandarin); a statement used as a question without "？" reads as a statement, as in English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from nlp.backchannels import BACKCHANNEL_ZH
from nlp.questions.zh_patterns import PROMPT, SECOND_PERSON
from nlp.types import QuestionReading, QuestionType

_QMARK = "？?"
_END_PUNCT = "。！!？?；;…"
_SOFT_PUNCT = "，,、：:—～~ "
_ALL_PUNCT = _END_PUNCT + _SOFT_PUNCT + "\"'“”‘’（）()《》「」『』【】"
_CLAUSE_SPLIT = re.compile(r"[，,、；;：:。！!？?…]+")

# Reactions that are question-shaped: on their own after the other side's words, "Really?".
_REACTION_QUESTION = re.compile(r"^(?:哦|噢|啊|嗯)?[，,]?(?:是吗|是嘛|真的吗|真的|是吧|对吧|对吗|不会吧|然后呢)[？?！!。]*$")

# Tags that close a statement.
_TAG_END = re.compile(r"(?:对吧|是吧|对不对|对吗|是吗|是不是|好吗|好不好|没错吧|是不是啊|对吧啊)$")
# A final 吗 (or its variant 么) ends a yes/no question.
_MA_END = re.compile(r"(?:吗|(?<![什怎这那多要])么)(?:呢|啊|呀)?$")
# "V了没有" / "…没有" / "…了没" at the end asks whether something happened.
_MEIYOU_END = re.compile(r"(?:了没有|了没|过没有|没有|了吗没有)$")
_PERMISSION_END = re.compile(r"(?:可以吗|行吗|行不行|可不可以|可以不可以|好不好使|成吗)$")
# A-not-A: 是不是, 有没有, 能不能, 方不方便, 方便不方便, 用没用过. Fixed expressions that look like
# one are left out first (动不动 "at every turn", 不得不, 差不多, 要不然, 说不定, 了不起 ...).
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1|([\u4e00-\u9fff]{2})[不没]\2|([\u4e00-\u9fff])[不没]\3[\u4e00-\u9fff]")
_NOT_A_NOT_A = re.compile(r"([没不])(.)\1\2|动不动|不得不|差不多|要不然|要不是|来不及|了不起|对不起|看不起|说不定|不见不散|一不小心|忍不住|"
                          r"好不容易|行不通|不管|不论|非.{1,4}不可|越来越|一模一样")

# Question words in place. 几 asks only before a measure word or a time unit; 哪 in every form.
_WH = re.compile(
    r"什么|啥|怎么|怎样|咋|为什么|为何|如何|哪|谁|多少|多久|多长|多大|多高|多远|多快|何时|"
    r"几(?:个|位|家|款|种|年|月|号|点|天|次|周|个月|台|套|条|单|名|人|块|成|期|轮|遍|层|级|分钟|小时|岁|倍|张|份)"
)
# Question words that mean "any", "every" or are set phrases: removed before looking for one.
_INDEFINITE = re.compile(
    r"哪里哪里|哪儿的话|哪里的话|哪怕|怎么说呢|怎么说|不怎么|什么的|没什么|没有什么|也没什么|不算什么|"
    r"(?:什么|啥|哪|哪儿|哪里|哪个|哪家|谁|怎么|多少|几)(?:都|也)|"
    r"多多少少|或多或少|多少有|多少会|多少还|多少得|几乎|好几|十几|几十|几百|几千|几万|这几|那几|前几|后几|过几|最近几|"
    r"不管.*|无论.*|随便.*|"
    r"有什么(?:问题|需要|需求|疑问|不清楚|想法)?(?:的话)?.{0,6}(?:随时|尽管|直接|可以|都可以)"
)
# What comes before a question word and makes the question an embedded or reported one: "I don't
# know whether ...", "he asked me when ...", "we are considering whether ...", "it depends on who ...".
_EMBEDDING = re.compile(
    r"(?:不知道|不清楚|不确定|不记得|不太清楚|不太确定|忘了|搞不清|说不好|说不准|拿不准|不晓得|"
    r"想知道(?=.{0,3}(?:他们|她们|他|她))|取决于|(?:没|还没|再|来|去|还在|在)决定|"
    r"关心的是|在意的是|问题是|这就是|就是为什么|知道的|清楚的|看看|看一下)"
)
# "要看" embeds only with something between them and the question word: "这个要看老板怎么决定",
# while "法务那边要看多久" asks how long the review takes.
_EMBEDDING_GAP = re.compile(r"(?:要看|得看|还得看)(?=.)")
# Deliberating embeds the question that follows it at once ("我们还在考虑要不要换", "讨论过要不要自己开发",
# "评估一下有没有必要"), not one further on ("你们考虑换系统主要是因为什么").
_EMBEDDING_NEAR = re.compile(r"(?:考虑|讨论|研究|评估|商量|确认)(?!得)(?:过|了|一下|下)?")
NEAR_GAP = 5
# A speaker reporting what someone else asked or said: 他问…, 老板问我…, 客户说…, 我跟他说…
_REPORTED = re.compile(
    r"(?:他|她|他们|她们|老板|领导|客户|同事|财务|法务|总经理|经理|总监|王总|李总|张总|刘总|陈总|[\u4e00-\u9fff]总|采购|我们领导|"
    r"我们老板)(?:也|还|一直|经常|老是|又|刚才|之前|上次|都)?(?:在)?(?:问|说|讲|提到|提过|想知道|打听|关心)|"
    r"我(?:也|还|刚才|之前|上次)?(?:问过?|跟他说|跟她说|跟他们说|告诉他|告诉她|告诉他们)(?!一下)"
)
# Openers that make what follows a question to the listener: 我想问一下…, 请问…, 想了解一下…
_ASKING_PREFACE = re.compile(r"想问一下|想问问|我问一下|问一下|请问|想了解一下|想了解|想确认一下|想请教|能不能告诉我|"
                             r"可以告诉我|方便告诉我|想知道")
# What a question word is the subject of, or what it leaves open, makes it a statement: "价格是多少其实不是
# 最关键的", "什么时候方便您跟我说一声就行".
_WH_SUBJECT_OF = re.compile(r"(?:其实|并|倒|也|都)?(?:不是最|不重要|无所谓|没关系|不关键|是次要的|不是问题)")
_LEAVES_OPEN = re.compile(r"(?:就行|就好|就可以了?|都行|都可以|都没问题|随时联系我|随时找我|跟我说一声)$")
_PERSON_AFTER = re.compile(r"^(?:给我|给我们)?(?:认识)?(?:你们|您)?(?:的|那边的|公司的)?[\u4e00-\u9fff]{0,4}(?:负责人|老板|总|经理|总监|同事|领导|对接人|联系人)")
# Said of oneself, an invitation is an announcement: 我给您介绍一下, 我先跟您讲讲, 我来说一下.
_SELF_PROMPT = re.compile(r"^(?:我|我们|咱们|咱|让我)(?:这边)?(?:先|来|再|就|简单|可以|帮您|给您|给你|跟您|跟你|给大家|和您|为您)*$")
# 还是 as "still" or "had better" (not "or"): what stands right before or after it.
_HAISHI_NOT_OR_BEFORE = re.compile(
    r"(?:我|我们|咱们|咱|他们|她们|他|她|大家|但|但是|可|可是|也|都|就|那|那么|所以|不过|毕竟|最后|仍然|依然|现在|目前|"
    r"其实|肯定|应该|可能|还|总|这个|那个|这|公司|老板|领导|感觉|觉得|个人|价格|主要|关键|问题|确实|基本|基本上|一直|"
    r"大多|通常|平时|一般|多半|往往|这边|那边)$"
)
_HAISHI_NOT_OR_AFTER = re.compile(r"^(?:算了|比较|挺|很|蛮|有点|有些|不错|不太|没|会|得|希望|建议|需要|要看|在|那句话|老样子)")
_CHOICE_FRAME = re.compile(r"是|要|想|打算|准备|选|用|倾向|喜欢|希望|考虑|计划|觉得|更看重|先|安排|定")
# A presumption the speaker checks with 吧: "您是负责IT这块的吧", "你们应该已经比较过几家了吧".
_PRESUMPTION = re.compile(r"^(?:那|所以|那么)?(?:您|你|你们|贵公司|贵司|王总|李总)")
_SUGGESTION = re.compile(r"(?:我们|咱们|咱|我|要不|要不然|那就|那我们|先)")
# A sentence whose speaker answers their own question at once: "为什么选我们呢？因为……".
_SELF_ANSWER = re.compile(r"^(?:因为|原因是|原因很简单|答案是|很简单|说白了|其实是因为|那是因为)")
_ELLIPSIS_NE = re.compile(r"^(?:那|那么|还有|另外|然后)?(?:[\u4e00-\u9fffA-Za-z]{1,6})呢$")
_NE_STATEMENT = re.compile(r"在|正|着|了|还没|呢呢|没有")


def plain(text: str) -> str:
    """The sentence without spaces (Chinese is written without them; a transcript may have some)."""
    return re.sub(r"\s+", "", text.strip()) if re.search(r"[\u4e00-\u9fff]", text) else text.strip()


def _clause_start(text: str, position: int) -> int:
    starts = [m.end() for m in _CLAUSE_SPLIT.finditer(text[:position])]
    return starts[-1] if starts else 0


def _clause_at(text: str, position: int) -> str:
    """The clause (between commas or sentence ends) that holds `position`."""
    m = _CLAUSE_SPLIT.search(text, position)
    return text[_clause_start(text, position) : m.start() if m else len(text)]


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(text) if c]


def _core(text: str) -> str:
    return text.rstrip(_ALL_PUNCT).lstrip(_ALL_PUNCT)


def _strip_leading_fillers(clause: str) -> str:
    return re.sub(r"^(?:嗯|呃|额|啊|哦|那个|就是|然后|好的|好|对|嗯嗯|那|那么)+", "", clause) or clause


def _wh_position(text: str) -> int:
    """Index of the first question word used as one (not as "any" or in a set phrase), or -1."""
    masked = _INDEFINITE.sub(lambda m: "＃" * len(m.group(0)), text)
    first_person = re.match(r"^(?:我|我们|咱们)(?!.*你)", _strip_leading_fillers(text))
    masked = re.sub(r"几(?=[个家位])", "＃", masked) if first_person else masked
    m = _WH.search(masked)
    return m.start() if m else -1


def _a_not_a_position(text: str) -> int:
    masked = _NOT_A_NOT_A.sub(lambda m: "＃" * len(m.group(0)), text)
    m = _A_NOT_A.search(masked)
    return m.start() if m else -1


def _embedded_at(text: str, position: int) -> bool:
    """Whether the question word or form at `position` sits inside an embedded or reported clause."""
    before = text[:position]
    if _REPORTED.search(before):
        return True
    if _ASKING_PREFACE.search(before):
        return False
    return bool(_EMBEDDING.search(before) or any(m.end() < position for m in _EMBEDDING_GAP.finditer(before))
                or any(position - m.end() <= NEAR_GAP for m in _EMBEDDING_NEAR.finditer(before)))


def _is_choice(clause: str, question_mark: bool) -> bool:
    at = clause.find("还是")
    while at != -1:
        before, after = clause[:at], clause[at + 2 :]
        if (
            len(before) >= 1
            and len(after) >= 1
            and not _HAISHI_NOT_OR_BEFORE.search(before)
            and not _HAISHI_NOT_OR_AFTER.match(after)
            and not after.endswith("吧")
            and (question_mark or after.endswith("呢") or _CHOICE_FRAME.search(before)
                 or (len(before) <= 6 and len(after) <= 6))
        ):
            return True
        at = clause.find("还是", at + 2)
    return False


def _statement_before_tag(text: str, tag: str) -> bool:
    """A tag closes a statement: enough words before it, and not a question of its own."""
    body = _core(text[: len(text) - len(tag)])
    return len(body) >= 4 and not _MA_END.search(body)


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str  # without spaces
    core: str  # without the punctuation around it
    question_mark: bool


def _prompt_type(core: str) -> QuestionType | None:
    for m in PROMPT.finditer(core):
        if m.group(0).startswith("介绍") and _PERSON_AFTER.match(core[m.end() :]):
            continue  # "介绍一下你们的采购负责人": an introduction to a person, asked for
        before = _strip_leading_fillers(core[: m.start()])
        if _SELF_PROMPT.search(before):
            continue
        if re.search(r"(?:我|我们|咱们)(?:这边)?(?:先|来)?(?:给|跟|为|向)(?:您|你|你们|大家)", before):
            continue  # "我先跟您讲讲我们的方案"
        if core.endswith("吧") and re.match(r"^(?:我们|咱们|咱)", before):
            continue  # "我们聊聊吧": a suggestion
        if _embedded_at(core, m.start()):
            continue
        return "open"
    return None


def read_chinese(text: str) -> QuestionReading:
    """The question reading of one Mandarin sentence (see the module doc)."""
    t = plain(text)
    core = _core(t)
    if not core:
        return QuestionReading(None)
    question_mark = any(c in _QMARK for c in t[len(t.rstrip(_ALL_PUNCT)) :])
    if BACKCHANNEL_ZH.match(t):
        reaction = _REACTION_QUESTION.match(t)
        return QuestionReading("yes_no" if reaction else None, is_backchannel=True)
    clauses = _clauses(core)
    last = _strip_leading_fillers(clauses[-1]) if clauses else core
    # A tag after a statement: "…，对吧？", "合同还要法务再过一遍是吧".
    tag = _TAG_END.search(core)
    if tag and _statement_before_tag(core, tag.group(0)):
        if _embedded_at(core, tag.start()) and not question_mark:
            return QuestionReading(None)
        return QuestionReading("tag")
    qtype = _question_form(core, last, question_mark)
    if qtype is None and question_mark:
        return QuestionReading(None if _statement_not_asking(core) else "declarative")
    return QuestionReading(qtype)


def _statement_not_asking(core: str) -> bool:
    """A "？" on a suggestion is still a suggestion ("我们下周再聊吧？" is asked, yes, but as a
    suggestion); a bare greeting ("喂？") asks nothing."""
    return bool(re.fullmatch(r"(?:喂|您好|你好|在吗|哈喽|hello)+", core, re.IGNORECASE))


def _question_form(core: str, last: str, question_mark: bool) -> QuestionType | None:  # noqa: C901 - one ordered table
    """The type the words give the sentence (None: a statement by its words)."""
    if _MA_END.search(core):
        if _prompt_type(core) == "open":
            return "open"  # "能展开讲讲…吗？", "方便说说你们的预算范围吗？"
        ma_at = len(core) - 1
        if _embedded_at(core, ma_at) and not re.search(r"(?:您|你|你们)(?:也|还)?知道", core):
            return None
        return "yes_no"
    if _PERMISSION_END.search(core):
        return "yes_no"
    if any(_is_choice(c, question_mark) for c in _clauses(core)[-2:]):
        return "choice"
    prompt = _prompt_type(core)
    wh = _wh_position(core)
    if wh >= 0 and not question_mark and _LEAVES_OPEN.search(core):
        wh = -1  # "我们什么时候签都可以"
    if wh >= 0 and _WH_SUBJECT_OF.search(_clause_at(core, wh)[wh - _clause_start(core, wh):]):
        wh = -1
    if wh >= 0 and not _embedded_at(core, wh):
        if core.endswith("吧") and not question_mark and _SUGGESTION.match(_strip_leading_fillers(core)):
            return None  # "咱们什么时候再约吧"? rare; a suggestion
        return "open"
    if prompt is not None:
        return prompt
    ana = _a_not_a_position(core)
    if ana >= 0 and not _embedded_at(core, ana):
        return "yes_no"
    if _MEIYOU_END.search(core) and len(core) > 3 and not re.search(r"(?:还|也|都|并|从来|根本)没有$", core):
        return "yes_no"
    if _ELLIPSIS_NE.match(last) and not _NE_STATEMENT.search(last[:-1]):
        return "open"  # "那预算呢？", "您那边呢"
    if core.endswith("吧"):
        body = _strip_leading_fillers(core)
        if _PRESUMPTION.match(body) and not re.match(r"^(?:您|你)(?:先|就)", body):
            return "declarative"  # "您是负责IT这块的吧"
    return None


@dataclass(frozen=True, slots=True)
class ChineseQuestionClassifier:
    """`question_classifier` for the Chinese pipeline: the same three span attributes as the English
    component (`nlp.questions.component`), from `read_chinese`; a question its speaker answers at
    once in the same turn ("为什么选我们呢？因为……") is rhetorical unless it addresses the listener."""

    self_answer_rhetorical: bool = True

    def __call__(self, doc: Doc) -> Doc:
        sents = list(doc.sents)
        for i, sent in enumerate(sents):
            reading = read_chinese(sent.text)
            rhetorical = reading.is_rhetorical
            if (
                reading.type in ("open", "yes_no")
                and self.self_answer_rhetorical
                and i + 1 < len(sents)
                and _SELF_ANSWER.match(plain(sents[i + 1].text))
                and not SECOND_PERSON.search(sent.text)
            ):
                rhetorical = True
            sent._.question_type = reading.type
            sent._.is_backchannel = reading.is_backchannel
            sent._.is_rhetorical = rhetorical
        return doc


COMPONENT = "zh_question_classifier"


def make_chinese_question_classifier(nlp: Language, name: str, self_answer_rhetorical: bool) -> ChineseQuestionClassifier:
    """spaCy factory: `nlp.add_pipe("zh_question_classifier")` (after the sentence splitter)."""
    return ChineseQuestionClassifier(self_answer_rhetorical=self_answer_rhetorical)


def register() -> None:
    """Registers the Chinese component's factory (and the shared span attributes); idempotent."""
    from nlp.questions.component import register as register_attributes

    register_attributes()
    if not Language.has_factory(COMPONENT):
        Language.factory(COMPONENT, default_config={"self_answer_rhetorical": True},
                         func=make_chinese_question_classifier)


__all__ = ["COMPONENT", "ChineseQuestionClassifier", "plain", "read_chinese", "register"]
