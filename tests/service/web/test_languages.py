"""The web app in the browser's language (issue 25): a Chinese Chromium (`locale="zh-CN"`, which
sends Accept-Language: zh-CN) gets the pages in Simplified Chinese, with `<html lang="zh-CN">` and
Chinese dates; the switch at the foot of the page changes the language for this browser and, signed
in, stores it on the person, whose choice then wins over any browser's; an English browser sees the
pages exactly as before. The call-review pages (call, clip, playlists) and what their scripts write
after loading are Chinese too. The Chinese pages fit both widths and pass axe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.service.web.call_data import sample_brief, store_analysis, stored_analysis
from tests.service.web.conftest import DESKTOP, PASSWORD
from tests.service.web.layout import layout_problems
from tests.service.web.test_call_review import attach_sample_recording, wait_until

SAMPLES = Path(__file__).parents[3] / "samples"

ZH_STAMP = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")
ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _browser_in(browser: Any, web: Any, locale: str) -> Any:
    return browser.new_context(viewport=DESKTOP, base_url=web.url, locale=locale)


def _stored_choice(web: Any, who: str, reset: bool = False) -> str | None:
    """The language `who` chose (`User.locale`); with `reset`, forget it (the shared server's people
    as they were for the other tests)."""
    from models import User
    from service.core.db import session_scope

    with session_scope(web.stack.settings()) as s:
        user = s.get(User, web.people[who].user_id)
        assert user is not None
        if reset:
            user.locale = None
            s.add(user)
            s.commit()
        return user.locale


def _sign_in_zh(page: Any, email: str) -> None:
    page.goto("/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))


def test_a_chinese_browser_gets_chinese_pages_and_can_switch_to_english(web: Any, browser: Any) -> None:
    context = _browser_in(browser, web, "zh-CN")
    try:
        page = context.new_page()
        # The sign-in page, before any session.
        page.goto("/login")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.get_by_role("heading", name="登录").is_visible()
        assert page.title() == "登录 · Talktrack"
        assert "还没有密码？请向管理员索取邀请链接" in page.locator("main").inner_text()
        page.get_by_label("电子邮箱").fill(web.people["admin"].email)
        page.get_by_label("密码").fill("not the password")
        page.get_by_role("button", name="登录", exact=True).click()
        assert page.get_by_role("alert").inner_text() == "电子邮箱或密码错误。"

        _sign_in_zh(page, web.people["admin"].email)
        # The library: headings, navigation, filters and the header's role in Chinese.
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.get_by_role("heading", name="通话", exact=True).is_visible()
        nav = page.get_by_role("navigation", name="主导航").inner_text()
        for word in ("通话", "交易", "实时通话", "我的趋势", "提及", "评审收件箱", "团队洞察", "管理"):
            assert word in nav, (word, nav)
        assert "(管理员)" in page.locator("header.top").inner_text()
        assert page.get_by_label("搜索转写文本").is_visible()
        assert re.search(r"\d[\d,]* 次通话", page.locator("p.count").inner_text())
        assert page.get_by_role("button", name="退出登录").is_visible()

        # Team insights and the admin pages.
        page.goto("/insights")
        assert page.get_by_role("heading", name="团队洞察").is_visible()
        assert page.get_by_role("button", name="将这些结果用于建议和实时卡片").is_visible()
        page.goto("/admin")
        assert page.get_by_role("heading", name="管理", exact=True).is_visible()
        assert page.get_by_role("link", name="用户和团队").first.is_visible()
        page.goto("/admin/keys")
        assert page.get_by_role("heading", name="API 密钥", exact=True).is_visible()
        assert page.get_by_role("button", name="创建密钥").is_visible()
        created = page.locator("table.admin-table tbody tr td").nth(3).inner_text()
        assert ZH_STAMP.fullmatch(created), created  # a date in Chinese: 2026年12月6日 02:54
        assert page.get_by_text("启用中").first.is_visible()

        # The switch at the foot of the page: English for this browser, on the same page.
        page.get_by_role("button", name="English").click()
        page.wait_for_url(re.compile(r".*/admin/keys$"))
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", name="API keys", exact=True).is_visible()
        assert ISO_STAMP.fullmatch(page.locator("table.admin-table tbody tr td").nth(3).inner_text())
        cookie = next(c for c in context.cookies() if c["name"] == "tt_lang")
        assert cookie["value"] == "en" and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        page.goto("/")  # the choice holds on every page, whatever the browser asks for
        assert page.get_by_role("heading", name="Calls", exact=True).is_visible()
        assert page.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"
        page.get_by_role("button", name="简体中文").click()
        page.wait_for_url(re.compile(r".*/$"))
        assert page.get_by_role("heading", name="通话", exact=True).is_visible()

        # The switch is a form with the session's CSRF token: without it, nothing changes.
        r = page.request.post("/language", form={"lang": "en", "next": "/"}, max_redirects=0)
        assert r.status == 403 and "CSRF" in r.text()
        r = page.request.post("/language", form={"lang": "fr", "next": "/",
                                                 "csrf_token": page.locator('meta[name="csrf-token"]').get_attribute("content")},
                              max_redirects=0)
        assert r.status == 422
        assert next(c for c in context.cookies() if c["name"] == "tt_lang")["value"] == "zh_CN"
        assert _stored_choice(web, "admin") == "zh_CN"  # signed in, the choice is the person's too
    finally:
        context.close()
        _stored_choice(web, "admin", reset=True)


def test_the_sign_in_page_switches_language_before_signing_in(web: Any, browser: Any) -> None:
    context = _browser_in(browser, web, "zh-CN")
    try:
        page = context.new_page()
        page.goto("/login?next=/deals")
        page.get_by_role("button", name="English").click()
        page.wait_for_url(re.compile(r".*/login\?next=/deals$"))
        assert page.get_by_role("heading", name="Sign in").is_visible()
        assert page.locator("html").get_attribute("lang") == "en"
        # Without the sign-in form's own token the switch is refused.
        r = page.request.post("/login/language", form={"lang": "zh_CN", "next": "/login"}, max_redirects=0)
        assert r.status == 403
    finally:
        context.close()


def test_an_english_browser_sees_english(web: Any, browser: Any) -> None:
    context = _browser_in(browser, web, "en-US")
    try:
        page = context.new_page()
        page.goto("/login")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", name="Sign in").is_visible()
        page.get_by_label("E-mail").fill(web.people["admin"].email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/(\?.*)?$"))
        assert page.get_by_role("heading", name="Calls", exact=True).is_visible()
        assert "(admin)" in page.locator("header.top").inner_text()
        assert re.fullmatch(r"[\d,]+ calls?", page.locator("p.count").inner_text())
        page.goto("/admin/keys")
        assert ISO_STAMP.fullmatch(page.locator("table.admin-table tbody tr td").nth(3).inner_text())
        assert page.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"
    finally:
        context.close()


def test_chinese_pages_fit_both_widths_and_pass_axe(web: Any, browser: Any) -> None:
    context = _browser_in(browser, web, "zh-CN")
    try:
        page = context.new_page()
        problems = layout_problems(page, "/login", "zh-login")
        _sign_in_zh(page, web.people["admin"].email)
        for path, name in (("/", "zh-library"), ("/deals", "zh-deals"), ("/insights", "zh-insights"),
                           ("/me", "zh-trends"), ("/inbox", "zh-inbox"), ("/mentions", "zh-mentions"),
                           ("/live", "zh-live"), ("/admin", "zh-admin"), ("/admin/users", "zh-admin-users"),
                           ("/admin/keys", "zh-admin-keys"), ("/admin/webhooks", "zh-admin-webhooks"),
                           ("/admin/trackers", "zh-admin-trackers"), ("/admin/vocabulary", "zh-admin-vocabulary"),
                           ("/admin/playbook", "zh-admin-playbook"), ("/admin/retention", "zh-admin-retention"),
                           ("/admin/audit", "zh-admin-audit")):
            problems += layout_problems(page, path, name)
        problems += layout_problems(page, "/reps/" + "0" * 32, "zh-error-404", status=404)
        assert not problems, "\n".join(problems)
        assert page.get_by_role("heading", name="未找到").is_visible()
    finally:
        context.close()


@dataclass
class ZhReview:
    call_id: str  # the sample call with its recording, a brief, a deal, a comment thread and a clip
    clip_id: str
    playlist_id: str  # an organization playlist holding the clip


@pytest.fixture(scope="module")
def zh_review(web: Any) -> ZhReview:
    call_id = web.upload("rep", SAMPLES / "discovery_call.vtt", title="Discovery with Jordan (zh)")
    web.wait_done("rep", call_id)
    attach_sample_recording(web, call_id)
    analysis = stored_analysis(web, call_id)
    analysis["brief"] = sample_brief(analysis)
    store_analysis(web, call_id, analysis, deal_id="ACME-ZH", started_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    with web.api("coach") as c:
        first = c.post(f"/v1/calls/{call_id}/comments", json={"text": "Good opening question.", "start": 6}).json()
        c.post(f"/v1/calls/{call_id}/comments", json={"text": "Agreed.", "parent_id": first["id"]})
    with web.api("rep") as c:
        clip = c.post("/v1/clips", json={"call_id": call_id, "start_s": 10.0, "end_s": 16.5,
                                         "title": "The six weeks (zh)"}).json()
    with web.api("coach") as c:
        playlist = c.post("/v1/playlists", json={"title": "Openings (zh)", "audience": "organization"}).json()
        assert c.post(f"/v1/playlists/{playlist['id']}/clips", json={"clip_id": clip["id"]}).status_code == 201
    return ZhReview(call_id, clip["id"], playlist["id"])


def test_the_call_page_in_chinese(web: Any, browser: Any, zh_review: ZhReview) -> None:
    context = _browser_in(browser, web, "zh-CN")
    try:
        page = context.new_page()
        _sign_in_zh(page, web.people["coach"].email)
        page.goto(f"/calls/{zh_review.call_id}")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        for name in ("摘要", "发言时间线", "转写文本", "评分卡", "片段", "评论（1）", "指标", "建议", "修正说话人", "结果"):
            assert page.get_by_role("heading", name=name, exact=True).count() == 1, name
        assert re.fullmatch(r"提问（\d+）", page.locator("#q-title").inner_text())
        assert page.locator("#brief h3").all_inner_texts()[:4] == ["章节（5）", "痛点（2）", "异议（2）", "下一步（2）"]
        assert page.locator("#brief-date").inner_text() == "截止日期从通话日期起算：2026年12月1日周二（录制时间）"
        owners = page.locator('[data-kind="next_step"] .owner').all_inner_texts()
        assert owners == ["负责人：Alex Rivera (Acme)", "负责人：双方"]
        assert page.locator('[data-kind="objection"] .detail').all_inner_texts() == ["价格", "时机"]
        assert page.locator("#call-status").inner_text() == "已完成"
        assert ZH_STAMP.search(page.locator("header.call-head .meta").inner_text())
        assert page.get_by_role("link", name="交易：ACME-ZH").is_visible()
        assert page.locator("#downloads").inner_text().startswith("下载：")
        for name in ("上一个", "下一个", "评论", "分享", "复制链接", "保存说话人并重新计算", "设置结果"):
            assert page.get_by_role("button", name=name, exact=True).count() >= 1, name
        assert page.locator("#threads details.cm-reply summary").first.inner_text() == "回复"
        assert page.locator("#threads .reply .cm-text").inner_text() == "Agreed."
        assert page.get_by_placeholder("搜索转写文本").is_visible()
        assert page.get_by_text("点击任意文字即可跳转到该处。").is_visible()
        # What the scripts write after loading: the search count, from the page's table.
        page.get_by_placeholder("搜索转写文本").fill("budget")
        wait_until(page, "/^第 1 个，共 \\d+ 个/.test(document.getElementById('search-count').textContent)")
        page.get_by_placeholder("搜索转写文本").fill("zzqx")
        wait_until(page, "document.getElementById('search-count').textContent === '没有结果'")
        # The deal page: its warning, objection topics and due dates in Chinese, each moment once.
        page.goto("/deals/ACME-ZH")
        warning = page.locator('#warnings li.deal-warning[data-code="competitor_in_play"]')
        assert warning.locator("strong").inner_text() == "有竞争对手参与。", warning.inner_text()
        assert "Gong、Chorus" in warning.inner_text()
        evidence = warning.locator("a").all_inner_texts()
        assert len(evidence) == len(set(evidence)) == 1, evidence  # Gong and Chorus named in one sentence
        topics = page.locator("#story li > strong").all_inner_texts()
        assert "价格" in topics and "时机" in topics, topics
        assert "截止 2026年12月11日" in page.locator("#story").inner_text()
        # The clip and the playlist it is in.
        page.goto(f"/clips/{zh_review.clip_id}")
        assert page.get_by_role("heading", name="对话内容").is_visible()
        assert "的 0:10 至 0:16" in page.locator("header .meta").inner_text()
        assert page.get_by_text("播放器只包含此片段。点击任意文字即可跳转到该处。").is_visible()
        page.goto(f"/playlists/{zh_review.playlist_id}")
        assert page.get_by_role("heading", name="Openings (zh)").is_visible()
        meta = page.locator("header .meta").inner_text()
        assert "组织" in meta and "1 个片段" in meta and "全部播放列表" in meta
        assert page.locator(".player .hint").inner_text() == "正在播放：The six weeks (zh)。片段会依次播放。"
        assert page.get_by_role("button", name="播放", exact=True).is_visible()
        assert page.get_by_role("button", name="删除播放列表").is_visible()
        page.goto("/playlists")
        assert page.get_by_role("heading", name="播放列表", exact=True).is_visible()
        assert page.get_by_text("新建播放列表").is_visible()
    finally:
        context.close()


def test_the_chinese_call_review_pages_fit_both_widths(web: Any, browser: Any, zh_review: ZhReview) -> None:
    context = _browser_in(browser, web, "zh-CN")
    try:
        page = context.new_page()
        _sign_in_zh(page, web.people["coach"].email)
        problems = []
        for path, name in ((f"/calls/{zh_review.call_id}", "zh-call"), (f"/clips/{zh_review.clip_id}", "zh-clip"),
                           (f"/playlists/{zh_review.playlist_id}", "zh-playlist"), ("/playlists", "zh-playlists"),
                           ("/deals/ACME-ZH", "zh-deal")):
            problems += layout_problems(page, path, name)
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_a_signed_in_persons_choice_is_stored_and_wins_over_the_browser(web: Any, browser: Any) -> None:
    person = web.people["rep_west"]

    def stored() -> str | None:
        return _stored_choice(web, "rep_west")

    context = _browser_in(browser, web, "en-US")
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("E-mail").fill(person.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/(\?.*)?$"))
        assert page.get_by_role("heading", name="Calls", exact=True).is_visible() and stored() is None
        page.get_by_role("button", name="简体中文").click()
        page.wait_for_url(re.compile(r".*/$"))
        assert page.get_by_role("heading", name="通话", exact=True).is_visible()
        assert stored() == "zh_CN"
        context.close()

        # Another English browser, whose cookie even says English: the person's choice wins once signed in.
        context = _browser_in(browser, web, "en-US")
        context.add_cookies([{"name": "tt_lang", "value": "en", "url": web.url}])
        page = context.new_page()
        page.goto("/login")
        assert page.get_by_role("heading", name="Sign in").is_visible()  # nobody signed in yet: the browser's
        page.get_by_label("E-mail").fill(person.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/(\?.*)?$"))
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.get_by_role("heading", name="通话", exact=True).is_visible()
        assert page.get_by_role("button", name="简体中文").get_attribute("aria-pressed") == "true"
        page.get_by_role("button", name="English").click()  # and back: stored as English
        page.wait_for_url(re.compile(r".*/$"))
        assert page.get_by_role("heading", name="Calls", exact=True).is_visible() and stored() == "en"
    finally:
        context.close()
        _stored_choice(web, "rep_west", reset=True)
