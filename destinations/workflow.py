"""The destination record's states, in one place.

    (new) ─submit─▶ pending ─approve─▶ approved (current) ─supersede─▶ superseded
                       └──reject (reason)─▶ rejected       └─void (termination)─▶ voided
    (new) ─record─▶ approved (current)   signing (10), an admin's entry, or 70 after a void

A graduate registers; a reviewer of the graduate's college (or a school admin) decides.
After the school's deadline only school admins change records.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from core.context import Actor
from destinations.models import Status

S = Status
SYSTEM = "system"
REVIEWERS = (Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)

# action → (states it may start from (None: a new record), state it leads to, who)
TRANSITIONS: dict[str, tuple[frozenset, str, tuple[str, ...]]] = {
    "submit": (frozenset({None}), S.PENDING, (Role.GRADUATE,)),
    "record": (frozenset({None}), S.APPROVED, (Role.SCHOOL_ADMIN, SYSTEM)),
    "approve": (frozenset({S.PENDING}), S.APPROVED, REVIEWERS),
    "reject": (frozenset({S.PENDING}), S.REJECTED, REVIEWERS),
    "supersede": (frozenset({S.APPROVED, S.PENDING}), S.SUPERSEDED, (SYSTEM,)),
    "void": (frozenset({S.APPROVED}), S.VOIDED, (SYSTEM,)),
}
ACTION_LABELS = {
    "submit": gettext_lazy("提交登记"),
    "record": gettext_lazy("登记"),
    "approve": gettext_lazy("审核通过"),
    "reject": gettext_lazy("退回"),
    "supersede": gettext_lazy("被新去向替代"),
    "void": gettext_lazy("作废"),
}
NEEDS_REASON = {"reject", "void"}


class TransitionRefused(ValidationError):
    pass


def who(actor: Actor) -> str:
    return actor.role or (SYSTEM if actor.via in ("task", "cli") else "")


def plan(action: str, state: str | None, actor: Actor, *, reason: str = "", system: bool = False):
    """The target state, or a refusal in Chinese. `system`: the platform acts on the actor's behalf."""
    sources, target, allowed = TRANSITIONS[action]
    if state not in sources:
        raise TransitionRefused(
            _("当前状态（%(state)s）不能%(action)s。")
            % {"state": Status(state).label if state else "—", "action": ACTION_LABELS[action]},
            code="state",
        )
    if not system and who(actor) not in allowed:
        raise PermissionDenied(_("您没有权限%(action)s。") % {"action": ACTION_LABELS[action]})
    if action in NEEDS_REASON and not reason.strip():
        raise ValidationError({"reason": [_("请填写原因。")]})
    return target
