"""Validation of what an operator types when onboarding a school."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SUBDOMAIN_RE = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
CODE_RE = re.compile(r"^\d{5}$")


def normalise_subdomain(value: str) -> str:
    return (value or "").strip().lower()


def validate_subdomain(value: str) -> str:
    value = normalise_subdomain(value)
    if not value:
        raise ValidationError(_("请填写子域名。"), code="required")
    if not SUBDOMAIN_RE.match(value) or "--" in value:
        raise ValidationError(
            _("子域名“%(value)s”无效：只能用小写字母、数字和连字符，以字母开头，2–40 个字符。"),
            params={"value": value},
            code="invalid",
        )
    if value in settings.RESERVED_SUBDOMAINS or value.startswith("pg"):
        raise ValidationError(
            _("子域名“%(value)s”为平台保留，不能用于学校。"),
            params={"value": value},
            code="reserved",
        )
    return value


def validate_code(value: str) -> str:
    value = (value or "").strip()
    if not CODE_RE.match(value):
        raise ValidationError(
            _("院校代码“%(value)s”无效：应为 5 位数字（例如邵阳学院 10547）。"),
            params={"value": value},
            code="invalid",
        )
    return value


def schema_name_for(subdomain: str) -> str:
    return "school_" + subdomain.replace("-", "_")


def domain_for(subdomain: str) -> str:
    return f"{subdomain}.{settings.PLATFORM_DOMAIN}"
