from django.urls import path

from wechat import views

app_name = "wechat"
urlpatterns = [
    path("", views.my_wechat, name="mine"),
    path("login/", views.oauth_start, name="login"),
    path("callback/", views.oauth_callback, name="callback"),
    path("bind/", views.bind, name="bind"),
    path("unbind/", views.unbind_self, name="unbind"),
    path("bindings/", views.admin_bindings, name="bindings"),
    path("bindings/<int:user_id>/unbind/", views.admin_unbind, name="admin-unbind"),
    path("check-credentials/", views.check_credentials, name="check-credentials"),
]
