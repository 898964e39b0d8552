from django.urls import path

from agreements import print_urls, termination_views, views

app_name = "employer-agreements"
urlpatterns = [
    path("", views.employer_list, name="list"),
    path("new/", views.employer_new, name="new"),
    path("<slug:school>/<int:pk>/", views.employer_detail, name="detail"),
    path("<slug:school>/<int:pk>/edit/", views.employer_edit, name="edit"),
    path("<slug:school>/<int:pk>/send", views.employer_send, name="send"),
    path("<slug:school>/<int:pk>/withdraw", views.employer_withdraw, name="withdraw"),
    path(
        "<slug:school>/<int:pk>/terminate/",
        termination_views.employer_apply,
        name="termination-apply",
    ),
    path(
        "<slug:school>/<int:pk>/terminate/consent",
        termination_views.employer_consent,
        name="termination-consent",
    ),
    path(
        "<slug:school>/<int:pk>/terminate/withdraw",
        termination_views.employer_withdraw,
        name="termination-withdraw",
    ),
]
urlpatterns += print_urls.platform_urlpatterns
