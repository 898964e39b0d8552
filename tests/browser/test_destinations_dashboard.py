"""The statistics dashboard's charts in a real Chromium, on a desktop and on a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, url
from tests.destinations import season as known_season
from tests.factories import agreements as f
from tests.utils import ADMIN_PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(autouse=True)
def _close_connections_after():
    yield
    from django.db import connections

    connections.close_all()


@pytest.fixture
def season(committed_school):
    employer = f.make_employer("湘江智能科技有限公司")
    try:
        yield known_season.build(committed_school, employer)
    finally:
        f.remove_employers([employer])


def _login(page, school, port):
    page.goto(url(school, port, "/accounts/login/"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("main button[type=submit]")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_dashboard_charts(season, live_server_port, browser, device, tmp_path):
    options = DESKTOP if device == "desktop" else PHONE
    context = browser.new_context(**options, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _login(page, season.tenant, live_server_port)
        page.goto(url(season.tenant, live_server_port, "/destinations/dashboard/"))
        width = options["viewport"]["width"]
        assert page.locator("#total-rate").inner_text() == "25.0%"
        charts = page.locator("svg.chart")
        assert charts.count() == 4
        for i in range(4):
            chart = charts.nth(i)
            chart.scroll_into_view_if_needed()
            assert chart.is_visible()
            box = chart.bounding_box()
            # Scaled to the card: wide enough to read, never wider than the screen.
            assert 0.6 * min(width, 720) < box["width"] <= width
        bars = page.locator("#chart-rates rect.bar")
        assert bars.count() == 4  # every college, the empty one included
        widths = {
            bars.nth(i).get_attribute("data-label"): (bars.nth(i).bounding_box() or {"width": 0})[
                "width"
            ]
            for i in range(4)
        }
        rates = {
            bars.nth(i).get_attribute("data-label"): float(
                bars.nth(i).get_attribute("data-rate") or 0
            )
            for i in range(4)
        }
        assert rates == pytest.approx(
            {"计算机学院": 6 / 16, "外国语学院": 3 / 14, "艺术学院": 1 / 10, "体育学院": 0},
            abs=1e-3,
        )
        # the longest bar is the best rate (计算机学院, 37.5 %)
        assert max(widths, key=widths.get) == "计算机学院"
        assert widths["体育学院"] == 0
        assert page.locator("#chart-curve path.line").get_attribute("data-points") == "1"
        codes = page.locator("#chart-codes rect.bar")
        assert codes.count() == 19  # 18 codes of the table and 未登记
        assert "801 研究生" in page.locator("#chart-codes").inner_text()
        # The page itself never scrolls sideways (the wide table scrolls in its own box).
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(tmp_path / f"dashboard-{device}.png"), full_page=True)
    finally:
        context.close()


def test_a_graduate_registers_801_on_a_phone(committed_school, live_server_port, phone, tmp_path):
    import datetime

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from destinations import services
    from destinations.models import Destination

    cast = f.build_school(committed_school, graduates=1, prefix="2024")
    graduate = cast.graduates[0]
    with schema_context(committed_school.schema_name):
        services.set_deadline(
            actor=cast.admin_actor(), deadline=timezone.localdate() + datetime.timedelta(days=30)
        )
    letter = tmp_path / "录取通知书.png"
    letter.write_bytes(f.png_bytes())
    phone.goto(url(committed_school, live_server_port, "/accounts/login/"))
    phone.fill("#id_username", graduate.student_number)
    phone.fill("#id_password", f.GRADUATE_PASSWORD)
    phone.click("main button[type=submit]")
    phone.goto(url(committed_school, live_server_port, "/destinations/"))
    assert "尚未登记毕业去向" in phone.content()
    phone.select_option("#id_code", "801")
    # Only what 801 asks for: the school's name and the admission letter.
    assert phone.locator('[data-field="credit_code"]').is_hidden()
    assert phone.locator('[data-field="nature"]').is_hidden()
    assert phone.locator('label[for="id_employer_name"]').inner_text().startswith("录取院校名称")
    assert "录取通知书" in phone.locator("#proof-kind").inner_text()
    phone.select_option("#id_code", "75")
    assert phone.locator('[data-field="credit_code"]').is_visible()
    assert "营业执照" in phone.locator("#proof-kind").inner_text()
    phone.select_option("#id_code", "801")
    phone.fill("#id_employer_name", "湖南大学")
    phone.set_input_files("#id_proof", str(letter))
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.click("#destination-form button[type=submit]")
    phone.wait_for_selector("text=已提交毕业去向登记")
    assert "待院系审核" in phone.content() and "湖南大学" in phone.content()
    with schema_context(committed_school.schema_name):
        record = Destination.objects.get(graduate=graduate)
        assert record.code == "801" and record.proofs.count() == 1
