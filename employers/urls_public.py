"""Employer pages on the platform site."""

from django.urls import path

from employers import views

app_name = "employers"
urlpatterns = [
    path("employers/register/", views.register, name="register"),
    path("employers/", views.mine, name="mine"),
    path("employers/edit/", views.edit_mine, name="edit"),
    path("employers/<int:employer_id>/licence", views.licence, name="licence"),
    path("operator/employers/", views.operator_list, name="operator-list"),
    path("operator/employers/<int:employer_id>/", views.operator_detail, name="operator-detail"),
    path(
        "operator/employers/<int:employer_id>/verify",
        views.operator_verify,
        name="operator-verify",
    ),
    path(
        "operator/employers/<int:employer_id>/reject",
        views.operator_reject,
        name="operator-reject",
    ),
    path("operator/employers/<int:employer_id>/merge", views.operator_merge, name="operator-merge"),
]
