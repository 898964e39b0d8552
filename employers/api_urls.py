"""API routes: `common` on every host, `platform` on the platform host only."""

from django.urls import path

from employers import apis

common = [
    path("employers/search", apis.EmployerSearchApi.as_view(), name="api-employer-search"),
]

platform = [
    path("employers/register", apis.RegisterApi.as_view(), name="api-employer-register"),
    path("employers/mine", apis.MyEmployerApi.as_view(), name="api-employer-mine"),
    path("employers/mine/members", apis.MyMembersApi.as_view(), name="api-employer-members"),
    path(
        "employers/mine/agreements", apis.MyAgreementsApi.as_view(), name="api-employer-agreements"
    ),
    path(
        "employers/<int:employer_id>/licence",
        apis.LicenceApi.as_view(),
        name="api-employer-licence",
    ),
    path(
        "operator/employers", apis.OperatorEmployerListApi.as_view(), name="api-operator-employers"
    ),
    path(
        "operator/employers/merge",
        apis.OperatorMergeApi.as_view(),
        name="api-operator-employer-merge",
    ),
    path(
        "operator/employers/<int:employer_id>",
        apis.OperatorEmployerDetailApi.as_view(),
        name="api-operator-employer",
    ),
    path(
        "operator/employers/<int:employer_id>/verify",
        apis.OperatorVerifyApi.as_view(),
        name="api-operator-employer-verify",
    ),
    path(
        "operator/employers/<int:employer_id>/reject",
        apis.OperatorRejectApi.as_view(),
        name="api-operator-employer-reject",
    ),
]
