"""A graduate prints the signed agreement from a phone: 三方协议 → 我的协议书 → 打印/下载."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from agreements.models import Agreement
from tests.agreements import flows
from tests.browser.conftest import PHONE, url
from tests.browser.test_agreements_flow import login
from tests.factories import agreements as f


@pytest.fixture
def signed(committed_school):
    cast = f.build_school(committed_school, graduates=1, prefix="2017")
    employer = f.make_employer("麓山印刷科技有限公司")
    with schema_context(committed_school.schema_name):
        graduate = cast.graduates[0]
        a = flows.invite(cast, employer, graduate)
        flows.accept(a, graduate)
        flows.review(cast, a, level="college")
        flows.review(cast, a, level="school")
        agreement = Agreement.objects.get(pk=a.pk)
    yield cast, graduate, agreement
    f.remove_employers([employer])


def test_graduate_prints_from_a_phone(signed, live_server_port, browser):
    cast, graduate, agreement = signed
    base = url(cast.tenant, live_server_port, "").rstrip("/")
    context = browser.new_context(**PHONE, locale="zh-CN", accept_downloads=True)
    phone = context.new_page()
    phone.set_default_timeout(60_000)  # the first render may build the print font
    login(phone, base, graduate.user.username, f.GRADUATE_PASSWORD)
    phone.goto(base + "/")
    phone.get_by_role("link", name="三方协议").click()
    phone.get_by_role("link", name="我的协议书").click()
    assert "学校要求打印一式 4 份" in phone.locator("#copies-line").inner_text()
    number = phone.locator(".agreement-number").first.inner_text()
    assert number.replace(" ", "") == agreement.number
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with phone.expect_download() as info:
        phone.get_by_role("link", name="打印/下载").click()
    download = info.value
    assert download.suggested_filename == f"agreement-{agreement.number}.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    context.close()
