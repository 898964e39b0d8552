from django.urls import path

from students import apis

urlpatterns = [
    path("me", apis.MyRecordApi.as_view(), name="api-my-record"),
    path("me/start", apis.MyRecordStartApi.as_view(), name="api-my-record-start"),
    path("me/submit", apis.MyRecordSubmitApi.as_view(), name="api-my-record-submit"),
    path("me/withdraw", apis.MyRecordWithdrawApi.as_view(), name="api-my-record-withdraw"),
    path("graduates", apis.GraduateListApi.as_view(), name="api-graduates"),
    path("graduates/<int:pk>", apis.GraduateDetailApi.as_view(), name="api-graduate"),
    path(
        "graduates/<int:pk>/approve", apis.GraduateApproveApi.as_view(), name="api-graduate-approve"
    ),
    path("graduates/<int:pk>/reject", apis.GraduateRejectApi.as_view(), name="api-graduate-reject"),
    path(
        "graduates/<int:pk>/reset-password",
        apis.GraduateResetPasswordApi.as_view(),
        name="api-graduate-reset-password",
    ),
    path("review-queue", apis.ReviewQueueApi.as_view(), name="api-review-queue"),
    path("export.xlsx", apis.RosterExportApi.as_view(), name="api-roster-export"),
    path("imports", apis.RosterImportApi.as_view(), name="api-roster-imports"),
    path("imports/<uuid:pk>", apis.RosterImportDetailApi.as_view(), name="api-roster-import"),
    path(
        "imports/<uuid:pk>/confirm",
        apis.RosterImportConfirmApi.as_view(),
        name="api-roster-import-confirm",
    ),
    path("colleges", apis.CollegeListApi.as_view(), name="api-colleges"),
    path("colleges/<int:pk>", apis.CollegeDetailApi.as_view(), name="api-college"),
    path("staff", apis.StaffListApi.as_view(), name="api-staff"),
    path("staff/<int:pk>", apis.StaffDetailApi.as_view(), name="api-staff-member"),
]
