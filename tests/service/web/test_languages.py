"""The web app in the browser's language (issue 25): a Chinese Chromium (`locale="zh-CN"`, which
sends Accept-Language: zh-CN) gets the pages in Simplified Chinese, with `<html lang="zh-CN">` and
Chinese dates; the switch at the foot of the page changes the language for this browser; an
English browser sees the pages exactly as before. The Chinese pages fit both widths and pass axe.
"""

from __future__ import annotations

import re
from typing import Any

from tests.service.web.conftest import DESKTOP, PASSWORD
from tests.service.web.test_layout import layout_problems

ZH_STAMP = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")
ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _browser_in(browser: Any, web: Any, locale: str) -> Any:
    return browser.new_context(viewport=DESKTOP, base_url=web.url, locale=locale)


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
    finally:
        context.close()


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
