"""生源核查: the state machine refuses every illegal move; decisions are single and audited."""

from __future__ import annotations

import threading
import types

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from core.exceptions import NotAllowed
from core.models import AuditLog
from students import verification
from students.models import Graduate
from students.selectors import can_sign, changes
from tests.factories.students import (
    actor_for,
    college_admin,
    import_rows,
    roster_row,
)


@pytest.fixture
def alpha(school_a):
    import_rows(school_a, [roster_row(1), roster_row(2, college="外国语学院", major="英语")])
    with schema_context(school_a.schema_name):
        reviewer = college_admin(school_a, "cs_teacher", ["计算机学院"])
        g = Graduate.objects.select_related("user").get(student_number="2022000001")
        yield types.SimpleNamespace(
            school=school_a, g=g, me=actor_for(g.user), reviewer=actor_for(reviewer)
        )


def reload(g: Graduate) -> Graduate:
    return Graduate.objects.select_related("user").get(pk=g.pk)


def submitted(alpha, **corrections) -> Graduate:
    verification.start(actor=alpha.me, graduate=alpha.g)
    if corrections:
        verification.save_corrections(actor=alpha.me, graduate=alpha.g, changes=corrections)
    return verification.submit(actor=alpha.me, graduate=alpha.g)


def test_the_whole_path_to_approval(alpha):
    assert not can_sign(alpha.g)
    verification.start(actor=alpha.me, graduate=alpha.g)
    verification.save_corrections(
        actor=alpha.me,
        graduate=alpha.g,
        changes={"mobile": "13912345678", "political_status": "共青团员", "archive_moves": "否"},
    )
    g = verification.submit(actor=alpha.me, graduate=alpha.g)
    assert g.state == "submitted" and g.revision == 1
    assert not can_sign(g)
    g = verification.approve(actor=alpha.reviewer, graduate=g, reason="")
    assert g.state == "approved" and g.decision_reason == "信息核对无误。"
    assert can_sign(reload(g))
    actions = list(
        AuditLog.objects.filter(target_type="students.graduate", target_id=str(g.pk))
        .order_by("id")
        .values_list("action", "actor_username", "ip")
    )
    assert actions == [
        ("graduate.verification.start", "2022000001", "10.1.2.3"),
        ("graduate.corrected", "2022000001", "10.1.2.3"),
        ("graduate.verification.submit", "2022000001", "10.1.2.3"),
        ("graduate.verification.approve", "cs_teacher", "10.1.2.3"),
    ]


def test_reviewer_sees_exactly_what_changed(alpha):
    g = submitted(alpha, mobile="13912345678", home_address="湖南省长沙市岳麓区")
    assert [(c["label"], c["imported"], c["current"]) for c in changes(g)] == [
        ("手机号", "138****0001", "139****5678"),  # staff see phones masked
        ("家庭住址", "", "湖南省长沙市岳麓区"),
    ]
    mine = changes(g, for_staff=False)
    assert (mine[0]["imported"], mine[0]["current"]) == ("13800000001", "13912345678")


def test_changing_a_value_back_is_no_change(alpha):
    verification.start(actor=alpha.me, graduate=alpha.g)
    verification.save_corrections(
        actor=alpha.me, graduate=alpha.g, changes={"mobile": "13912345678"}
    )
    g = verification.save_corrections(
        actor=alpha.me, graduate=alpha.g, changes={"mobile": "13800000001"}
    )
    assert g.corrected_fields == [] and changes(g) == []


def test_rejection_needs_a_reason_and_sends_the_record_back(alpha):
    g = submitted(alpha)
    with pytest.raises(ValidationError) as err:
        verification.reject(actor=alpha.reviewer, graduate=g, reason="  ")
    assert err.value.message_dict == {"reason": ["退回时必须填写原因，告诉学生需要修改什么。"]}
    assert reload(g).state == "submitted"
    g = verification.reject(actor=alpha.reviewer, graduate=g, reason="生源地应填到县")
    assert g.state == "rejected" and g.decision_reason == "生源地应填到县"
    assert not can_sign(g)
    g = verification.start(actor=alpha.me, graduate=g)
    assert g.state == "verifying"
    g = verification.submit(actor=alpha.me, graduate=g)
    assert g.state == "submitted" and g.revision == 2
    log = AuditLog.objects.get(action="graduate.verification.reject", target_id=str(g.pk))
    assert log.reason == "生源地应填到县" and log.data == {
        "from": "submitted",
        "to": "rejected",
        "revision": 1,
    }


def test_withdraw_before_review(alpha):
    g = submitted(alpha)
    g = verification.withdraw(actor=alpha.me, graduate=g)
    assert g.state == "verifying"
    verification.save_corrections(actor=alpha.me, graduate=g, changes={"email": "new@example.com"})
    assert reload(g).email == "new@example.com"


ILLEGAL = [
    # (state reached first, action, who)
    ("imported", "submit", "me"),
    ("imported", "withdraw", "me"),
    ("imported", "approve", "reviewer"),
    ("imported", "reject", "reviewer"),
    ("verifying", "start", "me"),
    ("verifying", "withdraw", "me"),
    ("verifying", "approve", "reviewer"),
    ("submitted", "start", "me"),
    ("submitted", "submit", "me"),
    ("approved", "start", "me"),
    ("approved", "withdraw", "me"),
    ("approved", "approve", "reviewer"),
    ("approved", "reject", "reviewer"),
    ("rejected", "submit", "me"),
    ("rejected", "approve", "reviewer"),
]


def reach(alpha, state: str) -> Graduate:
    g = alpha.g
    if state == "imported":
        return g
    g = verification.start(actor=alpha.me, graduate=g)
    if state == "verifying":
        return g
    g = verification.submit(actor=alpha.me, graduate=g)
    if state == "approved":
        return verification.approve(actor=alpha.reviewer, graduate=g)
    if state == "rejected":
        return verification.reject(actor=alpha.reviewer, graduate=g, reason="请核对")
    return g


@pytest.mark.parametrize("state,action,who", ILLEGAL)
def test_illegal_transitions_are_refused_with_a_clear_error(alpha, state, action, who):
    g = reach(alpha, state)
    kwargs = {"actor": getattr(alpha, who), "graduate": g}
    if action == "reject":
        kwargs["reason"] = "原因"
    with pytest.raises(ValidationError) as err:
        getattr(verification, action)(**kwargs)
    assert err.value.messages[0].startswith(f"当前状态为“{g.get_state_display()}”，不能")
    assert reload(g).state == state


@pytest.mark.parametrize("state", ["imported", "submitted", "approved", "rejected"])
def test_corrections_only_while_verifying(alpha, state):
    g = reach(alpha, state)
    with pytest.raises(ValidationError, match="不能修改"):
        verification.save_corrections(actor=alpha.me, graduate=g, changes={"mobile": "13912345678"})
    assert reload(g).mobile == "13800000001"


@pytest.mark.parametrize("field", ["name", "student_number", "id_number", "college", "gender"])
def test_identity_fields_stay_locked(alpha, field):
    g = verification.start(actor=alpha.me, graduate=alpha.g)
    with pytest.raises(ValidationError) as err:
        verification.save_corrections(actor=alpha.me, graduate=g, changes={field: "x"})
    assert err.value.message_dict == {field: ["该项由学校导入，不能由学生修改。"]}


def test_invalid_corrections_are_refused_field_by_field(alpha):
    g = verification.start(actor=alpha.me, graduate=alpha.g)
    with pytest.raises(ValidationError) as err:
        verification.save_corrections(
            actor=alpha.me, graduate=g, changes={"mobile": "123", "archive_postcode": "41"}
        )
    assert err.value.message_dict == {
        "mobile": ["手机号应为 11 位中国大陆手机号。"],
        "archive_postcode": ["邮编应为 6 位数字。"],
    }
    assert reload(g).mobile == "13800000001"


def test_submission_needs_what_signing_needs(alpha):
    g = verification.start(actor=alpha.me, graduate=alpha.g)
    verification.save_corrections(
        actor=alpha.me, graduate=g, changes={"training_mode": "定向", "archive_moves": "是"}
    )
    with pytest.raises(ValidationError) as err:
        verification.submit(actor=alpha.me, graduate=g)
    assert set(err.value.message_dict) == {"sponsor_unit", "archive_unit", "archive_address"}
    assert reload(g).state == "verifying"


def test_another_graduate_cannot_act_on_my_record(alpha):
    other = Graduate.objects.select_related("user").get(student_number="2022000002")
    with pytest.raises(NotAllowed, match="只能操作自己的生源信息"):
        verification.start(actor=actor_for(other.user), graduate=alpha.g)


def test_a_college_admin_of_another_college_cannot_decide(alpha):
    other = Graduate.objects.select_related("user").get(student_number="2022000002")
    verification.start(actor=actor_for(other.user), graduate=other)
    verification.submit(actor=actor_for(other.user), graduate=other)
    with pytest.raises(NotAllowed, match="只有本学院的院系管理员"):
        verification.approve(actor=alpha.reviewer, graduate=other)
    assert reload(other).state == "submitted"


def test_a_decision_on_an_outdated_view_is_refused(alpha):
    g = submitted(alpha)
    seen = g.revision
    verification.withdraw(actor=alpha.me, graduate=g)
    verification.save_corrections(actor=alpha.me, graduate=g, changes={"mobile": "13912345678"})
    g = verification.submit(actor=alpha.me, graduate=g)
    with pytest.raises(ValidationError, match="重新提交了信息"):
        verification.approve(actor=alpha.reviewer, graduate=g, expected_revision=seen)
    assert reload(g).state == "submitted"


def test_decisions_reach_the_graduates_messages(alpha):
    from notifications.models import Message

    g = verification.reject(actor=alpha.reviewer, graduate=submitted(alpha), reason="请补充邮编")
    rejected = Message.objects.get(user=g.user)
    assert (rejected.event, rejected.url) == ("source_rejected", "/students/me/")
    assert "请补充邮编" in rejected.body
    verification.start(actor=alpha.me, graduate=g)
    verification.submit(actor=alpha.me, graduate=g)
    verification.approve(actor=alpha.reviewer, graduate=g)
    assert Message.objects.filter(user=g.user).first().event == "source_approved"


@pytest.fixture
def sync_db(monkeypatch):
    # The session's Playwright (browser tests run earlier) leaves an event loop on this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    yield
    from django.db import connections

    connections.close_all()  # what was opened in this context, so the test DB can be dropped


def test_two_reviewers_deciding_at_once_make_one_decision(sync_db, committed_school):
    """Real commits and two connections: one approves, the other is told it's decided."""
    import_rows(committed_school, [roster_row(1)])
    with schema_context(committed_school.schema_name):
        first = college_admin(committed_school, "teacher1", ["计算机学院"])
        second = college_admin(committed_school, "teacher2", ["计算机学院"])
        g = Graduate.objects.select_related("user").get(student_number="2022000001")
        verification.start(actor=actor_for(g.user), graduate=g)
        verification.submit(actor=actor_for(g.user), graduate=g)

    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def decide(name: str, user, action) -> None:
        try:
            with schema_context(committed_school.schema_name):
                barrier.wait(timeout=10)
                kwargs = {"reason": "请核对"} if action is verification.reject else {}
                action(actor=actor_for(user), graduate=g, **kwargs)
                results[name] = "ok"
        except ValidationError as exc:
            results[name] = exc.messages[0]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("a", first, verification.approve)),
        threading.Thread(target=decide, args=("b", second, verification.reject)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert list(results.values()).count("ok") == 1, results
    loser = [v for v in results.values() if v != "ok"]
    assert len(loser) == 1 and loser[0].startswith("当前状态为“")
    with schema_context(committed_school.schema_name):
        final = Graduate.objects.get(pk=g.pk)
        decisions = AuditLog.objects.filter(
            action__in=["graduate.verification.approve", "graduate.verification.reject"]
        ).count()
    assert final.state in {"approved", "rejected"} and decisions == 1
