from django.urls import path

from agreements import print_urls, views

app_name = "employer-agreements"
urlpatterns = [
    path("", views.employer_list, name="list"),
    path("new/", views.employer_new, name="new"),
    path("<slug:school>/<int:pk>/", views.employer_detail, name="detail"),
    path("<slug:school>/<int:pk>/edit/", views.employer_edit, name="edit"),
    path("<slug:school>/<int:pk>/send", views.employer_send, name="send"),
    path("<slug:school>/<int:pk>/withdraw", views.employer_withdraw, name="withdraw"),
]
urlpatterns += print_urls.platform_urlpatterns
