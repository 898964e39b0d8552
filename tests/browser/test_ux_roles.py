"""One walk per role through its main pages, in a real Chromium.

Each walk fails on any English word in the visible text (an allow-list of proper nouns and
abbreviations aside) and on any HTTP 4xx/5xx the walk did not provoke on purpose. Kept lean
for the shared machine: one login per role, one shared world for the module.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tests.agreements import flows
from tests.browser.conftest import PHONE, url
from tests.factories import agreements as f
from tests.utils import ADMIN_PASSWORD, OPERATOR_PASSWORD, drop_school, new_school

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI "
    "Language/zh_CN"
)
# Proper nouns and abbreviations a Chinese user reads as such.
ALLOWED = {
    "WeChat",
    "API",
    "Excel",
    "PDF",
    "HR",
    "JPG",
    "PNG",
    "JPEG",
    "CSV",
    "xlsx",
    "csv",
    "AppID",
    "AppSecret",
    "ID",
    "Java",
    "OAuth",
}


# Data, not interface: the world's login names (shown on staff and member lists).
USERNAMES = {"admin", "operator", "syxy"}  # and the onboarding form's example subdomain


def english_words(text: str) -> set[str]:
    """Latin words in visible text, ignoring codes, e-mail addresses, links and login names."""
    words = set()
    for token in re.findall(r"[A-Za-z0-9@._:/#+-]+", text):
        if any(c.isdigit() for c in token) or "@" in token or "://" in token or "." in token:
            continue
        for word in re.findall(r"[A-Za-z]{2,}", token):
            if word not in ALLOWED and word not in USERNAMES:
                words.add(word)
    return words


class Walker:
    """Visits pages as one user and remembers what went wrong."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.errors: list[str] = []
        self.expected: set[str] = set()
        page.on("response", self._response)

    def _response(self, response) -> None:
        if response.status >= 400 and response.url not in self.expected:
            self.errors.append(f"{response.status} {response.url}")

    def visit(self, path: str, *, status: int | None = None) -> None:
        target = path if path.startswith("http") else self.base + path
        if status is not None:
            self.expected.add(target)
        response = self.page.goto(target)
        assert response is not None
        if status is not None:
            assert response.status == status, (target, response.status)
        self.check_text(target)

    def check_text(self, where: str = "") -> None:
        self.page.wait_for_load_state("domcontentloaded")
        words = english_words(self.page.inner_text("body"))
        words |= english_words(self.page.title())
        assert not words, f"English on {where or self.page.url}: {sorted(words)}"

    def login(self, username: str, password: str, path: str = "/accounts/login/") -> None:
        self.visit(path)
        self.page.get_by_label("账号").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_load_state("domcontentloaded")
        assert "/accounts/login/" not in self.page.url, self.page.url

    def done(self) -> None:
        assert not self.errors, self.errors


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from settings_per_school.services import update_school_settings

    with django_db_blocker.unblock():
        school = new_school()
        cast = f.build_school(school, graduates=3, prefix="2030")
        employer = f.make_employer(f"湘云测试科技有限公司{uuid.uuid4().hex[:4]}")
        pending = f.make_employer(verified=False)
        with schema_context(school.schema_name):
            update_school_settings(
                actor=cast.admin_actor(), changes={"allow_student_initiation": True}
            )
            invited = flows.invite(cast, employer, cast.graduates[0])
            in_review = flows.invite(cast, employer, cast.graduates[1])
            flows.accept(in_review, cast.graduates[1])
        connection.set_schema_to_public()
        yield {
            "cast": cast,
            "employer": employer,
            "pending": pending,
            "invited": invited,
            "in_review": in_review,
        }
        f.remove_employers([employer, pending])
        drop_school(school)


def test_graduate_in_wechat_on_a_phone(world, committed, live_server_port, browser):
    cast, employer = world["cast"], world["employer"]
    graduate = cast.graduates[0]
    context = browser.new_context(**PHONE, locale="zh-CN", user_agent=WECHAT_UA)
    walker = Walker(context.new_page(), url(cast.tenant, live_server_port, "").rstrip("/"))
    # Inside WeChat the login page would go to WeChat's OAuth; ?password=1 keeps the form.
    walker.login(graduate.user.username, f.GRADUATE_PASSWORD, "/accounts/login/?password=1")
    for path in ("/", "/students/me/", "/agreements/", "/notifications/", "/wechat/"):
        walker.visit(path)
    walker.visit(f"/agreements/{world['invited'].pk}/")
    page = walker.page
    assert page.locator("#accept-form").is_visible() and page.locator("#return-box").count() == 1
    # 学生发起签约 with the one autocomplete widget: pick, type over, pick again, 取消选择.
    walker.visit("/agreements/new/")
    name = page.locator("#id_employer_name")
    name.fill(employer.org.name[:4])
    item = page.locator(".employer-ac-item").first
    item.wait_for()
    assert "云" in item.inner_text()
    item.click()
    assert page.locator("#id_credit_code").input_value() == employer.org.credit_code
    assert page.locator("#id_employer_id").input_value() == str(employer.org.pk)
    assert page.locator(".employer-ac-picked").is_visible()
    walker.check_text()
    name.press("End")
    name.type("分公司")
    assert page.locator("#id_employer_id").input_value() == ""
    assert page.locator("#id_credit_code").input_value() == ""
    assert page.locator("#id_nature").input_value() == ""
    name.fill(employer.org.name[:4])
    page.locator(".employer-ac-item").first.click()
    assert page.locator("#id_employer_id").input_value() == str(employer.org.pk)
    page.get_by_role("button", name="取消选择").click()
    assert page.locator("#id_employer_id").input_value() == ""
    assert page.locator("#id_credit_code").input_value() == "" and name.input_value() == ""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # A teacher's page: refused in Chinese.
    walker.visit("/students/review/", status=403)
    walker.done()
    context.close()


def test_college_admin(world, committed, live_server_port, browser):
    cast = world["cast"]
    context = browser.new_context(locale="zh-CN")
    walker = Walker(context.new_page(), url(cast.tenant, live_server_port, "").rstrip("/"))
    walker.login(cast.college_admins[0].username, f.STAFF_PASSWORD)
    assert walker.page.locator("#pending-agreements b").inner_text() == "1"
    for path in (
        "/students/review/",
        "/students/",
        f"/students/{cast.graduates[0].pk}/",
        "/agreements/review/",
        f"/agreements/{world['in_review'].pk}/",
        "/agreements/",
        "/agreements/dashboard/",
        "/notifications/",
    ):
        walker.visit(path)
    walker.visit(f"/agreements/{world['in_review'].pk}/")
    assert walker.page.locator("#queue-position").is_visible()
    walker.done()
    context.close()


@pytest.fixture
def eager_celery():
    from saas_platform.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_school_admin(world, committed, live_server_port, browser, eager_celery, tmp_path):
    from tests.factories.students import csv_bytes, roster_row

    cast = world["cast"]
    context = browser.new_context(locale="zh-CN")
    walker = Walker(context.new_page(), url(cast.tenant, live_server_port, "").rstrip("/"))
    walker.login("admin", ADMIN_PASSWORD)
    # A roster with an error: the progress bar ends in its error state, not stuck midway.
    walker.visit("/students/imports/")
    roster = tmp_path / "有错的名单.csv"
    roster.write_bytes(csv_bytes([roster_row(7, 身份证号="123")]))
    walker.page.set_input_files("#id_file", str(roster))
    walker.page.click("main button[type=submit]")
    walker.page.wait_for_function("document.getElementById('bar').className === 'error'")
    assert "width: 100%" in walker.page.locator("#bar").get_attribute("style")
    assert "未导入任何数据" in walker.page.locator("#progress-text").inner_text()
    walker.check_text()
    assert "校级管理员（校级管理员）" not in walker.page.inner_text("body")
    for path in (
        "/students/",
        "/students/review/",
        "/students/imports/",
        "/students/colleges/",
        "/students/staff/",
        "/settings/",
        "/wechat/bindings/",
        "/notifications/deliveries/",
        "/agreements/review/",
        "/agreements/",
        "/agreements/dashboard/",
    ):
        walker.visit(path)
    walker.visit("/agreements/999999/", status=404)
    walker.visit("/no-such-page/", status=404)
    walker.done()
    context.close()


def test_hr(world, committed, live_server_port, browser):
    cast, employer = world["cast"], world["employer"]
    platform = f"http://localhost:{live_server_port}"
    context = browser.new_context(locale="zh-CN")
    walker = Walker(context.new_page(), platform)
    walker.login(employer.hr.username, f.HR_PASSWORD)
    assert "API 文档" not in walker.page.inner_text("body")
    for path in (
        "/",
        "/employers/",
        "/employer/agreements/",
        f"/employer/agreements/?school={cast.tenant.subdomain}",
        "/employer/agreements/new/",
        f"/employer/agreements/{cast.tenant.subdomain}/{world['invited'].pk}/",
        "/employer/notices/",
    ):
        walker.visit(path)
        assert cast.tenant.name not in walker.page.title()
    # One school select; choosing it keeps what was typed.
    walker.visit("/employer/agreements/new/")
    walker.page.locator("#id_position").fill("自己填的岗位")
    walker.page.locator("#id_school").select_option(cast.tenant.subdomain)
    walker.page.wait_for_function("document.getElementById('id_contact_name').value !== ''")
    assert walker.page.locator("#id_position").input_value() == "自己填的岗位"
    walker.done()
    context.close()
    # The pending employer's HR is told before any form.
    context = browser.new_context(locale="zh-CN")
    walker = Walker(context.new_page(), platform)
    walker.login(world["pending"].hr.username, f.HR_PASSWORD)
    walker.visit("/employer/agreements/new/")
    assert walker.page.locator("#unverified").is_visible()
    assert walker.page.locator("#invite-form").count() == 0
    walker.done()
    context.close()


def test_operator(world, committed, live_server_port, browser):
    platform = f"http://localhost:{live_server_port}"
    context = browser.new_context(locale="zh-CN")
    walker = Walker(context.new_page(), platform)
    walker.login("operator", OPERATOR_PASSWORD)
    for path in (
        "/",
        "/operator/schools/",
        "/operator/schools/new/",
        "/operator/employers/",
        f"/operator/employers/{world['pending'].org.pk}/",
    ):
        walker.visit(path)
    walker.done()
    context.close()
