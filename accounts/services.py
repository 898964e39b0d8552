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
def change_password(*, actor: Actor, user: User, old_password: str, new_password: str) -> User:
    """Change one's own password; every API token of the user is revoked."""
    from rest_framework.authtoken.models import Token

    user = User.objects.select_for_update().get(pk=user.pk)
    if not check_current_password(user, old_password or ""):
        raise ValidationError({"old_password": [_("当前密码不正确。")]})
    if new_password == old_password:
        raise ValidationError({"new_password": [_("新密码不能与当前密码相同。")]})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    Token.objects.filter(user=user).delete()
    audit.record(actor, "user.password_changed", target=user)
    return user
