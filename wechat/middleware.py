from django.shortcuts import redirect
from django.utils.http import urlencode


class WechatLoginMiddleware:
    """Inside WeChat's browser, the login page becomes the official account's OAuth.

    `?password=1` keeps the 学号 + password form (the way out when WeChat is not configured
    or the graduate prefers it).
    """

    LOGIN_PATH = "/accounts/login/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "GET"
            and request.path == self.LOGIN_PATH
            and getattr(request, "school", None) is not None
            and "MicroMessenger" in request.META.get("HTTP_USER_AGENT", "")
            and "password" not in request.GET
            and not request.user.is_authenticated
        ):
            from settings_per_school.selectors import get_school_settings

            if get_school_settings().wechat_app_id:
                query = urlencode({"next": request.GET.get("next", "/")})
                return redirect(f"/wechat/login/?{query}")
        return self.get_response(request)
