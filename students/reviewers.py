"""Who reviews a graduate, and the in-app notice that something waits for them.

生源: the college admins bound to the graduate's college; where a college has none, the school
admin reviews (the spec gives school admins oversight, and a college without an admin must
not leave its graduates unreviewable). Agreements: the same college admins for the college
level, the school admins for the school level.

Notices are coalesced: a reviewer who has not yet read the last "waiting" notice of that kind
gets no second one (in June a college receives hundreds of submissions a day).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role, User
from students.models import College, Graduate


def college_has_reviewer(college_id: int) -> bool:
    return User.objects.filter(
        role=Role.COLLEGE_ADMIN, is_active=True, admin_colleges__pk=college_id
    ).exists()


def colleges_without_reviewer() -> QuerySet[College]:
    """Colleges no active college admin is bound to: their 生源 falls to the school admin."""
    bound = User.objects.filter(role=Role.COLLEGE_ADMIN, is_active=True).values("admin_colleges")
    return College.objects.exclude(pk__in=bound)


def source_reviewers(graduate: Graduate) -> list[User]:
    college_admins = list(
        User.objects.filter(
            role=Role.COLLEGE_ADMIN, is_active=True, admin_colleges__pk=graduate.college_id
        ).distinct()
    )
    if college_admins:
        return college_admins
    return list(User.objects.filter(role=Role.SCHOOL_ADMIN, is_active=True))


def may_review_source(user: User, graduate: Graduate) -> bool:
    """The one rule for who decides a graduate's 生源 (pages, API and the service ask it)."""
    if user.role == Role.COLLEGE_ADMIN:
        return user.admin_colleges.filter(pk=graduate.college_id).exists()
    if user.role == Role.SCHOOL_ADMIN:
        return not college_has_reviewer(graduate.college_id)
    return False


def who_must_review(graduate: Graduate) -> str:
    """Said to a school admin who may not decide: who does."""
    names = [
        u.display_name or u.username
        for u in User.objects.filter(
            role=Role.COLLEGE_ADMIN, is_active=True, admin_colleges__pk=graduate.college_id
        )
    ]
    return _("该学院已绑定院系管理员（%(names)s），生源信息由其审核。") % {
        "names": "、".join(names)
    }


def agreement_reviewers(graduate: Graduate, level: str) -> list[User]:
    """`level` "college": the graduate's college admins; "school": the school admins."""
    if level == "college":
        return list(
            User.objects.filter(
                role=Role.COLLEGE_ADMIN, is_active=True, admin_colleges__pk=graduate.college_id
            ).distinct()
        )
    return list(User.objects.filter(role=Role.SCHOOL_ADMIN, is_active=True))


def notify_waiting(users: list[User], *, event: str, title: str, body: str, url: str) -> int:
    """An in-app notice to each reviewer who has no unread one of this kind; returns how many."""
    from notifications.models import Message
    from notifications.services import notify

    if not users:
        return 0
    waiting = set(
        Message.objects.filter(user__in=users, event=event, read_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    sent = 0
    for user in users:
        if user.pk in waiting:
            continue
        notify(user=user, event=event, title=title, body=body, url=url)
        sent += 1
    return sent


def notify_source_waiting(graduate: Graduate) -> None:
    notify_waiting(
        source_reviewers(graduate),
        event="source_review_waiting",
        title=_("有生源信息等待审核"),
        body=_("%(college)s 的 %(name)s 等毕业生提交了生源信息，请及时审核。")
        % {"college": graduate.college.name, "name": graduate.name},
        url="/students/review/",
    )


def notify_agreement_waiting(graduate: Graduate, level: str) -> None:
    notify_waiting(
        agreement_reviewers(graduate, level),
        event="agreement_review_waiting",
        title=_("有三方协议等待审核"),
        body=_("%(college)s 的 %(name)s 等毕业生的协议等待%(level)s审核。")
        % {
            "college": graduate.college.name,
            "name": graduate.name,
            "level": _("院系") if level == "college" else _("学校"),
        },
        url="/agreements/review/",
    )
