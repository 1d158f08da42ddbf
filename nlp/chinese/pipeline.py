"""The Chinese spaCy pipeline: words by jieba, sentences by punctuation, particles and pauses, and
the Chinese question classifier.

spaCy's `zh` language with the `jieba` segmenter needs no model download: jieba ships its
dictionary in the package (MIT), and the pipeline has no trained component (no tagger, parser or
entities). A few words of sales calls are added to jieba's dictionary so that they stay whole
(私有化部署, 决策人, 下周二 ...). Sentences: a punctuated turn is split after 。？！；…; an
unpunctuated one (Whisper often writes none on short Mandarin) after a sentence-final particle
(吗, 呢, 吧, 么) with more words after it, and, when the words have times, at a pause
(`PAUSE_SPLIT_S`, `nlp.sentences`).
"""

from __future__ import annotations

import logging

from spacy.language import Language
from spacy.tokens import Doc

from nlp.questions.chinese import COMPONENT as QUESTION_CLASSIFIER
from nlp.questions.chinese import register as register_question_classifier
from transcription.once import load_once

SENTENCE_END = frozenset("。！!？?；;…")
# Sentence-final particles after which an unpunctuated turn starts a new sentence.
FINAL_PARTICLES = frozenset({"吗", "呢", "吧", "么", "对吧", "是吧", "好吗", "对吗", "是吗"})
# In an unpunctuated Chinese turn with word times, a pause at least this long starts a sentence.
PAUSE_SPLIT_S = 0.6
# Words of sales calls jieba's dictionary splits or joins wrongly ("我下|周二", "私有化|部署").
SALES_WORDS = (
    "私有化部署", "私有化", "公有云", "决策人", "拍板", "报价单", "报价", "竞品", "法务", "采购", "试用", "试点",
    "年付", "月付", "按季度", "下个季度", "这个季度", "下季度", "白皮书", "安全审查", "等保", "单点登录",
    "用友", "金蝶", "纷享销客", "销售易", "钉钉", "企业微信", "飞书", "Salesforce", "HubSpot", "CRM", "ERP",
    "下周一", "下周二", "下周三", "下周四", "下周五", "下周六", "下周日", "这周一", "这周二", "这周三",
    "这周四", "这周五", "周一", "周二", "周三", "周四", "周五", "发给您", "发您", "约个时间", "再约",
    "总经理", "王总", "李总", "张总", "刘总", "陈总", "老板", "预算", "合同", "方案", "演示",
)


@Language.component("zh_sentence_starts")
def zh_sentence_starts(doc: Doc) -> Doc:
    """Sentence starts from sentence-final punctuation when the turn has any, else after final
    particles (吗, 呢, 吧) that have more words after them."""
    punctuated = any(t.text and all(c in SENTENCE_END for c in t.text) for t in doc)
    after_end = True
    for token in doc:
        text = token.text
        is_punct = bool(text) and (token.is_punct or all(c in SENTENCE_END for c in text))
        token.is_sent_start = after_end and not (is_punct and token.i > 0)
        if punctuated:
            after_end = all(c in SENTENCE_END for c in text) or (after_end and is_punct)
        else:
            after_end = text in FINAL_PARTICLES or (after_end and is_punct)
        if token.i == 0:
            token.is_sent_start = True
    return doc


@load_once
def load_chinese() -> Language:
    """The Chinese pipeline (jieba words, the sentence splitter, the question classifier), once per
    process; jieba builds its prefix dictionary here (about a second) and says nothing."""
    import jieba
    import spacy

    jieba.setLogLevel(logging.WARNING)
    for word in SALES_WORDS:
        jieba.add_word(word, freq=200_000)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("zh_sentence_starts")
    register_question_classifier()
    nlp.add_pipe(QUESTION_CLASSIFIER, last=True)
    return nlp


__all__ = ["FINAL_PARTICLES", "PAUSE_SPLIT_S", "SALES_WORDS", "SENTENCE_END", "load_chinese"]
