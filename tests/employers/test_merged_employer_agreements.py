"""A merge keeps working for the agreements schools still file under the merged-away id."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from agreements import services
from agreements.models import Agreement
from employer_inbox.models import Notice
from employers.services import merge_employers
from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import logged_in_client


def _put(client, url, data):
    return client.put(url, json.dumps(data), content_type="application/json")


def test_the_survivor_keeps_agreements_in_two_schools(school_a, school_b):
    cast_a = f.build_school(school_a, graduates=1)
    cast_b = f.build_school(school_b, graduates=1, prefix="2023")
    duplicate = f.make_employer(name="长沙重复登记有限公司")
    survivor = f.make_employer(name="长沙合并后有限公司")
    with f.in_school(school_a):
        in_a = flows.invite(cast_a, duplicate, cast_a.graduates[0])
    with f.in_school(school_b):
        in_b = flows.invite(cast_b, duplicate, cast_b.graduates[0])
    operator = f.web(User.objects.get(username="operator"))
    merge_employers(actor=operator, source_id=duplicate.org.pk, target_id=survivor.org.pk)
    with f.in_school(school_a):
        assert Agreement.objects.get(pk=in_a.pk).employer_id == duplicate.org.pk  # still filed so

    # The survivor's HR (and the duplicate's, whose membership moved) sees both agreements.
    for hr in (survivor.hr, duplicate.hr):
        client = logged_in_client(None, hr.username, f.HR_PASSWORD)
        for school, a in ((school_a, in_a), (school_b, in_b)):
            r = client.get(f"/api/v1/employer/schools/{school.subdomain}/agreements/{a.pk}")
            assert r.status_code == 200, (hr.username, school.subdomain, r.content[:200])
        board = client.get("/api/v1/employers/mine/agreements").json()
        assert {(row["school_subdomain"], row["agreement_id"]) for row in board["results"]} == {
            (school_a.subdomain, in_a.pk),
            (school_b.subdomain, in_b.pk),
        }

    # The graduate sends it back; the notice reaches the survivor, not the merged-away id.
    with f.in_school(school_b):
        services.return_invitation(
            actor=f.web(cast_b.graduates[0].user), agreement_id=in_b.pk, reason="薪资写错了"
        )
    assert Notice.objects.filter(employer_id=survivor.org.pk, agreement_id=in_b.pk).exists()
    assert not Notice.objects.filter(employer_id=duplicate.org.pk).exists()

    # The survivor's HR edits it: the employer section takes the surviving name.
    hr = logged_in_client(None, survivor.hr.username, f.HR_PASSWORD)
    url = f"/api/v1/employer/schools/{school_b.subdomain}/agreements/{in_b.pk}"
    r = _put(hr, url, {"content": f.offer(monthly_salary=9000)})
    assert r.status_code == 200, r.content.decode()
    assert r.json()["draft_content"]["employer_name"] == "长沙合并后有限公司"
    assert r.json()["employer_name"] == "长沙合并后有限公司"

    # And it may not open a second invitation beside the one filed under the old id.
    with f.in_school(school_a), pytest.raises(ValidationError, match="已有一份有效邀约"):
        flows.invite(cast_a, survivor, cast_a.graduates[0])
