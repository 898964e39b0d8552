from django_tenants.utils import schema_context

from settings_per_school.models import SchoolSettings
from tests.browser.conftest import url
from tests.utils import ADMIN_PASSWORD


def test_school_admin_turns_on_student_initiated_signing_on_a_phone(
    committed_school, live_server_port, phone
):
    school = committed_school
    phone.goto(url(school, live_server_port))
    assert school.name in phone.locator("header").inner_text()

    phone.get_by_role("link", name="登录（学生 / 教师）").click()
    phone.get_by_label("账号").fill("admin")
    phone.get_by_label("密码").fill("wrong password")
    phone.get_by_role("button", name="登录").click()
    assert "账号或密码不正确" in phone.content()

    phone.get_by_label("密码").fill(ADMIN_PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.get_by_role("link", name="学校设置").click()

    checkbox = phone.get_by_label("允许学生发起签约")
    assert not checkbox.is_checked()
    checkbox.check()
    # The form fits a phone: no horizontal scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.get_by_role("button", name="保存设置").click()
    assert "设置已保存" in phone.locator(".messages").inner_text()
    assert phone.get_by_label("允许学生发起签约").is_checked()

    with schema_context(school.schema_name):
        assert SchoolSettings.objects.get().allow_student_initiation is True
