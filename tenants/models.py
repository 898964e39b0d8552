from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class School(TenantMixin):
    """A university: one PostgreSQL schema, one subdomain.

    Spare rows (`is_spare`) are pre-migrated schemas waiting in the onboarding
    pool. They are tenant rows on purpose: the normal `migrate` command loops
    over tenant rows, so spares can never fall behind the schools.
    """

    name = models.CharField(_("学校名称"), max_length=100, blank=True)
    code = models.CharField(_("院校代码"), max_length=5, unique=True, null=True, blank=True)
    subdomain = models.CharField(_("子域名"), max_length=40, unique=True, null=True, blank=True)
    is_spare = models.BooleanField(default=False, db_index=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    onboarded_at = models.DateTimeField(null=True, blank=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["code"]
        verbose_name = _("学校")

    def __str__(self) -> str:
        return self.name or self.schema_name


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("域名")
