from django.urls import include, path

from agreements.api_urls import tenant_patterns as agreement_patterns
from api.urls_common import common_patterns
from employers import api_urls as employer_api
from notifications import apis as notification_apis
from settings_per_school.apis import PublicFlagsApi, SchoolSettingsApi
from wechat import apis as wechat_apis

urlpatterns = common_patterns("saas_platform.urls_tenant") + [
    path("school/settings", SchoolSettingsApi.as_view(), name="api-school-settings"),
    path("school/public-settings", PublicFlagsApi.as_view(), name="api-school-public-settings"),
    path("students/", include("students.api_urls")),
    path("destinations/", include("destinations.api_urls")),
    *employer_api.common,
    path("messages", notification_apis.MessageListApi.as_view(), name="api-messages"),
    path(
        "messages/unread-count",
        notification_apis.UnreadCountApi.as_view(),
        name="api-messages-unread",
    ),
    path("messages/read-all", notification_apis.MarkAllReadApi.as_view()),
    path("messages/<int:pk>/read", notification_apis.MarkReadApi.as_view()),
    path("notifications/deliveries", notification_apis.DeliveryListApi.as_view()),
    path("notifications/deliveries/<int:pk>/retry", notification_apis.DeliveryRetryApi.as_view()),
    path("wechat/binding", wechat_apis.MyBindingApi.as_view(), name="api-wechat-binding"),
    path("wechat/bindings/<int:user_id>/unbind", wechat_apis.AdminUnbindApi.as_view()),
    path("wechat/check-credentials", wechat_apis.CheckCredentialsApi.as_view()),
]
urlpatterns += agreement_patterns
