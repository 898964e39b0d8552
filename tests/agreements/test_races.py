"""Concurrent requests in real, separately committed transactions (one connection per thread)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django_tenants.utils import schema_context

from agreements import services
from agreements.models import Agreement, State
from core.exceptions import NotAllowed
from core.models import AuditLog
from tests.agreements import flows
from tests.factories import agreements as f


@pytest.fixture
def race_cast(committed_school):
    cast = f.build_school(committed_school, graduates=2, prefix="2021")
    employers = [f.make_employer() for _ in range(3)]
    yield cast, employers
    f.remove_employers(employers)


def run_together(schema: str, *calls):
    """Start every call at the same instant, each in its own thread and transaction."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, call):
        try:
            with schema_context(schema):
                barrier.wait()
                results[i] = ("ok", call())
        except (ValidationError, NotAllowed, Http404) as exc:
            results[i] = ("refused", exc)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(r and r[0] == "error" for r in results), results
    return [r[0] for r in results]


def _transitions(agreement_id: int) -> list[str]:
    return list(
        AuditLog.objects.filter(target_type="agreements.agreement", target_id=str(agreement_id))
        .order_by("id")
        .values_list("action", flat=True)
    )


def _accept_call(graduate, agreement):
    return lambda: services.accept_invitation(
        actor=f.web(graduate.user),
        agreement_id=agreement.pk,
        version=1,
        password=f.GRADUATE_PASSWORD,
    )


def test_two_accepts_at_once_accept_one(race_cast):
    cast, (e1, e2, _e3) = race_cast
    graduate = cast.graduates[0]
    schema = cast.tenant.schema_name
    with schema_context(schema):
        a = flows.invite(cast, e1, graduate)
        b = flows.invite(cast, e2, graduate)
    outcomes = run_together(schema, _accept_call(graduate, a), _accept_call(graduate, b))
    assert sorted(outcomes) == ["ok", "refused"]
    with schema_context(schema):
        states = sorted(Agreement.objects.filter(graduate=graduate).values_list("state", flat=True))
        assert states == ["college_review", "invited"]


def test_accept_against_the_expiry_sweep(race_cast):
    cast, (e1, _e2, _e3) = race_cast
    graduate = cast.graduates[0]
    schema = cast.tenant.schema_name
    with schema_context(schema):
        a = flows.invite(cast, e1, graduate)
    outcomes = run_together(
        schema,
        _accept_call(graduate, a),
        lambda: services.expire_due_invitations(actor=f.task_actor(), now=f.later(30)),
    )
    with schema_context(schema):
        a.refresh_from_db()
        log = _transitions(a.pk)
    # exactly one of the two decided it, and the log says which
    assert a.state in (State.COLLEGE_REVIEW, State.EXPIRED)
    decided = [x for x in log if x in ("agreement.accept", "agreement.expire")]
    assert len(decided) == 1
    assert decided[0] == (
        "agreement.accept" if a.state == State.COLLEGE_REVIEW else "agreement.expire"
    )
    if a.state == State.EXPIRED:
        assert outcomes[0] == "refused"


def test_accept_against_withdraw(race_cast):
    cast, (e1, _e2, _e3) = race_cast
    graduate = cast.graduates[1]
    schema = cast.tenant.schema_name
    with schema_context(schema):
        a = flows.invite(cast, e1, graduate)
    outcomes = run_together(
        schema,
        _accept_call(graduate, a),
        lambda: services.withdraw_invitation(actor=e1.actor, school=cast.tenant, agreement_id=a.pk),
    )
    assert sorted(outcomes) == ["ok", "refused"]
    with schema_context(schema):
        a.refresh_from_db()
        assert a.state == (State.COLLEGE_REVIEW if outcomes[0] == "ok" else State.WITHDRAWN)


def test_two_reviewers_at_once_make_one_decision(race_cast):
    cast, (e1, _e2, _e3) = race_cast
    graduate = cast.graduates[0]
    schema = cast.tenant.schema_name
    with schema_context(schema):
        a = flows.invite(cast, e1, graduate)
        flows.accept(a, graduate)
        flows.review(cast, a, level="college")
        second_admin = f.make_school_admin(cast)
    outcomes = run_together(
        schema,
        lambda: services.review_agreement(
            actor=cast.admin_actor(), agreement_id=a.pk, approve=True
        ),
        lambda: services.review_agreement(
            actor=f.web(second_admin), agreement_id=a.pk, approve=False, reason="印章不清"
        ),
    )
    assert sorted(outcomes) == ["ok", "refused"]
    with schema_context(schema):
        a.refresh_from_db()
        log = _transitions(a.pk)
    assert a.state == (State.SIGNED if outcomes[0] == "ok" else State.RETURNED)
    assert log.count("agreement.approve") + log.count("agreement.reject") == 2  # college + one
