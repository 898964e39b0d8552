from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """One notice to an employer (all its HR users see it), e.g. "an invitation was returned".

    Written by the agreements services from inside a school's transaction: the table lives
    in public, which is on every school's search_path, so it commits or rolls back with the
    agreement change it reports.
    """

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="notices"
    )
    # None for platform notices (the employer's verification), not about one school.
    school = models.ForeignKey(
        "tenants.School", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    agreement_id = models.BigIntegerField(null=True, blank=True)
    event = models.CharField(_("事件"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["employer", "-created_at"], name="emp_notice_time")]
        verbose_name = _("单位消息")

    def __str__(self) -> str:
        return self.title
