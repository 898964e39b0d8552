"""Onboarding a school: schema, domain, settings and first admin, or nothing at all."""

from __future__ import annotations

import logging

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts.models import Role, User
from accounts.services import create_user, validate_username
from core import audit
from core.context import Actor
from tenants import domain_cache, pool
from tenants.models import Domain, School
from tenants.naming import domain_for, schema_name_for, validate_code, validate_subdomain
from tenants.signals import school_onboarded

logger = logging.getLogger(__name__)


def _validate(
    *, name: str, code: str, subdomain: str, admin_username: str, admin_password: str
) -> dict[str, str]:
    errors: dict[str, list] = {}
    cleaned: dict[str, str] = {"name": (name or "").strip()}
    if not cleaned["name"]:
        errors["name"] = [_("请填写学校名称。")]
    elif len(cleaned["name"]) > 100:
        errors["name"] = [_("学校名称不能超过 100 个字符。")]
    for field, validator, value in (
        ("subdomain", validate_subdomain, subdomain),
        ("code", validate_code, code),
        ("admin_username", validate_username, admin_username),
    ):
        try:
            cleaned[field] = validator(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    try:
        validate_password(admin_password, User(username=cleaned.get("admin_username", "")))
    except ValidationError as exc:
        errors["admin_password"] = exc.messages
    if "subdomain" in cleaned and (
        School.objects.filter(subdomain=cleaned["subdomain"]).exists()
        or Domain.objects.filter(domain=domain_for(cleaned["subdomain"])).exists()
    ):
        errors["subdomain"] = [_("子域名“%(v)s”已被其他学校使用。") % {"v": cleaned["subdomain"]}]
    if "code" in cleaned and School.objects.filter(code=cleaned["code"]).exists():
        errors["code"] = [_("院校代码 %(v)s 的学校已经开通。") % {"v": cleaned["code"]}]
    if errors:
        raise ValidationError(errors)
    return cleaned


def onboard_school(
    *,
    actor: Actor,
    name: str,
    code: str,
    subdomain: str,
    admin_username: str,
    admin_password: str,
    admin_must_change_password: bool = True,
) -> School:
    """Create a school ready to use. Raises ValidationError and leaves nothing behind on failure.

    The first school admin, like every staff account, changes the operator-chosen password at
    first login (the operator knows it; the demo and the tests opt out).
    """
    cleaned = _validate(
        name=name,
        code=code,
        subdomain=subdomain,
        admin_username=admin_username,
        admin_password=admin_password,
    )
    schema_name = schema_name_for(cleaned["subdomain"])
    try:
        with transaction.atomic():
            school = pool.take_spare()
            if school is not None:
                pool.rename_schema(school.schema_name, schema_name)
                school.schema_name = schema_name
                school.is_spare = False
            else:
                # Pool empty: create and migrate the schema here (slow, still atomic).
                school = School(schema_name=schema_name)
            school.name = cleaned["name"]
            school.code = cleaned["code"]
            school.subdomain = cleaned["subdomain"]
            school.onboarded_at = timezone.now()
            school.save(verbosity=0)
            Domain.objects.create(
                domain=domain_for(school.subdomain), tenant=school, is_primary=True
            )
            audit.record(
                actor,
                "school.onboarded",
                target=school,
                data={"code": school.code, "subdomain": school.subdomain},
            )
            with schema_context(school.schema_name):
                school_onboarded.send(sender=School, school=school)
                create_user(
                    actor=actor,
                    username=cleaned["admin_username"],
                    password=admin_password,
                    role=Role.SCHOOL_ADMIN,
                    display_name=_("校级管理员"),
                    must_change_password=admin_must_change_password,
                )
                audit.record(
                    actor, "school.onboarded", target_type="tenants.school", target_id=school.pk
                )
    except IntegrityError as exc:
        # Lost a race with a concurrent onboarding of the same subdomain or code.
        raise ValidationError(_("子域名或院校代码刚被其他学校占用，请检查后重试。")) from exc
    domain_cache.clear()
    transaction.on_commit(request_pool_refill)
    logger.info("school onboarded", extra={"school": school.schema_name})
    return school


def request_pool_refill() -> None:
    """Ask a worker to top the pool up; onboarding does not wait for it, nor fail without Redis."""
    from tenants.tasks import refill_schema_pool

    try:
        refill_schema_pool.delay()
    except Exception:  # broker down: the periodic refill catches up
        logger.warning("could not queue the schema pool refill", exc_info=True)
