from django.urls import path

from agreements import verify_views

app_name = "verify"
urlpatterns = [
    path("", verify_views.verify_form, name="form"),
    path("<str:token>", verify_views.verify_token, name="token"),
]
