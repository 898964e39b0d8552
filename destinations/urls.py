from django.urls import path

from destinations import views

app_name = "destinations"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("review/", views.review_queue, name="review"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/proofs/<int:proof_id>", views.proof, name="proof"),
    path("graduates/", views.find_graduate, name="find"),
    path("graduates/<int:graduate_id>/", views.record_for_graduate, name="record"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_export, name="dashboard-export"),
    path("export/", views.national_export, name="export"),
    path("deadline/", views.deadline, name="deadline"),
]
