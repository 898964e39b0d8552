"""API routes: `tenant_patterns` on each school's host, `public_patterns` on the platform."""

from django.urls import path

from agreements import apis
from employer_inbox.apis import EmployerNoticesApi

tenant_patterns = [
    path("agreements", apis.AgreementListApi.as_view(), name="api-agreements"),
    path("agreements/review-queue", apis.ReviewQueueApi.as_view(), name="api-agreements-queue"),
    path("agreements/dashboard", apis.DashboardApi.as_view(), name="api-agreements-dashboard"),
    path(
        "agreements/dashboard.xlsx",
        apis.DashboardExportApi.as_view(),
        name="api-agreements-dashboard-xlsx",
    ),
    path("agreements/<int:pk>", apis.AgreementDetailApi.as_view(), name="api-agreement"),
    path("agreements/<int:pk>/accept", apis.AcceptApi.as_view(), name="api-agreement-accept"),
    path("agreements/<int:pk>/return", apis.ReturnApi.as_view(), name="api-agreement-return"),
    path("agreements/<int:pk>/submit", apis.SubmitApi.as_view(), name="api-agreement-submit"),
    path("agreements/<int:pk>/review", apis.ReviewApi.as_view(), name="api-agreement-review"),
    path("agreements/<int:pk>/proofs", apis.ProofApi.as_view(), name="api-agreement-proofs"),
    path(
        "agreements/<int:pk>/proofs/<int:proof_id>",
        apis.ProofDeleteApi.as_view(),
        name="api-agreement-proof",
    ),
]
public_patterns = [
    path("employer/notices", EmployerNoticesApi.as_view(), name="api-employer-notices"),
    path(
        "employer/invitations",
        apis.EmployerInvitationsApi.as_view(),
        name="api-employer-invitations",
    ),
    path("employer/prefill", apis.EmployerPrefillApi.as_view(), name="api-employer-prefill"),
    path(
        "employer/schools/<slug:school>/agreements/<int:pk>",
        apis.EmployerAgreementApi.as_view(),
        name="api-employer-agreement",
    ),
    path(
        "employer/schools/<slug:school>/agreements/<int:pk>/send",
        apis.EmployerSendApi.as_view(),
        name="api-employer-agreement-send",
    ),
    path(
        "employer/schools/<slug:school>/agreements/<int:pk>/withdraw",
        apis.EmployerWithdrawApi.as_view(),
        name="api-employer-agreement-withdraw",
    ),
]

# The printed agreement (agreements/print_apis.py).
from agreements import print_apis  # noqa: E402

tenant_patterns += print_apis.tenant_patterns
public_patterns += print_apis.public_patterns
