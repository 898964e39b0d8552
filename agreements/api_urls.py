"""API routes: `tenant_patterns` on each school's host, `public_patterns` on the platform."""

from django.urls import path

from agreements import apis
from agreements import termination_apis as tapis
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
    path(
        "agreements/termination-queue",
        tapis.TerminationQueueApi.as_view(),
        name="api-termination-queue",
    ),
    path("agreements/<int:pk>/termination", tapis.TerminationApi.as_view(), name="api-termination"),
    path(
        "agreements/<int:pk>/termination/consent",
        tapis.TerminationConsentApi.as_view(),
        name="api-termination-consent",
    ),
    path(
        "agreements/<int:pk>/termination/withdraw",
        tapis.TerminationWithdrawApi.as_view(),
        name="api-termination-withdraw",
    ),
    path(
        "agreements/<int:pk>/termination/review",
        tapis.TerminationReviewApi.as_view(),
        name="api-termination-review",
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
    path(
        "employer/schools/<slug:school>/agreements/<int:pk>/termination",
        tapis.EmployerTerminationApi.as_view(),
        name="api-employer-termination",
    ),
    path(
        "employer/schools/<slug:school>/agreements/<int:pk>/termination/consent",
        tapis.EmployerTerminationConsentApi.as_view(),
        name="api-employer-termination-consent",
    ),
    path(
        "employer/schools/<slug:school>/agreements/<int:pk>/termination/withdraw",
        tapis.EmployerTerminationWithdrawApi.as_view(),
        name="api-employer-termination-withdraw",
    ),
]

# The printed agreement (agreements/print_apis.py).
from agreements import print_apis  # noqa: E402

tenant_patterns += print_apis.tenant_patterns
public_patterns += print_apis.public_patterns
