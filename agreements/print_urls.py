"""School-host routes of the printed agreement, included in the `agreements` namespace."""

from django.urls import path

from agreements import print_views as views

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("print/", views.print_room, name="print-room"),
    path("print/college/<int:college_id>.zip", views.college_zip, name="print-college-zip"),
    path("print/register.xlsx", views.register_export, name="print-register"),
    path("<int:pk>/print.pdf", views.pdf, name="pdf"),
    path("<int:pk>/paper/scan", views.scan, name="paper-scan"),
    path("<int:pk>/paper/scan/upload", views.scan_upload, name="paper-scan-upload"),
    path("<int:pk>/paper/receive", views.receive, name="paper-receive"),
    path("<int:pk>/paper/reject", views.reject, name="paper-reject"),
]

platform_urlpatterns = [
    path("<slug:school>/<int:pk>/print.pdf", views.employer_pdf, name="pdf"),
    path(
        "<slug:school>/<int:pk>/paper/scan/upload",
        views.employer_scan_upload,
        name="paper-scan-upload",
    ),
]
