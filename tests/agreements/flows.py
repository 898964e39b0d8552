"""Drive one agreement into any state through the real services."""

from __future__ import annotations

from agreements import services, termination
from agreements.models import Agreement, Origin, State
from tests.factories import agreements as f


def invite(cast, employer, graduate, *, send: bool = True, **content) -> Agreement:
    return services.create_invitation(
        actor=employer.actor,
        school=cast.tenant,
        student_number=graduate.student_number,
        name=graduate.name,
        content=f.offer(**content),
        send=send,
    )


def accept(agreement: Agreement, graduate) -> Agreement:
    agreement.refresh_from_db()
    return services.accept_invitation(
        actor=f.web(graduate.user),
        agreement_id=agreement.pk,
        version=agreement.current_version.number,
        password=f.GRADUATE_PASSWORD,
    )


def college_admin_for(cast, graduate):
    return cast.college_admins[cast.colleges.index(graduate.college)]


def review(cast, agreement: Agreement, *, level: str, approve: bool = True, reason: str = ""):
    agreement.refresh_from_db()
    graduate = agreement.graduate
    reviewer = college_admin_for(cast, graduate) if level == "college" else cast.admin
    return services.review_agreement(
        actor=f.web(reviewer),
        agreement_id=agreement.pk,
        approve=approve,
        reason=reason or ("" if approve else "信息有误"),
    )


def own_draft(graduate, *, proof: bool = True, **content) -> Agreement:
    agreement = services.start_own_agreement(
        actor=f.web(graduate.user),
        content=f.offer(employer_name="自填单位有限公司", credit_code=f.credit_code(), **content),
    )
    if proof:
        services.add_proof(
            actor=f.web(graduate.user), agreement_id=agreement.pk, upload=f.png_upload()
        )
    return agreement


def submit(agreement: Agreement, graduate) -> Agreement:
    return services.submit_own_agreement(actor=f.web(graduate.user), agreement_id=agreement.pk)


def apply_termination(cast, agreement: Agreement, actor, *, images: int = 1):
    return termination.apply_termination(
        actor=actor,
        agreement_id=agreement.pk,
        explanation="已与单位协商一致，拟解除协议",
        images=[f.png_upload(f"letter{i}.png") for i in range(images)],
        school=cast.tenant,
    )


def consent_termination(cast, agreement: Agreement, actor, *, consent: bool = True):
    return termination.decide_consent(
        actor=actor,
        agreement_id=agreement.pk,
        consent=consent,
        reason="" if consent else "单位不同意解约",
        school=cast.tenant,
    )


def review_termination(cast, agreement: Agreement, *, level: str = "school", approve=True):
    graduate = Agreement.objects.get(pk=agreement.pk).graduate
    reviewer = college_admin_for(cast, graduate) if level == "college" else cast.admin
    return termination.review_termination(
        actor=f.web(reviewer),
        agreement_id=agreement.pk,
        approve=approve,
        reason="" if approve else "材料不全",
    )


TERMINATION_STATES = (State.TERMINATION_REQUESTED, State.TERMINATION_REVIEW, State.TERMINATED)


def in_state(cast, employer, other_employer, graduate, origin: str, state: str) -> Agreement:
    """An agreement of `origin` in `state`, reached the way users reach it.

    The termination states need the school to have termination open (the default flow:
    the graduate applies, the employer consents online, the school decides).
    """
    if state in TERMINATION_STATES:
        a = in_state(cast, employer, other_employer, graduate, origin, State.SIGNED)
        apply_termination(cast, a, f.web(graduate.user))
        a.refresh_from_db()
        if a.state == State.TERMINATION_REQUESTED and state != State.TERMINATION_REQUESTED:
            consent_termination(cast, a, employer.actor)
            a.refresh_from_db()
        if state == State.TERMINATED:
            review_termination(cast, a)
            a.refresh_from_db()
        assert a.state == state, (a.state, state)
        return a
    if origin == Origin.EMPLOYER:
        if state == State.DRAFT:
            return invite(cast, employer, graduate, send=False)
        a = invite(cast, employer, graduate)
        if state == State.INVITED:
            return a
        if state == State.RETURNED:
            return services.return_invitation(
                actor=f.web(graduate.user), agreement_id=a.pk, reason="岗位写错了"
            )
        if state == State.WITHDRAWN:
            return services.withdraw_invitation(
                actor=employer.actor, school=cast.tenant, agreement_id=a.pk
            )
        if state == State.EXPIRED:
            services.expire_due_invitations(actor=f.task_actor(), now=f.later(30))
            a.refresh_from_db()
            return a
        if state == State.CLOSED:
            b = invite(cast, other_employer, graduate)
            _sign(cast, b, graduate)
            a.refresh_from_db()
            return a
        accept(a, graduate)
        if state == State.COLLEGE_REVIEW:
            return _fresh(a)
        review(cast, a, level="college")
        if state == State.SCHOOL_REVIEW:
            return _fresh(a)
        review(cast, a, level="school")
        assert state == State.SIGNED
        return _fresh(a)
    # graduate-initiated
    a = own_draft(graduate)
    if state == State.DRAFT:
        return _fresh(a)
    if state == State.CLOSED:
        b = invite(cast, other_employer, graduate)
        _sign(cast, b, graduate)
        return _fresh(a)
    submit(a, graduate)
    if state == State.SUBMITTED:
        return _fresh(a)
    review(cast, a, level="college")
    if state == State.SCHOOL_REVIEW:
        return _fresh(a)
    review(cast, a, level="school")
    assert state == State.SIGNED
    return _fresh(a)


def _sign(cast, agreement, graduate):
    accept(agreement, graduate)
    review(cast, agreement, level="college")
    review(cast, agreement, level="school")


def _fresh(a: Agreement) -> Agreement:
    a.refresh_from_db()
    return a
