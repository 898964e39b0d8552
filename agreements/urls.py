from django.urls import path

from agreements import print_urls, termination_views, views

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
    path("<int:pk>/delete", views.delete_draft, name="delete"),
    path("<int:pk>/review", views.review, name="review"),
    path("<int:pk>/proofs/", views.proof_upload, name="proof-upload"),
    path("<int:pk>/proofs/<int:proof_id>", views.proof_image, name="proof"),
    path("<int:pk>/proofs/<int:proof_id>/remove", views.proof_remove, name="proof-remove"),
    # termination (解约)
    path("terminations/", termination_views.queue, name="termination-queue"),
    path("<int:pk>/terminate/", termination_views.apply, name="termination-apply"),
    path("<int:pk>/terminate/consent", termination_views.consent, name="termination-consent"),
    path("<int:pk>/terminate/withdraw", termination_views.withdraw, name="termination-withdraw"),
    path("<int:pk>/terminate/review", termination_views.review, name="termination-review"),
    path(
        "<int:pk>/terminate/proofs/<int:proof_id>",
        termination_views.proof,
        name="termination-proof",
    ),
]
urlpatterns += print_urls.urlpatterns
