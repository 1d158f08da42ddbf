"""The web app's message catalogues (service/web/locale): every English string the templates and
the code mark has a Simplified Chinese translation with the same placeholders, the `.pot` is what
`scripts/i18n.sh` would extract today (a string marked but not extracted would show in English),
and the locale a request gets, the formats and the mention e-mail follow the catalogue.
"""

from __future__ import annotations

import re
from datetime import datetime
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
