"""The web app's message catalogues (service/web/locale): every English string the templates and
the code mark has a Simplified Chinese translation with the same placeholders, the `.pot` is what
`scripts/i18n.sh` would extract today (a string marked but not extracted would show in English),
and the locale a request gets, the formats and the mention e-mail follow the catalogue.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from service.core import i18n
from service.core.i18n import N_

REPO = Path(__file__).resolve().parents[2]
LOCALE_DIR = REPO / "service" / "web" / "locale"
POT = LOCALE_DIR / "messages.pot"
ZH_PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
# A python-format placeholder: %(name)s, %(count)d, %(value)r (and %% for a literal percent sign).
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0\- +]*\d*(?:\.\d+)?([diouxXeEfFgGcrs%])")


def _key(message: Any) -> tuple[str | None, str | tuple[str, ...]]:
    mid = message.id
    return message.context, tuple(mid) if isinstance(mid, list | tuple) else mid


def _catalog(path: Path, locale: str | None = None) -> Any:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _placeholders(text: str) -> set[tuple[str | None, str]]:
    return {(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(text)}


class _Anything(dict[str, Any]):
    def __missing__(self, key: str) -> int:
        return 1


def _extract() -> set[tuple[str | None, str | tuple[str, ...]]]:
    """What `scripts/i18n.sh` extracts, in memory: its mapping (babel.cfg) and its keywords."""
    script = (REPO / "scripts" / "i18n.sh").read_text()
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(re.findall(r"-k (\S+)", script)))
    with (LOCALE_DIR / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)  # type: ignore[no-untyped-call]
    found = set()
    def only_service(path: str) -> bool:  # every mapping in babel.cfg is under service/
        rel = Path(path).relative_to(REPO).parts
        return bool(rel) and rel[0] == "service" and not any(p.startswith((".", "_")) for p in rel)

    for _file, _line, message, _comments, context in extract_from_dir(
            str(REPO), method_map, options_map, keywords=keywords, strip_comment_tags=True,
            directory_filter=only_service):
        found.add((context or None, tuple(message) if isinstance(message, list | tuple) else message))
    return found


def test_the_pot_is_what_the_code_and_templates_mark_today() -> None:
    pot = {_key(m) for m in _catalog(POT) if m.id}
    extracted = _extract()
    assert extracted - pot == set(), "marked but not in messages.pot: run scripts/i18n.sh"
    assert pot - extracted == set(), "in messages.pot but no longer marked: run scripts/i18n.sh"


def test_every_string_has_a_chinese_translation_with_the_same_placeholders() -> None:
    pot = {_key(m) for m in _catalog(POT) if m.id}
    po = _catalog(ZH_PO, "zh_CN")
    assert po.num_plurals == 1  # Chinese has one form for every count
    entries = {_key(m): m for m in po if m.id}
    assert set(entries) == pot, "messages.po is not updated from messages.pot: run scripts/i18n.sh"
    problems = []
    for key, m in entries.items():
        source = m.id[-1] if isinstance(m.id, list | tuple) else m.id  # the plural form holds every placeholder
        strings = list(m.string) if isinstance(m.string, list | tuple) else [m.string]
        if "fuzzy" in m.flags or not all(s.strip() for s in strings):
            problems.append(f"not translated (or fuzzy): {key}")
            continue
        for text in strings:
            if _placeholders(text) != _placeholders(source):
                problems.append(f"placeholders differ: {source!r} -> {text!r}")
            try:  # every page string is %-formatted (Jinja's newstyle gettext): a lone % would fail
                text % _Anything()
            except (ValueError, TypeError) as exc:
                problems.append(f"does not format ({exc}): {text!r}")
    assert problems == []


def test_codes_shown_as_words_and_trend_words_are_in_the_catalogue() -> None:
    from models.accounts import KEY_ROLES, USER_ROLES
    from models.calls import CALL_STATUSES
    from service.domain.trends import TREND_METRICS
    from service.web.call_pages import OUTCOMES
    from service.web.coaching_pages import METRIC_WORDS
    from service.web.pages import CODE_WORDS  # noqa: F401  (marks the words below)

    po = {_key(m): m for m in _catalog(ZH_PO, "zh_CN") if m.id}
    for role in {*USER_ROLES, *KEY_ROLES}:
        assert ("role", role) in po, role
    for status in CALL_STATUSES:
        assert ("call status", status) in po, status
    for outcome in OUTCOMES:
        assert ("outcome", outcome.replace("_", " ")) in po, outcome
    words = {w for m in TREND_METRICS for w in (m.title, m.unit) if w != "%"}
    assert words <= set(METRIC_WORDS) and all((None, w) in po for w in words)


@pytest.mark.parametrize(("header", "locale"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"), ("zh", "zh_CN"), ("zh-Hans-CN", "zh_CN"), ("zh-SG", "zh_CN"),
    ("zh-TW,zh;q=0.9", "zh_CN"),  # only Simplified Chinese is offered
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en"), ("fr-FR,fr;q=0.9,zh;q=0.5,en;q=0.4", "zh_CN"),
    ("de;q=1, en;q=0.1, zh;q=0.2", "zh_CN"), ("en;q=0, zh", "zh_CN"), ("fr", None), ("*", None), ("", None),
    ("zh-CN;q=nonsense, en", "en"), ("<script>", None),
])
def test_the_browser_language_picks_the_locale(header: str, locale: str | None) -> None:
    from service.web.i18n import accept_language_locale

    assert accept_language_locale(header) == locale


def test_translating_formatting_and_errors() -> None:
    assert i18n.tr("zh_CN", "Calls") == "通话" and i18n.tr("en", "Calls") == "Calls"
    assert i18n.ntr("zh_CN", "%(n)s call", "%(n)s calls", 3, n="3") == "3 次通话"
    assert i18n.ntr("en", "%(n)s call", "%(n)s calls", 1, n="1") == "1 call"
    assert i18n.tr("zh_CN", "not in the catalogue: 100% as written") == "not in the catalogue: 100% as written"
    marked = N_("%(field)s has at most %(count)d characters", field="name", count=200)
    assert marked == "name has at most 200 characters"  # English wherever it is not shown to a person
    assert i18n.error_text("zh_CN", ValueError(marked)) == "name 最多 200 个字符"
    assert i18n.error_text("zh_CN", ValueError("something the domain said")) == "something the domain said"
    when = datetime(2026, 5, 3, 14, 5, 9)
    assert i18n.format_stamp("en", when) == "2026-05-03 14:05"
    assert i18n.format_stamp("en", when, seconds=True) == "2026-05-03 14:05:09"
    assert i18n.format_stamp("zh_CN", when) == "2026年5月3日 14:05"
    assert i18n.format_day("zh_CN", when) == "2026年5月3日" and i18n.format_day("en", when) == "2026-05-03"
    assert i18n.format_number("zh_CN", 12345.6, 0) == "12,346" and i18n.format_number("en", 1234) == "1,234"
    assert i18n.known_locale("zh-cn") == "zh_CN" and i18n.known_locale("fr") is None


def test_the_mention_mail_is_in_the_recipients_language() -> None:
    from service.domain.mention_mail import Mail, message

    mail = Mail("dana@example.test", "Dana", "Cora", "Acme renewal", 75.0, "see this", "https://tt.example/c/1?t=75")
    english = message(mail, "talktrack@example.test")
    assert english["Subject"] == "Cora mentioned you on Acme renewal"
    assert english.get_content().startswith('Cora mentioned you in a comment at 1:15 of "Acme renewal":\n\nsee this\n')
    chinese = message(Mail(**{**{f: getattr(mail, f) for f in Mail.__dataclass_fields__}, "locale": "zh_CN"}),
                      "talktrack@example.test")
    assert chinese["Subject"] == "Cora 在“Acme renewal”中提及了你"
    body = chinese.get_content()
    assert body.startswith("Cora 在“Acme renewal”的 1:15 处的评论中提及了你：") and "在该时刻打开通话：" in body


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_migration_0016_adds_the_users_language(kind: str, h: Any, tmp_path: Any) -> None:
    """Upgrading keeps the people (their language NULL: nothing chosen); downgrading drops the column."""
    import sqlalchemy as sa
    from alembic import command

    with h.migrating(kind, tmp_path, "0015") as (cfg, conn):
        conn.execute(sa.text("INSERT INTO organization (id, name, created_at) VALUES ('o', 'O', '2026-01-01')"))
        conn.execute(sa.text('INSERT INTO "user" (id, org_id, name, role, disabled, created_at) '
                             "VALUES ('u', 'o', 'Dana', 'rep', false, '2026-01-01')"))
        conn.commit()
        command.upgrade(cfg, "0016")
        conn.commit()
        assert tuple(conn.execute(sa.text('SELECT name, locale FROM "user"')).one()) == ("Dana", None)
        conn.execute(sa.text("""UPDATE "user" SET locale = 'zh_CN'"""))
        conn.commit()
        assert conn.execute(sa.text('SELECT locale FROM "user"')).scalar_one() == "zh_CN"
        command.downgrade(cfg, "0015")
        conn.commit()
        assert "locale" not in {c["name"] for c in sa.inspect(conn).get_columns("user")}
        assert conn.execute(sa.text('SELECT name FROM "user"')).scalar_one() == "Dana"


def test_every_message_the_page_scripts_write_is_in_their_table() -> None:
    """A `t("...")` / `tn("...", "...")` in static/js must be marked in `service.web.js_messages` (else it
    would stay English on a Chinese page), and the Chinese table translates every one of them."""
    from service.web import js_messages
    from service.web.i18n import js_table

    literal = r'"((?:[^"\\]|\\.)*)"'
    used: set[str] = set()
    for path in (REPO / "service" / "web" / "static" / "js").glob("*.js"):
        text = path.read_text()
        used |= set(re.findall(r"\bt\(\s*" + literal, text))
        for one, many in re.findall(r"\btn\(\s*" + literal + r",\s*" + literal, text):
            used |= {one, many}
    marked = {m.msgid for m in js_messages.MESSAGES}
    assert used and used - marked == set(), "mark these in service/web/js_messages.py"
    table = js_table("zh_CN")
    assert js_table("en") == {} and set(table) >= marked
    assert all(table[m] != m for m in marked), [m for m in marked if table[m] == m]
    assert table["call status\x04done"] == "已完成" and table["uploading %(pct)s%%"] == "上传中 %(pct)s%%"


def test_domain_errors_are_translated_on_pages_and_stay_english_elsewhere() -> None:
    """Errors the domain raises with `N_(...)`: a Chinese page shows them in Chinese (`error_text`),
    while `str(exc)` (the API's JSON, a log) keeps the English text clients and tests compare."""
    from sqlalchemy.pool import StaticPool
    from sqlmodel import Session, SQLModel, create_engine

    from models import Call, Organization
    from service.core.access import Principal, require
    from service.core.errors import Forbidden, Invalid
    from service.domain import clips, comments

    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    SQLModel.metadata.create_all(engine)
    admin = Principal(key_id="k1", org_id="o1", role="admin")
    with Session(engine) as session:
        session.add(Organization(id="o1", name="Acme"))
        session.add(Call(id="c1", org_id="o1", media_kind="vtt", status="done", duration_s=60.0))
        session.commit()

        with pytest.raises(Invalid) as too_long:
            clips.create_clip(session, admin, "c1", 5.0, 12.5, "x" * 301, None)
        assert str(too_long.value) == "the title is 301 characters long; at most 300"
        assert i18n.error_text("zh_CN", too_long.value) == "标题长 301 个字符；最多 300 个字符"
        assert i18n.error_text("en", too_long.value) == str(too_long.value)

        with pytest.raises(Invalid) as too_late:
            clips.create_clip(session, admin, "c1", 5.0, 75.25, "Pricing", None)
        assert str(too_late.value) == "the clip ends after the call does (end_s 75.25 > the call's 60 s)"
        assert i18n.error_text("zh_CN", too_late.value) == "片段的结束时刻晚于通话结束（end_s 75.25 > 通话时长 60 秒）"

        with pytest.raises(Invalid) as empty:
            comments.add_comment(session, admin, "c1", "   ")
        assert str(empty.value) == "a comment needs some text"
        assert i18n.error_text("zh_CN", empty.value) == "评论需要填写内容"

        with pytest.raises(Invalid) as after_end:
            comments.add_comment(session, admin, "c1", "see this", start=99.5)
        assert str(after_end.value) == "start (99.5 s) is after the end of the call (60 s)"
        assert i18n.error_text("zh_CN", after_end.value) == "开始时刻（99.5 秒）晚于通话结束（60 秒）"

    with pytest.raises(Forbidden) as refused:
        require(Principal(key_id="k2", org_id="o1", role="rep"), "org.manage")
    assert str(refused.value) == "a rep cannot do this (needs admin)"
    assert i18n.error_text("zh_CN", refused.value) == "角色 rep 无法执行此操作（需要 admin）"


def _deal_calls(questions_left: int) -> list[Any]:
    """Two analysed calls of a deal that raise every warning: `questions_left` customer questions
    the rep did not answer, competitors Gong and Chorus, budget 40,000 under a price of 60,000."""
    from nlp.brief.types import Brief, BriefItem
    from service.domain.deal_story import DealCall

    def said(kind: str, start: float, **extra: Any) -> BriefItem:
        return BriefItem(kind=kind, text=f"{kind} said", start=start, end=start + 2, speaker="S2",  # type: ignore[arg-type]
                         role="customer", confidence=0.9, **extra)

    first = [said("next_step", 5.0, due="2026-11-20"), said("competitor", 8.0, detail="Gong"),
             said("competitor", 9.0, detail="Chorus"), said("budget", 12.0, amount=40000.0),
             said("decision", 14.0, detail="Maria Lopez")]
    last = [said("next_step", 6.0), said("price", 10.0, amount=60000.0),
            *(said("question", 20.0 + n) for n in range(questions_left))]
    return [DealCall(id=f"c{n}", title=None, rep_name="Dana", status="done", at=datetime(2026, 11, day, 15),
                     duration_s=60.0, brief=Brief(items=items), customer_talk_share=share, customer_questions=asked,
                     speaker_names=("Dana", "Bob"))
            for n, day, items, share, asked in ((1, 10, first, 0.6, 4), (2, 30, last, 0.3, 1))]


@pytest.mark.parametrize("questions_left", [1, 3])
def test_deal_warnings_are_in_the_readers_language_and_english_in_the_json(questions_left: int) -> None:
    """The deal page shows each warning in the reader's language with its numbers, dates and names in
    the reader's format; the API's JSON (the same `DealView`) keeps the English message."""
    import json
    from datetime import date

    from service.domain.deals import view_of

    view = view_of("d1", _deal_calls(questions_left), date(2026, 12, 5))
    english = {w["code"]: w["message"] for w in json.loads(view.model_dump_json())["warnings"]}
    chinese = {w.code: i18n.tr("zh_CN", w.said()) for w in view.warnings}
    assert {w.code: i18n.tr("en", w.said()) for w in view.warnings} == english  # an English page: the same text
    left = "1 customer question" if questions_left == 1 else f"{questions_left} customer questions"
    assert english == {
        "no_dated_next_step": "The latest call (2026-11-30) ends with next steps but no date for any.",
        "due_date_passed": "A next step was due on 2026-11-20 and the next call came on 2026-11-30.",
        "budget_below_price": "The budget mentioned (40,000) is below the price quoted (60,000).",
        "competitor_in_play": "Competitors in play: Gong, Chorus.",
        "decision_maker_absent": "Named as deciding but never on a call: Maria Lopez.",
        "talk_share_falling": "The customer talked 60% of the first call (2026-11-10) and 30% of the last (2026-11-30).",
        "questions_falling": "The customer asked 4 questions on the first call (2026-11-10) and 1 on the last (2026-11-30).",
        "unanswered_questions": f"{left} left unanswered.",
    }
    assert chinese == {
        "no_dated_next_step": "最近一次通话（2026年11月30日）结束时约定了下一步，但都没有日期。",
        "due_date_passed": "有一项下一步的截止日期是 2026年11月20日，而下一次通话到 2026年11月30日 才进行。",
        "budget_below_price": "提到的预算（40,000）低于报价（60,000）。",
        "competitor_in_play": "参与竞争的对手：Gong、Chorus。",
        "decision_maker_absent": "被提及为决策者但从未参加通话：Maria Lopez。",
        "talk_share_falling": "客户在第一次通话（2026年11月10日）中的发言占比为 60%，在最后一次通话（2026年11月30日）中为 30%。",
        "questions_falling": "客户在第一次通话（2026年11月10日）中提了 4 个问题，在最后一次通话（2026年11月30日）中只提了 1 个。",
        "unanswered_questions": f"{questions_left} 个客户问题未得到解答。",
    }


def test_a_count_marked_for_later_takes_the_readers_plural_form() -> None:
    from service.core.access import Principal, require_delete_call
    from service.core.errors import Forbidden
    from service.core.i18n import NN_

    for n, english in ((1, "1 customer question left unanswered."), (3, "3 customer questions left unanswered.")):
        marked = NN_("%(num)d customer question left unanswered.", "%(num)d customer questions left unanswered.", n)
        assert marked == english and i18n.tr("en", marked) == english
        assert i18n.tr("zh_CN", marked) == f"{n} 个客户问题未得到解答。"
    rep = Principal(key_id="k1", org_id="o1", role="rep", user_id="u1")
    then, now = datetime(2026, 5, 3, 10), datetime(2026, 5, 3, 14)
    for grace, english in ((1.0, "the 1 hour in which"), (0.5, "the 0.5 hours in which"), (3.0, "the 3 hours in which")):
        with pytest.raises(Forbidden) as own:
            require_delete_call(rep, "u1", then, now, grace)
        assert str(own.value).startswith(english)
        assert i18n.error_text("zh_CN", own.value) == f"上传者可删除通话的 {grace:g} 小时期限已过：请联系管理员"
    with pytest.raises(Forbidden) as other:
        require_delete_call(rep, "u2", then, now, 1.0)
    assert str(other.value) == ("only an admin, or the person who uploaded the call within 1 hour of the upload, "
                                "may delete it")
    assert i18n.error_text("zh_CN", other.value) == "只有管理员，或上传者本人在上传后 1 小时内，可以删除此通话"


def test_the_deal_page_speaks_chinese_and_the_api_keeps_english(tmp_path: Path) -> None:
    """Through the app: a Chinese reader's deal page shows the warnings in Chinese with Chinese dates;
    `GET /v1/deals/{id}` answers the English messages."""
    from fastapi.testclient import TestClient

    from devstack.deals import brief, item
    from models import Call, CallResult
    from service.api.main import create_app
    from service.core.accounts import create_key, create_org, create_user
    from service.core.config import Settings
    from service.core.db import session_scope
    from service.core.sessions import set_password

    settings = Settings(data_dir=tmp_path, login_attempts_per_minute=100, key_cache_s=0)
    with TestClient(create_app(settings, start_executor=False)) as client:
        with session_scope(settings) as s:
            org = create_org(s, "Acme")
            admin = create_user(s, org.id, "Ada Admin", email="admin@example.test", role="admin")
            set_password(s, admin, "correct horse battery staple")
            secret = create_key(s, org.id, "integration").secret
            for n, (day, items, share) in enumerate((
                    (10, [item("competitor", "we looked at Gong", 8.0, detail="Gong"),
                          item("budget", "about forty thousand", 12.0, amount=40000.0)], 0.6),
                    (30, [item("price", "sixty thousand a year", 10.0, speaker="S1", role="rep", amount=60000.0),
                          item("question", "How long does the rollout take?", 15.0),
                          item("question", "Who trains the team?", 25.0)], 0.3))):
                call = Call(org_id=org.id, deal_id="ACME-1", title=f"Call {n}", media_kind="vtt", status="done",
                            started_at=datetime(2026, 11, day, 15, tzinfo=UTC), duration_s=60.0)
                s.add(call)
                s.flush()
                s.add(CallResult(call_id=call.id, analysis_json="{}", brief_json=json.dumps(brief(items)),
                                 customer_talk_share=share, customer_questions=2, speaker_names=["Dana", "Bob"]))
            s.commit()
        api = client.get("/v1/deals/ACME-1", headers={"Authorization": f"Bearer {secret}"}).json()
        messages = {w["code"]: w["message"] for w in api["warnings"]}
        assert messages["unanswered_questions"] == "2 customer questions left unanswered."
        assert messages["budget_below_price"] == "The budget mentioned (40,000) is below the price quoted (60,000)."
        assert messages["no_dated_next_step"] == "The latest call (2026-11-30) ends with no next step."

        token = re.search(r'name="prelogin" value="([^"]+)"', client.get("/login").text)
        assert token
        client.post("/login", data={"email": "admin@example.test", "password": "correct horse battery staple",
                                    "prelogin": token.group(1)})
        client.cookies.set("tt_lang", "zh-CN")
        page = client.get("/deals/ACME-1").text
        for said in ("2 个客户问题未得到解答。", "提到的预算（40,000）低于报价（60,000）。", "参与竞争的对手：Gong。",
                     "最近一次通话（2026年11月30日）结束时没有约定下一步。",
                     "客户在第一次通话（2026年11月10日）中的发言占比为 60%，在最后一次通话（2026年11月30日）中为 30%。"):
            assert said in page, said
        assert "left unanswered" not in page and "Competitors in play" not in page
        client.cookies.set("tt_lang", "en")
        english_page = client.get("/deals/ACME-1").text
        assert all(html.escape(m, quote=False) in english_page for m in messages.values())


def _insight_findings() -> tuple[list[Any], list[Any], int]:
    """Findings of every kind: judged (reliable or not), too few calls, not applicable; and two judged
    ones turned the other way (less likely, the other verdict) with coaching's sentence for them."""
    import dataclasses

    from coaching.insights import InsightOptions, compute_insights, describe
    from coaching.synthetic import make_corpus

    calls = [dataclasses.replace(c, trackers=c.trackers | ({"legal_review"} if i % 40 == 0 else set()))
             for i, c in enumerate(make_corpus(n_calls=480, seed=5).calls)]
    report = compute_insights(calls, InsightOptions(regression=False))
    judged = [f for f in report.findings if f.status == "finding"]
    flipped = [dataclasses.replace(f, likelihood=-0.4, significant=not f.significant) for f in judged[:2]]
    for f in flipped:
        f.sentence = describe(f)
    return report.findings, flipped, report.options.min_group


def test_the_insights_words_are_coachings_english_and_translate() -> None:
    """`service.web.insight_words` words each finding with marked messages whose English is exactly
    coaching's label and sentence (so the catalogue's English is what the English page shows), and
    the Chinese ones carry the same numbers."""
    from service.web import insight_words

    found, flipped, min_group = _insight_findings()
    findings = [*found, *flipped]
    assert {(f.status, f.significant, (f.likelihood or 0) > 0) for f in findings} >= {
        ("finding", True, True), ("finding", True, False), ("finding", False, True), ("finding", False, False),
        ("insufficient_data", False, False), ("not_applicable", False, False)}
    for f in findings:
        assert str(insight_words.label_message(f)) == f.label
        assert str(insight_words.sentence_message(f, min_group)) == f.sentence
    from coaching.insights import METRIC_LABELS

    assert {k: str(v) for k, v in insight_words.METRIC_NAMES.items()} == {k: v[0] for k, v in METRIC_LABELS.items()}

    by = {f.feature: f for f in found}
    talk = by["talk_ratio"]
    assert talk.label == "rep talk ratio at most 65%" and i18n.tr("zh_CN", insight_words.label_message(talk)) == "销售代表发言占比至多 65%"
    first_90 = i18n.tr("zh_CN", insight_words.label_message(by["open_questions_first_90s"]))
    assert first_90 == "销售代表在前 90 秒内至少提出一个开放式问题"
    rare = i18n.tr("zh_CN", insight_words.sentence_message(by["tracker:legal_review"], min_group))
    legal = by["tracker:legal_review"]
    assert rare == (f"通话太少，无法判断“提到了 legal review”：符合的有 {legal.n_with} 次，"
                    f"不符合的有 {legal.n_without} 次（两侧各需至少 30 次）。")
    assert i18n.tr("zh_CN", insight_words.sentence_message(by["interruptions_rep"], min_group)) == (
        "不适用：这组通话中没有任何通话有“销售代表打断次数”的数值。")
    sentence = i18n.tr("zh_CN", insight_words.sentence_message(talk, min_group))
    assert talk.likelihood is not None and talk.q_value is not None
    assert sentence.startswith(f"赢单通话出现“销售代表发言占比至多 65%”的可能性比丢单通话高 {abs(talk.likelihood) * 100:.0f}%（95% 置信区间 ")
    assert f"n = {talk.n_with} / {talk.n_without}；校正后 p = {talk.q_value:.2g}）。" in sentence
    assert not re.search(r"[A-Za-z]{3,}", sentence), sentence
    features = ["interruptions_rep", "interruptions_customer"]
    note = insight_words.not_applicable_note(features)
    assert note == "Not applicable (no values in these calls): interruptions_rep, interruptions_customer."
    assert i18n.tr("zh_CN", note) == "不适用（这些通话中没有数值）：销售代表打断次数、客户打断次数。"
    from coaching.insights import InsightOptions, InsightReport

    method = InsightReport(0, 0, 0, InsightOptions(), [], None).to_dict()["method"]
    assert insight_words.method_words("en", method) == method and insight_words.method_words("zh_CN", method).startswith("提升 = ")
    assert insight_words.BASES.keys() >= {f.basis for f in findings}


def test_a_metric_has_one_chinese_name_on_pages_and_in_suggestions() -> None:
    # The pages translate metric names through the catalogue (reader's language); suggestions and
    # live cards word them from `coaching.wording` (the call's language), which cannot import the
    # service. The two must name each metric alike, or a Chinese coach reads two words for one thing.
    from coaching.insights import METRIC_LABELS
    from coaching.wording import METRIC_LABELS_ZH
    from service.web.insight_words import METRIC_NAMES

    assert set(METRIC_NAMES) == set(METRIC_LABELS_ZH) == set(METRIC_LABELS)
    assert {k: i18n.tr("zh_CN", m) for k, m in METRIC_NAMES.items()} == {k: v[0] for k, v in METRIC_LABELS_ZH.items()}
