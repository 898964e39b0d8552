"""Termination under concurrent requests, in real separately committed transactions."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from agreements import termination
from agreements.models import Agreement, State, Termination
from tests.agreements import flows
from tests.agreements.test_races import _transitions, run_together
from tests.factories import agreements as f


@pytest.fixture
def race_cast(committed_school):
    from settings_per_school.services import update_school_settings

    cast = f.build_school(committed_school, graduates=2, prefix="2020")
    employers = [f.make_employer() for _ in range(2)]
    with schema_context(committed_school.schema_name):
        update_school_settings(actor=cast.admin_actor(), changes={"allow_termination": True})
    yield cast, employers
    f.remove_employers(employers)


def _in_review(cast, employer, other, graduate) -> Agreement:
    a = flows.in_state(cast, employer, other, graduate, "employer", State.SIGNED)
    flows.apply_termination(cast, a, f.web(graduate.user))
    flows.consent_termination(cast, a, employer.actor)
    return a


def _approve(actor, a):
    return lambda: termination.review_termination(actor=actor, agreement_id=a.pk, approve=True)


def test_two_approvals_at_once_use_the_allowance_once(race_cast):
    cast, (e1, e2) = race_cast
    graduate = cast.graduates[0]
    schema = cast.tenant.schema_name
    with schema_context(schema):
        a = _in_review(cast, e1, e2, graduate)
        second_admin = f.make_school_admin(cast)
    outcomes = run_together(
        schema, _approve(cast.admin_actor(), a), _approve(f.web(second_admin), a)
    )
    assert sorted(outcomes) == ["ok", "refused"]
    with schema_context(schema):
        assert Agreement.objects.get(pk=a.pk).state == State.TERMINATED
        approved = Termination.objects.filter(graduate=graduate, state="approved")
        assert list(approved.values_list("approved_number", flat=True)) == [1]
        assert _transitions(a.pk).count("agreement.approve_termination") == 1


def test_approve_against_withdraw_one_decides(race_cast):
    cast, (e1, e2) = race_cast
    graduate = cast.graduates[1]
    schema = cast.tenant.schema_name
    with schema_context(schema):
        a = _in_review(cast, e1, e2, graduate)
    outcomes = run_together(
        schema,
        _approve(cast.admin_actor(), a),
        lambda: termination.withdraw_termination(actor=f.web(graduate.user), agreement_id=a.pk),
    )
    assert sorted(outcomes) == ["ok", "refused"]
    with schema_context(schema):
        state = Agreement.objects.get(pk=a.pk).state
        log = _transitions(a.pk)
        t = Termination.objects.filter(agreement_id=a.pk).get()
    if outcomes[0] == "ok":
        assert state == State.TERMINATED and t.state == "approved"
        assert "agreement.withdraw_termination" not in log
    else:
        assert state == State.SIGNED and t.state == "withdrawn"
        assert "agreement.approve_termination" not in log


def test_approve_against_consent_refusal_one_decides(race_cast):
    cast, (e1, e2) = race_cast
    graduate = cast.graduates[0]
    schema = cast.tenant.schema_name
    with schema_context(schema):
        a = flows.in_state(cast, e1, e2, graduate, "employer", State.SIGNED)
        flows.apply_termination(cast, a, f.web(graduate.user))
    # The employer refuses while the school tries to approve an application not yet consented
    # to, and while it consents-then-approves: whatever the order, one story is recorded.
    outcomes = run_together(
        schema,
        _approve(cast.admin_actor(), a),
        lambda: termination.decide_consent(
            actor=e1.actor, agreement_id=a.pk, consent=False, reason="不同意", school=cast.tenant
        ),
    )
    assert outcomes == ["refused", "ok"]
    with schema_context(schema):
        a.refresh_from_db()
        assert a.state == State.SIGNED and a.last_reason == "不同意"
        assert Termination.objects.get(agreement_id=a.pk).state == "refused"
        # now consented and in review: a late refusal loses against the approval
        flows.apply_termination(cast, a, f.web(graduate.user))
        flows.consent_termination(cast, a, e1.actor)
    outcomes = run_together(
        schema,
        _approve(cast.admin_actor(), a),
        lambda: termination.decide_consent(
            actor=e1.actor, agreement_id=a.pk, consent=False, reason="反悔", school=cast.tenant
        ),
    )
    assert outcomes == ["ok", "refused"]
    with schema_context(schema):
        assert Agreement.objects.get(pk=a.pk).state == State.TERMINATED
