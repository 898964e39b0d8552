"""Scenario 1 (employer invites) and scenario 2 (graduate initiates) in a real Chromium."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from agreements.models import Agreement, State
from tests.browser.conftest import PHONE, url
from tests.factories import agreements as f
from tests.utils import ADMIN_PASSWORD


@pytest.fixture
def world(committed_school):
    cast = f.build_school(committed_school, graduates=2, prefix="2020")
    employer = f.make_employer("湘江智能科技有限公司")
    yield cast, employer
    f.remove_employers([employer])


def login(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def fill_sections(page, content: dict) -> None:
    for name, value in content.items():
        field = page.locator(f"#id_{name}")
        if field.count() == 0:
            continue
        if isinstance(value, bool):
            field.set_checked(value)
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))


def test_scenario_1_employer_invites_graduate_accepts_two_reviews(world, live_server_port, browser):
    cast, employer = world
    school = cast.tenant
    graduate = cast.graduates[0]
    platform = f"http://localhost:{live_server_port}"
    school_base = url(school, live_server_port, "").rstrip("/")

    # HR on the platform host (desktop)
    hr = browser.new_context(locale="zh-CN").new_page()
    login(hr, platform, employer.hr.username, f.HR_PASSWORD)
    hr.goto(f"{platform}/employer/agreements/new/?school={school.subdomain}")
    hr.get_by_label("毕业生学号").fill(graduate.student_number)
    hr.get_by_label("毕业生姓名").fill("不是这个人")
    fill_sections(
        hr, {k: v for k, v in f.offer().items() if k not in ("employer_name", "credit_code")}
    )
    hr.get_by_role("button", name="发送邀约").click()
    assert "请核对学号与姓名" in hr.content()
    hr.get_by_label("毕业生姓名").fill(graduate.name)
    hr.get_by_role("button", name="发送邀约").click()
    assert "邀约已发出" in hr.locator(".messages").inner_text()
    assert hr.locator("#state").inner_text() == "待应约"

    # The graduate on a phone
    phone_ctx = browser.new_context(**PHONE, locale="zh-CN")
    phone = phone_ctx.new_page()
    login(phone, school_base, graduate.user.username, f.GRADUATE_PASSWORD)
    phone.goto(school_base + "/")
    phone.get_by_role("link", name="三方协议").click()
    phone.get_by_text(employer.org.name).first.click()
    assert "档案与户口" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.get_by_label("请输入登录密码确认应约").fill("wrong-password")
    phone.get_by_role("button", name="确认应约").click()
    assert "密码不正确" in phone.locator(".messages").inner_text()
    phone.get_by_label("请输入登录密码确认应约").fill(f.GRADUATE_PASSWORD)
    phone.get_by_role("button", name="确认应约").click()
    assert phone.locator("#state").inner_text() == "院系审核中"
    phone.screenshot(path=str(_shots() / "scenario1-graduate-accepted.png"), full_page=True)

    # College admin, then school admin
    for username, password, after in (
        (cast.college_admins[0].username, f.STAFF_PASSWORD, "学校审核中"),
        ("admin", ADMIN_PASSWORD, "签约成功"),
    ):
        staff = browser.new_context(locale="zh-CN").new_page()
        login(staff, school_base, username, password)
        staff.goto(school_base + "/agreements/review/")
        staff.get_by_text(graduate.name).first.click()
        detail_url = staff.url
        staff.get_by_role("button", name="审核通过").click()
        assert "审核结果已保存" in staff.locator(".messages").inner_text()
        staff.goto(detail_url)  # the decision moved on to the (now empty) queue
        assert staff.locator("#state").inner_text() == after
        staff.context.close()

    hr.goto(f"{platform}/employer/agreements/")
    assert "签约成功" in hr.content()
    hr.context.close()
    phone.reload()
    assert phone.locator("#state").inner_text() == "签约成功"
    phone_ctx.close()
    with schema_context(school.schema_name):
        assert Agreement.objects.get(graduate=graduate).state == State.SIGNED


def _shots():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / ".data" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_scenario_2_graduate_initiates_with_proof_images(
    world, live_server_port, browser, tmp_path
):
    from settings_per_school.services import update_school_settings

    cast, employer = world
    school = cast.tenant
    graduate = cast.graduates[1]
    with schema_context(school.schema_name):
        update_school_settings(actor=cast.admin_actor(), changes={"allow_student_initiation": True})
    school_base = url(school, live_server_port, "").rstrip("/")
    proofs = []
    for i, color in enumerate(("red", "blue")):
        path = tmp_path / f"offer-{i}.png"
        path.write_bytes(f.png_bytes(color, (400, 300)))
        proofs.append(path)

    phone_ctx = browser.new_context(**PHONE, locale="zh-CN")
    phone = phone_ctx.new_page()
    login(phone, school_base, graduate.user.username, f.GRADUATE_PASSWORD)
    phone.goto(school_base + "/agreements/")
    phone.get_by_role("link", name="学生发起签约").click()
    # The 云 autocomplete fills the employer section from the directory
    phone.locator("#id_employer_name").fill("湘江智能")
    phone.locator(".employer-ac-item").first.click()
    assert phone.locator("#id_employer_name").input_value() == employer.org.name
    assert phone.locator("#id_credit_code").input_value() == employer.org.credit_code
    fill_sections(
        phone,
        {
            k: v
            for k, v in f.offer(position="测试工程师").items()
            if k not in ("employer_name", "credit_code", "nature", "industry")
        },
    )
    phone.get_by_role("button", name="保存").click()
    assert "已保存草稿" in phone.locator(".messages").inner_text()
    phone.get_by_role("button", name="提交审核").click()
    assert "1 至 9 张" in phone.locator(".messages").inner_text()
    # Both images picked at once, one request.
    phone.locator("input[type=file]").set_input_files([str(p) for p in proofs])
    phone.get_by_role("button", name="上传图片").click()
    assert "已上传 2 张图片" in phone.locator(".messages").inner_text()
    assert phone.locator(".proofs img").count() == 2
    # the proof images are served back to their owner (and load as images)
    phone.wait_for_function(
        "Array.from(document.querySelectorAll('.proofs img'))"
        ".every(i => i.complete && i.naturalWidth === 400)"
    )
    phone.get_by_role("button", name="提交审核").click()
    assert phone.locator("#state").inner_text() == "已提交待院系审核"
    phone.screenshot(path=str(_shots() / "scenario2-submitted.png"), full_page=True)

    college = browser.new_context(locale="zh-CN").new_page()
    login(college, school_base, cast.college_admins[0].username, f.STAFF_PASSWORD)
    college.goto(school_base + "/agreements/review/")
    college.get_by_text(graduate.name).first.click()
    assert college.locator(".proofs img").count() == 2
    detail_url = college.url
    college.get_by_role("button", name="退回修改").click()
    assert "请填写原因" in college.locator(".messages").inner_text()
    college.get_by_role("button", name="审核通过").click()
    assert "审核结果已保存" in college.locator(".messages").inner_text()
    college.goto(detail_url)
    assert college.locator("#state").inner_text() == "学校审核中"
    college.context.close()
    phone_ctx.close()
    with schema_context(school.schema_name):
        agreement = Agreement.objects.get(graduate=graduate)
        assert agreement.employer_id == employer.org.pk
        assert agreement.proofs.filter(removed=False).count() == 2
