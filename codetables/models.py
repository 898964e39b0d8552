"""The national code tables (public schema), each kept in every version it was loaded in.

A destination record stores the code value and the version it was registered with, so
a revision of a table never changes what an older record says.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TableVersion(models.Model):
    table = models.CharField(_("代码表"), max_length=32)
    title = models.CharField(_("名称"), max_length=100)
    version = models.CharField(_("版本"), max_length=40)
    is_current = models.BooleanField(_("现行版本"), default=False)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("代码表版本")
        ordering = ["table", "version"]
        constraints = [
            models.UniqueConstraint(fields=["table", "version"], name="codetable_version_uniq"),
            models.UniqueConstraint(
                fields=["table"], condition=Q(is_current=True), name="codetable_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class Code(models.Model):
    version = models.ForeignKey(TableVersion, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(_("代码"), max_length=12, db_collation="C")
    name = models.CharField(_("名称"), max_length=100)
    # The parent code (GB/T 2260 province of a city…), and the table's own columns
    # (a destination's category, required fields and proof; an industry's GB/T 4754 section).
    parent = models.CharField(max_length=12, blank=True)
    attrs = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("代码")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="codetable_code_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
