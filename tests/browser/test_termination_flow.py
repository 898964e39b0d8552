"""Termination in a real Chromium: a graduate applies on a phone with proof images, the HR
consents on the platform site, the school approves; the graduate then sees the cooldown."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from agreements.models import Agreement, State
from tests.agreements import flows
from tests.browser.conftest import PHONE, url
from tests.browser.test_agreements_flow import login
from tests.factories import agreements as f
from tests.utils import ADMIN_PASSWORD


@pytest.fixture
def world(committed_school):
    from settings_per_school.services import update_school_settings

    cast = f.build_school(committed_school, graduates=1, prefix="2019")
    employer, other = f.make_employer("潇湘数据有限公司"), f.make_employer()
    with schema_context(committed_school.schema_name):
        update_school_settings(actor=cast.admin_actor(), changes={"allow_termination": True})
        agreement = flows.in_state(cast, employer, other, cast.graduates[0], "employer", "signed")
    yield cast, employer, agreement
    f.remove_employers([employer, other])


def test_graduate_applies_on_a_phone_hr_consents_school_approves(
    world, live_server_port, browser, tmp_path
):
    cast, employer, agreement = world
    school = cast.tenant
    graduate = cast.graduates[0]
    school_base = url(school, live_server_port, "").rstrip("/")
    platform = f"http://localhost:{live_server_port}"
    images = []
    for i in range(2):
        path = tmp_path / f"letter{i}.png"
        path.write_bytes(f.png_bytes("blue" if i else "red"))
        images.append(str(path))

    phone = browser.new_context(**PHONE, locale="zh-CN").new_page()
    login(phone, school_base, graduate.user.username, f.GRADUATE_PASSWORD)
    phone.goto(f"{school_base}/agreements/{agreement.pk}/")
    phone.locator("#apply-termination").click()
    guidance = phone.locator("#guidance")
    assert "解约流程指引" in guidance.inner_text() and "须满 30 个工作日" in guidance.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.get_by_label("解约说明").fill("已与单位协商一致，单位同意解约")
    phone.locator("#id_images").set_input_files(images)
    phone.get_by_role("button", name="提交解约申请").click()
    assert phone.locator("#state").inner_text() == "解约待对方确认"

    hr = browser.new_context(locale="zh-CN").new_page()
    login(hr, platform, employer.hr.username, f.HR_PASSWORD)
    hr.goto(f"{platform}/employer/agreements/")
    assert hr.locator(".badge.termination_requested").first.inner_text() == "解约待对方确认"
    hr.goto(f"{platform}/employer/agreements/{school.subdomain}/{agreement.pk}/")
    hr.get_by_role("button", name="同意解约", exact=True).click()
    assert hr.locator("#state").inner_text() == "解约审核中"

    admin = browser.new_context(locale="zh-CN").new_page()
    login(admin, school_base, "admin", ADMIN_PASSWORD)
    admin.goto(f"{school_base}/agreements/terminations/")
    admin.get_by_role("link", name=graduate.name).click()
    assert admin.locator("#termination .proofs img").count() == 2
    admin.get_by_role("button", name="解约审核通过", exact=True).click()
    assert admin.locator("#state").inner_text() == "已解约"

    phone.goto(f"{school_base}/agreements/{agreement.pk}/")
    assert phone.locator("#state").inner_text() == "已解约"
    assert "起可重新应约" in phone.locator("#cooldown").inner_text()
    with schema_context(school.schema_name):
        assert Agreement.objects.get(pk=agreement.pk).state == State.TERMINATED
