"""Merging duplicates keeps every reference valid; the cross-school index and its selector."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import User
from core.context import Actor
from core.exceptions import NotAllowed
from employers.models import AgreementIndexEntry, Employer, Membership, Status
from employers.selectors import employer_dashboard, search_employers
from employers.services import merge_employers, resolve_merged, upsert_agreement_index
from tests.factories.employers import HR_PASSWORD, register
from tests.utils import OPERATOR_PASSWORD, logged_in_client


def operator_actor():
    return Actor(user=User.objects.get(username="operator"), ip="198.51.100.7")


def test_upsert_from_a_schools_transaction_and_the_dashboard(school_a, school_b):
    employer = register(name="跨校招聘有限公司", username="hr.cross").employer
    with schema_context(school_a.schema_name):
        upsert_agreement_index(
            employer_id=employer.pk,
            school=school_a,
            agreement_id=1,
            graduate_name="张三",
            state="invited",
            position="Java 开发",
        )
        upsert_agreement_index(
            employer_id=employer.pk,
            school=school_a,
            agreement_id=2,
            graduate_name="欧阳小明",
            state="signed",
        )
    with schema_context(school_b.schema_name):
        upsert_agreement_index(
            employer_id=employer.pk,
            school=school_b,
            agreement_id=1,
            graduate_name="李四",
            state="invited",
        )
        # The same agreement again: one row, its new state.
        upsert_agreement_index(
            employer_id=employer.pk,
            school=school_b,
            agreement_id=1,
            graduate_name="李四",
            state="college_review",
        )
    connection.set_schema_to_public()
    assert AgreementIndexEntry.objects.filter(employer=employer).count() == 3

    board = employer_dashboard(employer)
    assert board["by_state"] == {"invited": 1, "signed": 1, "college_review": 1}
    by_school = {row["name"]: row for row in board["by_school"]}
    assert by_school["阿尔法大学"]["total"] == 2 and by_school["贝塔大学"]["states"] == {
        "college_review": 1
    }
    assert {e.graduate_name for e in board["entries"]} == {"张*", "欧**明", "李*"}
    only_a = employer_dashboard(employer, school=school_a)
    assert {e.agreement_id for e in only_a["entries"]} == {1, 2}
    assert [e.graduate_name for e in employer_dashboard(employer, state="signed")["entries"]] == [
        "欧**明"
    ]

    # What the HR user sees, on the platform site and through the API.
    hr = logged_in_client(None, "hr.cross", HR_PASSWORD)
    page = hr.get("/employers/").content.decode()
    assert (
        "阿尔法大学" in page and "贝塔大学" in page and "欧**明" in page and "欧阳小明" not in page
    )
    api = hr.get("/api/v1/employers/mine/agreements", {"school": school_b.subdomain}).json()
    assert [r["graduate_name"] for r in api["results"]] == ["李*"] and api["count"] == 1
    assert {row["school"] for row in api["by_school"]} == {school_a.subdomain, school_b.subdomain}
    assert api["by_state"]["invited"] == 1


def test_another_employers_hr_sees_none_of_it(school_a):
    mine = register(name="我的有限公司", username="hr.mine").employer
    register(name="别人的有限公司", username="hr.other")
    upsert_agreement_index(
        employer_id=mine.pk, school=school_a, agreement_id=77, graduate_name="王五", state="signed"
    )
    other = logged_in_client(None, "hr.other", HR_PASSWORD)
    assert other.get("/api/v1/employers/mine/agreements").json()["results"] == []
    assert "王*" not in other.get("/employers/").content.decode()


def test_merge_moves_members_and_index_and_keeps_the_old_id_resolvable(school_a):
    keep = register(name="湖南合并科技有限公司", username="hr.keep").employer
    dup = register(name="湖南合并科技公司", username="hr.dup").employer
    upsert_agreement_index(
        employer_id=dup.pk, school=school_a, agreement_id=5, graduate_name="赵六", state="invited"
    )
    operator = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    response = operator.post(
        "/api/v1/operator/employers/merge",
        {"source": dup.pk, "target": keep.pk, "reason": "重复注册"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()

    dup.refresh_from_db()
    assert dup.status == Status.MERGED and dup.merged_into_id == keep.pk
    assert resolve_merged(dup) == keep
    assert Membership.objects.get(user__username="hr.dup").employer_id == keep.pk
    assert AgreementIndexEntry.objects.get(school=school_a, agreement_id=5).employer_id == keep.pk
    # A school still holding the old id writes through to the survivor.
    upsert_agreement_index(
        employer_id=dup.pk, school=school_a, agreement_id=6, graduate_name="钱七", state="invited"
    )
    assert AgreementIndexEntry.objects.get(school=school_a, agreement_id=6).employer_id == keep.pk
    # The HR of the duplicate now works in the surviving organisation.
    hr_dup = logged_in_client(None, "hr.dup", HR_PASSWORD)
    assert hr_dup.get("/api/v1/employers/mine").json()["id"] == keep.pk
    # The merged entry is never suggested.
    names = [r["name"] for r in search_employers("合并科技", include_unverified=True)]
    assert names == ["湖南合并科技有限公司"]
    # Registering with the merged code points to the survivor.
    with pytest.raises(ValidationError) as info:
        register(name="再注册", code=dup.credit_code)
    assert "湖南合并科技有限公司" in info.value.message_dict["credit_code"][0]


def test_merge_keeps_verification_and_refuses_nonsense(db):
    verified = register(name="已认证有限公司", username="hr.v").employer
    pending = register(name="待认证的同一家", username="hr.p").employer
    actor = operator_actor()
    from employers.services import verify_employer

    verify_employer(actor=actor, employer_id=verified.pk)
    kept = merge_employers(actor=actor, source_id=verified.pk, target_id=pending.pk)
    assert kept.status == Status.VERIFIED and kept.in_directory
    with pytest.raises(ValidationError):
        merge_employers(actor=actor, source_id=pending.pk, target_id=pending.pk)
    with pytest.raises(ValidationError):
        merge_employers(actor=actor, source_id=verified.pk, target_id=pending.pk)  # already merged
    hr = Actor(user=User.objects.get(username="hr.p"))
    other = register(name="第三家有限公司").employer
    with pytest.raises(NotAllowed):
        merge_employers(actor=hr, source_id=other.pk, target_id=pending.pk)
    assert Employer.objects.get(pk=other.pk).status == Status.PENDING


def test_merge_through_the_operator_page(db):
    keep = register(name="页面保留有限公司", username="hr.page.keep").employer
    dup = register(name="页面重复有限公司", username="hr.page.dup").employer
    operator = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    response = operator.post(
        f"/operator/employers/{dup.pk}/merge", {"target": keep.credit_code, "reason": "重复"}
    )
    assert response.status_code == 302 and response["Location"] == f"/operator/employers/{keep.pk}/"
    assert Employer.objects.get(pk=dup.pk).merged_into_id == keep.pk
    missing = operator.post(
        f"/operator/employers/{keep.pk}/merge", {"target": "999999"}, follow=True
    )
    assert "未找到要合并到的单位" in missing.content.decode()
