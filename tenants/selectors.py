from __future__ import annotations

from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from tenants.models import Domain, School


def school_list() -> QuerySet[School]:
    return School.objects.filter(is_spare=False).exclude(schema_name=get_public_schema_name())


def active_schools() -> QuerySet[School]:
    """The live schools: onboarded (not a spare schema), not switched off. The one definition."""
    return school_list().filter(is_active=True)


def active_schema_names() -> list[str]:
    return list(active_schools().order_by("id").values_list("schema_name", flat=True))


def tenant_schema_names() -> list[str]:
    """Every tenant schema, spares included: what migrate must keep current."""
    return list(
        School.objects.exclude(schema_name=get_public_schema_name())
        .order_by("id")
        .values_list("schema_name", flat=True)
    )


def school_for_hostname(hostname: str) -> School | None:
    domain = (
        Domain.objects.select_related("tenant")
        .filter(domain=hostname, tenant__is_spare=False, tenant__is_active=True)
        .first()
    )
    return domain.tenant if domain else None


def primary_url(school: School, scheme: str = "http", port: str = "") -> str:
    from tenants.naming import domain_for

    return f"{scheme}://{domain_for(school.subdomain)}{port}/"
