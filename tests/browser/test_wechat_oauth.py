from django_tenants.utils import schema_context

from tests.browser.conftest import PHONE, url
from tests.wechat.helpers import GRADUATE_PASSWORD, configure_wechat, make_graduate
from wechat.models import WechatBinding

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) NetType/WIFI"
)


def test_graduate_in_wechat_binds_once_then_comes_straight_in(
    committed_school, live_server_port, browser, fake_wechat
):
    school = committed_school
    configure_wechat(school, fake_wechat, templates={})
    make_graduate(school, "2022009001", "林晓")

    context = browser.new_context(**PHONE, user_agent=WECHAT_UA, locale="zh-CN")
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        # The login page inside WeChat goes through the official account's OAuth (the fake).
        phone.goto(url(school, live_server_port, "/accounts/login/"))
        assert "模拟微信授权" in phone.content()
        phone.get_by_label("微信用户").fill("linxiao")
        phone.get_by_role("button", name="以该微信用户进入").click()

        assert "绑定微信" in phone.locator("h1").inner_text()
        phone.get_by_label("学号").fill("2022009001")
        phone.get_by_label("密码").fill(GRADUATE_PASSWORD)
        phone.get_by_role("button", name="登录并绑定").click()
        assert "微信绑定成功" in phone.locator(".messages").inner_text()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        phone.get_by_role("link", name="站内信").click()
        phone.get_by_role("link", name="微信绑定成功").click()
        assert "自动登录" in phone.content()

        with schema_context(school.schema_name):
            assert WechatBinding.objects.filter(user__username="2022009001").exists()

        # Another day: cookies gone, the same WeChat user is logged in without a password.
        context.clear_cookies()
        phone.goto(url(school, live_server_port, "/accounts/login/"))
        phone.get_by_label("微信用户").fill("linxiao")
        phone.get_by_role("button", name="以该微信用户进入").click()
        assert "林晓" in phone.locator(".card").first.inner_text()
    finally:
        context.close()
