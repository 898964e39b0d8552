from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from accounts.models import PLATFORM_ROLES, SCHOOL_ROLES, Role, User
from core import audit
from core.context import Actor

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")


def validate_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise ValidationError(
            _("用户名“%(value)s”无效：3–150 个字母、数字或 _ . @ + - 字符。"),
            params={"value": username},
            code="invalid",
        )
    return username


def _check_role_fits_schema(role: str) -> None:
    in_public = connection.schema_name == get_public_schema_name()
    if in_public and role not in PLATFORM_ROLES or not in_public and role not in SCHOOL_ROLES:
        raise ValidationError(_("该角色不能在此处创建。"), code="role")


@transaction.atomic
def create_user(
    *,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    must_change_password: bool = False,
    check_password: bool = True,
) -> User:
    """Create a user in the current schema (public for platform roles, a school's otherwise)."""
    _check_role_fits_schema(role)
    username = validate_username(username)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            _("用户名“%(value)s”已被使用。"), params={"value": username}, code="duplicate"
        )
    user = User(username=username, role=role, display_name=display_name)
    user.must_change_password = must_change_password
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(actor, "user.created", target=user, data={"role": role})
    return user


def create_operator(*, actor: Actor, username: str, password: str) -> User:
    return create_user(actor=actor, username=username, password=password, role=Role.OPERATOR)


def check_current_password(user: User, raw_password: str) -> bool:
    """The user's password, or an initial password a backend derives (see students.backends)."""
    from django.contrib.auth import get_backends

    if user.has_usable_password():
        return user.check_password(raw_password)
    return any(
        backend.check_initial_password(user, raw_password)
        for backend in get_backends()
        if hasattr(backend, "check_initial_password")
    )


@transaction.atomic
def end_other_access(*, actor: Actor, user: User, reason: str, keep_request=None) -> None:
    """After a password change or reset: every way into the account but this one ends.

    - Sessions: Django checks each session against a hash of the password on every
      request, so the new password already ends every other browser; `keep_request` (the
      browser that changed it) gets its session re-keyed to the new hash and stays in.
    - API tokens: all of them are deleted (the password-change API issues a fresh one).
    - Other ways in kept by other apps (the WeChat binding) end in receivers of
      `accounts.signals.access_ended`, in this transaction.

    Every path that changes or resets a password calls this, pages and API alike.
    """
    from django.contrib.auth import update_session_auth_hash

    from accounts import tokens
    from accounts.signals import access_ended

    revoked = tokens.revoke_all(user)
    access_ended.send(sender=User, user=user, actor=actor, reason=reason)
    if keep_request is not None and hasattr(keep_request, "session"):
        update_session_auth_hash(keep_request, user)
    audit.record(actor, "user.access_ended", target=user, reason=reason, data={"tokens": revoked})


def change_password(
    *, actor: Actor, user: User, old_password: str, new_password: str, request=None
) -> User:
    """Change one's own password; every other session, token and WeChat binding ends.

    A wrong current password counts as a failed login (django-axes locks the account after
    `AXES_FAILURE_LIMIT`), so a stolen session can't be used to guess it. It is checked
    before the transaction, so the failure stays recorded. `request`: the browser that
    changes it keeps its session.
    """
    from accounts import password_checks

    if not password_checks.verify(actor, user, old_password or ""):
        wrong = _("当前密码不正确。")
        raise ValidationError({"old_password": [password_checks.refusal(actor, user, wrong)]})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if new_password == old_password:
            raise ValidationError({"new_password": [_("新密码不能与当前密码相同。")]})
        try:
            validate_password(new_password, user)
        except ValidationError as exc:
            raise ValidationError({"new_password": exc.messages}) from None
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record(actor, "user.password_changed", target=user)
        end_other_access(actor=actor, user=user, reason="password_changed", keep_request=request)
        return user
