"""A school admin imports a roster; a graduate on a phone logs in for the first time, changes
the password and goes through 生源核查; the college admin reviews it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import url
from tests.factories.students import (
    NEW_PASSWORD,
    STAFF_PASSWORD,
    college_admin,
    csv_bytes,
    make_id_number,
    roster_row,
)
from tests.utils import ADMIN_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _sync_db_beside_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; our own DB calls here are sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    yield
    from django.db import connections

    # Connections opened here while Playwright ran belong to this context: close them, so
    # the test database can be dropped at the end of the session.
    connections.close_all()


@pytest.fixture
def eager_celery():
    from saas_platform.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def login(page, school, port, username, password):
    page.goto(url(school, port, "/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_import_first_login_verification_and_review(
    committed_school, live_server_port, browser, phone, eager_celery, tmp_path
):
    school, port = committed_school, live_server_port

    # The school admin uploads the roster, checks the preview and confirms.
    admin = browser.new_context(locale="zh-CN").new_page()
    login(admin, school, port, "admin", ADMIN_PASSWORD)
    admin.goto(url(school, port, "/students/imports/"))
    roster = tmp_path / "名单.csv"
    roster.write_bytes(csv_bytes([roster_row(1), roster_row(2)]))
    admin.set_input_files("#id_file", str(roster))
    admin.click("main button[type=submit]")
    expect(admin.locator("#summary")).to_contain_text("将新增 2 人")
    expect(admin.locator("#summary")).to_contain_text("计算机学院")
    admin.click("#confirm button")
    expect(admin.locator("#status")).to_have_text("导入完成")
    expect(admin.locator("#bar")).to_have_attribute("style", re.compile("width: 100%"))
    admin.context.close()
    college_admin(school, "cs_teacher", ["计算机学院"])

    # The graduate, on a phone: first login with the last six of the ID number.
    login(phone, school, port, "2022000001", make_id_number(1)[-6:])
    expect(phone).to_have_url(re.compile(r"/accounts/password/"))
    expect(phone.locator("main")).to_contain_text("首次登录请先修改初始密码")
    phone.fill("#id_old_password", make_id_number(1)[-6:])
    phone.fill("#id_new_password", NEW_PASSWORD)
    phone.fill("#id_new_password_again", NEW_PASSWORD)
    phone.click("main button[type=submit]")
    expect(phone.locator("main")).to_contain_text("密码已修改")

    phone.click("text=生源信息")
    expect(phone.locator("#state")).to_have_text("待核验")
    assert fits_the_phone(phone)
    phone.click("button:has-text('开始核验')")
    expect(phone).to_have_url(re.compile(r"/students/me/edit/"))
    phone.fill("#id_mobile", "13912345678")
    phone.select_option("#id_archive_moves", "false")
    assert fits_the_phone(phone)
    phone.click("button:has-text('保存')")
    expect(phone.locator("main")).to_contain_text("我修改的内容")
    phone.click("button:has-text('提交审核')")
    expect(phone.locator("#state")).to_have_text("待学院审核")

    # The college admin reviews: sees what changed, rejects without a reason (refused), approves.
    teacher = browser.new_context(locale="zh-CN").new_page()
    login(teacher, school, port, "cs_teacher", STAFF_PASSWORD)
    teacher.goto(url(school, port, "/students/review/"))
    teacher.click("#queue a:has-text('2022000001')")
    # The reviewing teacher sees the phone in clear (students/visibility.py).
    expect(teacher.locator("#changes")).to_contain_text("13912345678")
    expect(teacher.locator("main")).not_to_contain_text(make_id_number(1))
    teacher.click("button:has-text('退回修改')")
    expect(teacher.locator("#review")).to_contain_text("退回时必须填写原因")
    teacher.fill("#id_reason", "核对无误")
    teacher.click("button:has-text('审核通过')")
    expect(teacher.locator("main")).to_contain_text("没有待审核的生源信息")
    teacher.context.close()

    phone.reload()
    expect(phone.locator("#state")).to_have_text("审核通过")
    expect(phone.locator("main")).to_contain_text("可以网上签约")
