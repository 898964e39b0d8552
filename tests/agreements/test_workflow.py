"""The state machine, exhaustively: every state × action × party is either the documented
transition or a clear refusal that changes nothing. Termination actions included.

The cast (school, colleges, admins, graduates, two employers) is built once per module in a
transaction rolled back at the end; each case runs in its own savepoint inside it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404

from agreements import notices, services, termination, workflow
from agreements.models import Agreement, AgreementVersion, Origin, State, Termination
from core.models import AuditLog
from employer_inbox.models import Notice
from notifications.models import Message
from tests.agreements import flows
from tests.factories import agreements as f

E, G = Origin.EMPLOYER.value, Origin.GRADUATE.value

# The documented transitions (PRODUCT.md "States"); anything else must be refused.
EXPECTED: dict[tuple[str, str, str, str], str] = {
    (E, "draft", "edit", "employer"): "draft",
    (E, "draft", "send", "employer"): "invited",
    (E, "draft", "withdraw", "employer"): "withdrawn",
    (E, "invited", "withdraw", "employer"): "withdrawn",
    (E, "invited", "accept", "graduate"): "college_review",
    (E, "invited", "return", "graduate"): "returned",
    (E, "returned", "edit", "employer"): "returned",
    (E, "returned", "send", "employer"): "invited",
    (E, "returned", "withdraw", "employer"): "withdrawn",
    (E, "college_review", "approve", "college"): "school_review",
    (E, "college_review", "reject", "college"): "returned",
    (E, "school_review", "approve", "school"): "signed",
    (E, "school_review", "reject", "school"): "returned",
    (G, "draft", "edit", "graduate"): "draft",
    (G, "draft", "submit", "graduate"): "submitted",
    (G, "submitted", "approve", "college"): "school_review",
    (G, "submitted", "reject", "college"): "draft",
    (G, "school_review", "approve", "school"): "signed",
    (G, "school_review", "reject", "school"): "draft",
    # termination (the module's school: open, graduate or employer may start, employer
    # consent required, school-only review)
    (E, "signed", "apply_termination", "graduate"): "termination_requested",
    (E, "signed", "apply_termination", "employer"): "termination_requested",
    (E, "termination_requested", "consent_termination", "employer"): "termination_review",
    (E, "termination_requested", "refuse_termination", "employer"): "signed",
    (E, "termination_requested", "withdraw_termination", "graduate"): "signed",
    (E, "termination_review", "withdraw_termination", "graduate"): "signed",
    (E, "termination_review", "approve_termination", "school"): "terminated",
    (E, "termination_review", "reject_termination", "school"): "signed",
    # a typed-in employer is not on the platform: its letter is the consent
    (G, "signed", "apply_termination", "graduate"): "termination_review",
    (G, "termination_review", "withdraw_termination", "graduate"): "signed",
    (G, "termination_review", "approve_termination", "school"): "terminated",
    (G, "termination_review", "reject_termination", "school"): "signed",
}

STATES = {
    E: [
        "draft",
        "invited",
        "returned",
        "expired",
        "withdrawn",
        "college_review",
        "school_review",
        "signed",
        "closed",
        "termination_requested",
        "termination_review",
        "terminated",
    ],
    G: [
        "draft",
        "submitted",
        "school_review",
        "signed",
        "closed",
        "termination_review",
        "terminated",
    ],
}
ACTIONS = [
    "edit",
    "send",
    "withdraw",
    "accept",
    "return",
    "submit",
    "approve",
    "reject",
    "apply_termination",
    "consent_termination",
    "refuse_termination",
    "withdraw_termination",
    "approve_termination",
    "reject_termination",
]
PARTIES = [
    "employer",
    "other_employer",
    "graduate",
    "other_graduate",
    "college",
    "other_college",
    "school",
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """School alpha's cast and two employers, once for the module (rolled back after it)."""
    from settings_per_school.services import update_school_settings
    from tenants.models import School

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            school = School.objects.get(subdomain="alpha")
            cast = f.build_school(school, graduates=3)
            employer, other_employer = f.make_employer(), f.make_employer()
            with f.in_school(school):
                update_school_settings(
                    actor=cast.admin_actor(),
                    changes={
                        "allow_student_initiation": True,
                        "allow_termination": True,
                        "termination_starter": "graduate_or_employer",
                    },
                )
            connection.set_schema_to_public()
            yield cast, employer, other_employer
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connection.set_schema_to_public()


@pytest.fixture
def cast(world, db):
    return world[0]


@pytest.fixture
def employer(world):
    return world[1]


@pytest.fixture
def other_employer(world):
    return world[2]


def _actors(cast, employer, other_employer):
    graduate, other = cast.graduates[0], cast.graduates[1]
    return {
        "employer": (employer.actor, f.HR_PASSWORD),
        "other_employer": (other_employer.actor, f.HR_PASSWORD),
        "graduate": (f.web(graduate.user), f.GRADUATE_PASSWORD),
        "other_graduate": (f.web(other.user), f.GRADUATE_PASSWORD),
        "college": (f.web(cast.college_admins[0]), f.STAFF_PASSWORD),
        "other_college": (f.web(cast.college_admins[1]), f.STAFF_PASSWORD),
        "school": (cast.admin_actor(), f.ADMIN_PASSWORD),
    }


def _call(action: str, actor, password: str, school, a: Agreement) -> None:
    version = a.current_version.number if a.current_version_id else 1
    content = f.offer(
        position="数据工程师", employer_name="自填单位有限公司", credit_code=f.credit_code("1234")
    )
    if action == "edit":
        services.edit_agreement(actor=actor, agreement_id=a.pk, content=content, school=school)
    elif action == "send":
        services.send_invitation(actor=actor, school=school, agreement_id=a.pk)
    elif action == "withdraw":
        services.withdraw_invitation(actor=actor, school=school, agreement_id=a.pk)
    elif action == "accept":
        services.accept_invitation(
            actor=actor, agreement_id=a.pk, version=version, password=password
        )
    elif action == "return":
        services.return_invitation(actor=actor, agreement_id=a.pk, reason="单位信息有误")
    elif action == "submit":
        services.submit_own_agreement(actor=actor, agreement_id=a.pk)
    elif action == "approve":
        services.review_agreement(actor=actor, agreement_id=a.pk, approve=True)
    elif action == "reject":
        services.review_agreement(actor=actor, agreement_id=a.pk, approve=False, reason="材料不全")
    elif action == "apply_termination":
        termination.apply_termination(
            actor=actor,
            agreement_id=a.pk,
            explanation="协商一致解约",
            images=[f.png_upload("letter.png")],
            school=school,
        )
    elif action in ("consent_termination", "refuse_termination"):
        consent = action == "consent_termination"
        termination.decide_consent(
            actor=actor,
            agreement_id=a.pk,
            consent=consent,
            reason="" if consent else "不同意",
            school=school,
        )
    elif action == "withdraw_termination":
        termination.withdraw_termination(actor=actor, agreement_id=a.pk, school=school)
    elif action in ("approve_termination", "reject_termination"):
        approve = action == "approve_termination"
        termination.review_termination(
            actor=actor, agreement_id=a.pk, approve=approve, reason="" if approve else "材料不全"
        )
    else:
        raise AssertionError(action)


def _snapshot(a: Agreement) -> tuple:
    a = Agreement.objects.get(pk=a.pk)
    return (
        a.state,
        a.updated_at,
        a.draft_content,
        a.current_version_id,
        a.accepted_version_id,
        a.last_reason,
        AgreementVersion.objects.filter(agreement=a).count(),
        AuditLog.objects.filter(target_type="agreements.agreement", target_id=str(a.pk)).count(),
        Message.objects.count(),
        Notice.objects.count(),
        list(Termination.objects.filter(agreement=a).values_list("state", "updated_at")),
    )


@pytest.mark.parametrize(
    "origin,state", [(o, s) for o in (E, G) for s in STATES[o]], ids=lambda v: str(v)
)
def test_every_action_by_every_party(cast, employer, other_employer, origin, state):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.in_state(cast, employer, other_employer, graduate, origin, state)
        assert a.state == state
        actors = _actors(cast, employer, other_employer)
        outcomes = []
        for action in ACTIONS:
            for party in PARTIES:
                actor, password = actors[party]
                expected = EXPECTED.get((origin, state, action, party))
                before = _snapshot(a)
                sid = transaction.savepoint()
                try:
                    _call(action, actor, password, cast.tenant, a)
                except (PermissionDenied, ValidationError, Http404) as exc:
                    assert expected is None, f"{action} by {party} refused: {exc}"
                    assert str(exc), "a refusal says why"
                    assert _snapshot(a) == before, f"{action} by {party} changed something"
                    outcomes.append((action, party, "refused"))
                else:
                    after = Agreement.objects.get(pk=a.pk)
                    assert expected is not None, f"{action} by {party} was allowed in {state}"
                    assert after.state == expected, (action, party, after.state)
                    audits = AuditLog.objects.filter(
                        target_type="agreements.agreement", target_id=str(a.pk)
                    )
                    assert audits.count() > before[7], "every transition is audited"
                    outcomes.append((action, party, after.state))
                transaction.savepoint_rollback(sid)
        allowed = [o for o in outcomes if o[2] != "refused"]
        documented = [k for k in EXPECTED if k[0] == origin and k[1] == state]
        assert len(allowed) == len(documented)


def test_outsiders_get_not_found_not_a_hint(cast, employer, other_employer):
    """An agreement that is not yours does not exist, as far as you can tell."""
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        with pytest.raises(Http404):
            services.withdraw_invitation(
                actor=other_employer.actor, school=cast.tenant, agreement_id=a.pk
            )
        with pytest.raises(Http404):
            services.return_invitation(
                actor=f.web(cast.graduates[1].user), agreement_id=a.pk, reason="x"
            )


def test_reasons_are_mandatory(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        with pytest.raises(ValidationError) as exc:
            services.return_invitation(actor=f.web(graduate.user), agreement_id=a.pk, reason="  ")
        assert "reason" in exc.value.message_dict
        flows.accept(a, graduate)
        with pytest.raises(ValidationError):
            services.review_agreement(
                actor=f.web(cast.college_admins[0]), agreement_id=a.pk, approve=False, reason=""
            )
        a.refresh_from_db()
        assert a.state == State.COLLEGE_REVIEW


def test_every_rule_names_a_notice_that_exists_and_audits_as_an_enum():
    notices.check_rules_name_notices(workflow.RULES)
    for rule in workflow.RULES:
        assert notices.AuditAction.of(rule.action).label == str(workflow.ACTION_LABELS[rule.action])


def test_the_state_groups_are_the_workflows():
    from agreements import models

    assert models.BINDING_STATES is workflow.BINDING_STATES
    assert set(workflow.IN_TERMINATION_STATES) <= set(workflow.BINDING_STATES)
    assert State.TERMINATED not in workflow.BINDING_STATES  # free to sign after the cooldown
