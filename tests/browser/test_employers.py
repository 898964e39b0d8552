"""In Chromium: an HR user registers, an operator verifies; the 云 autocomplete on a school page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import url
from tests.factories.employers import (
    add_to_directory,
    credit_code,
    directory_entry,
    off_loop,
    png_bytes,
    purge_employers,
    register,
)
from tests.utils import OPERATOR_PASSWORD

pytestmark = pytest.mark.browser

TENCENT = "9144030071526726XG"


def login(page, port, username, password):
    page.goto(url(None, port, "/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_hr_registers_and_an_operator_verifies(committed, live_server_port, browser, tmp_path):
    code = credit_code(seed=880001)
    licence = tmp_path / "营业执照.png"
    licence.write_bytes(png_bytes(size=(320, 200), color=(180, 40, 40)))
    hr = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    operator = browser.new_context(locale="zh-CN")
    try:
        page = hr.new_page()
        page.goto(url(None, live_server_port, "/"))
        page.click("text=用人单位注册")
        page.fill("#id_username", "browser.hr")
        page.fill("#id_display_name", "周经理")
        page.fill("#id_password", "Zhou#Lugu-2026")
        page.fill("#id_password2", "Zhou#Lugu-2026")
        page.fill("#id_name", "长沙浏览器测试科技有限公司")
        page.fill("#id_credit_code", code.lower())
        page.select_option("#id_nature", label="其他企业")
        page.select_option("#id_industry", value="62")
        page.fill("#id_province", "湖南省")
        page.fill("#id_city", "长沙市")
        page.fill("#id_contact_phone", "0731-12345678")
        page.set_input_files("#id_licence", str(licence))
        page.click("button[type=submit]")
        assert page.locator(".errorlist").count() == 0, page.locator(".errorlist").all_inner_texts()
        expect(page.locator("h1")).to_have_text("我的单位")
        expect(page.locator(".pill.pending").first).to_be_visible()

        desk = operator.new_page()
        login(desk, live_server_port, "operator", OPERATOR_PASSWORD)
        desk.click("text=用人单位审核与名录")
        desk.click("text=长沙浏览器测试科技有限公司")
        image = desk.locator("img.licence-img")
        expect(image).to_be_visible()
        desk.wait_for_function("document.querySelector('img.licence-img').naturalWidth === 320")
        desk.click("button[name=verify]")
        expect(desk.locator(".messages")).to_contain_text("已认证“长沙浏览器测试科技有限公司”")

        page.reload()
        expect(page.locator(".pill.verified")).to_have_text("已认证")
    finally:
        hr.close()
        operator.close()
        off_loop(purge_employers, code)


def test_autocomplete_with_the_cloud_badge_on_a_school_page(committed, live_server_port, phone):
    from tenants.models import School

    school = off_loop(School.objects.get, subdomain="alpha")
    others = [credit_code(seed=880100 + i) for i in range(3)]
    off_loop(
        add_to_directory,
        directory_entry("深圳市腾讯计算机系统有限公司", TENCENT, nature="private", industry="I"),
        directory_entry("腾讯计算机系统有限公司", others[0]),
        directory_entry("腾讯科技（深圳）有限公司", others[1]),
    )
    off_loop(register, "腾讯浏览器待审核有限公司", code=others[2], username="browser.pending")
    try:
        page = phone
        page.goto(url(school, live_server_port, "/employers/lookup/"))
        field = page.locator("#id_employer_name")
        field.click()
        page.keyboard.type("腾讯")
        items = page.locator(".employer-ac-item")
        expect(items).to_have_count(3)
        expect(items.first).to_contain_text("腾讯计算机系统有限公司")
        expect(items.first.locator(".cloud-badge")).to_have_text("云")
        expect(page.locator(".employer-ac-list")).not_to_contain_text("待审核")

        items.filter(has_text="深圳市腾讯计算机系统有限公司").click()
        expect(field).to_have_value("深圳市腾讯计算机系统有限公司")
        expect(page.locator("#id_credit_code")).to_have_value(TENCENT)
        expect(page.locator("#id_nature")).to_have_value("39")
        expect(page.locator("#id_industry")).to_have_value("62")
        expect(page.locator("#id_region")).to_have_value("广东省深圳市")
        assert page.locator("#id_employer_id").input_value().isdigit()
        expect(page.locator(".employer-ac-list")).to_be_hidden()

        # Typing over a picked name: the details are the graduate's own again.
        field.fill("")
        page.keyboard.type("txjsj")
        expect(page.locator(".employer-ac-list")).to_be_visible()
        expect(items.first).to_contain_text("腾讯计算机系统有限公司")
        expect(page.locator("#id_employer_id")).to_have_value("")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(field).to_have_value("腾讯计算机系统有限公司")

        field.fill("")
        page.keyboard.type("一家目录里没有的单位")
        expect(page.locator(".employer-ac-none")).to_contain_text("未找到")
    finally:
        off_loop(purge_employers, TENCENT, *others)
