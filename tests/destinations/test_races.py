"""Concurrent decisions and registrations in separately committed transactions."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from destinations import services
from destinations.models import Destination, Status
from tests.agreements.test_races import run_together
from tests.factories import agreements as f


@pytest.fixture
def race_cast(committed_school):
    cast = f.build_school(committed_school, graduates=2, prefix="2023")
    with schema_context(committed_school.schema_name):
        services.set_deadline(
            actor=cast.admin_actor(), deadline=timezone.localdate() + datetime.timedelta(days=30)
        )
    return cast


def test_two_reviewers_deciding_at_once_give_one_decision(race_cast):
    cast = race_cast
    graduate = cast.graduates[0]
    with schema_context(cast.tenant.schema_name):
        record = services.submit_registration(
            actor=f.web(graduate.user),
            graduate=graduate,
            data={"code": "801", "employer_name": "湖南大学"},
            uploads=[f.png_upload()],
        )
    outcome = run_together(
        cast.tenant.schema_name,
        lambda: services.review(
            actor=f.web(cast.college_admins[0]), destination_id=record.pk, approve=True
        ),
        lambda: services.review(
            actor=cast.admin_actor(), destination_id=record.pk, approve=False, reason="不清晰"
        ),
    )
    assert sorted(outcome) == ["ok", "refused"]
    with schema_context(cast.tenant.schema_name):
        record.refresh_from_db()
        assert record.status in (Status.APPROVED, Status.REJECTED)
        assert Destination.objects.filter(graduate=graduate, is_current=True).count() == (
            1 if record.status == Status.APPROVED else 0
        )


def test_two_registrations_at_once_leave_one_pending(race_cast):
    cast = race_cast
    graduate = cast.graduates[1]
    outcome = run_together(
        cast.tenant.schema_name,
        *[
            (
                lambda code=code: services.submit_registration(
                    actor=f.web(graduate.user), graduate=graduate, data={"code": code}
                )
            )
            for code in ("71", "72")
        ],
    )
    assert sorted(outcome) == ["ok", "refused"]
    with schema_context(cast.tenant.schema_name):
        assert Destination.objects.filter(graduate=graduate, status=Status.PENDING).count() == 1
