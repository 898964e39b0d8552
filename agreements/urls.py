from django.urls import path

from agreements import print_urls, views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("review/", views.review_queue, name="review-queue"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_export, name="dashboard-export"),
    path("new/", views.own_new, name="own-new"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/edit/", views.own_edit, name="own-edit"),
    path("<int:pk>/accept", views.accept, name="accept"),
    path("<int:pk>/return", views.return_, name="return"),
    path("<int:pk>/submit", views.submit, name="submit"),
    path("<int:pk>/review", views.review, name="review"),
    path("<int:pk>/proofs/", views.proof_upload, name="proof-upload"),
    path("<int:pk>/proofs/<int:proof_id>", views.proof_image, name="proof"),
    path("<int:pk>/proofs/<int:proof_id>/remove", views.proof_remove, name="proof-remove"),
]
urlpatterns += print_urls.urlpatterns
