from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.masking import mask_id_number
from core.storage import upload_to


def roster_upload_to(instance, filename: str) -> str:
    return upload_to("rosters")(instance, filename)


class EducationLevel(models.TextChoices):
    JUNIOR_COLLEGE = "junior_college", _("专科")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class TrainingMode(models.TextChoices):
    NON_DIRECTED = "non_directed", _("非定向")
    DIRECTED = "directed", _("定向")
    COMMISSIONED = "commissioned", _("委培")


class VerificationState(models.TextChoices):
    IMPORTED = "imported", _("待核验")
    VERIFYING = "verifying", _("核验中")
    SUBMITTED = "submitted", _("待学院审核")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("已退回")


class College(models.Model):
    """院系. College admins are bound to one or more colleges."""

    name = models.CharField(_("学院名称"), max_length=100, unique=True)
    code = models.CharField(_("学院代码"), max_length=32, blank=True)
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="admin_colleges",
        blank=True,
        verbose_name=_("院系管理员"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("学院")

    def __str__(self) -> str:
        return self.name


class Major(models.Model):
    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="majors")
    name = models.CharField(_("专业名称"), max_length=100)

    class Meta:
        ordering = ["college__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["college", "name"], name="major_unique_per_college")
        ]

    def __str__(self) -> str:
        return self.name


class Graduate(models.Model):
    """A graduate's 生源 record: basic, contact, student-status and archive groups.

    `imported_values` keeps the editable fields as the school imported them, so the
    reviewer sees what the graduate changed; `corrected_fields` names the fields the
    graduate changed, which a re-import never overwrites.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="graduate"
    )
    # 基本信息
    student_number = models.CharField(_("学号"), max_length=32, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    id_number = EncryptedTextField(_("身份证号"))
    # Keyed HMAC of the ID number: uniqueness and look-ups without decrypting.
    id_number_index = models.CharField(max_length=64, db_index=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=20, blank=True)
    education_level = models.CharField(_("学历层次"), max_length=16, choices=EducationLevel.choices)
    college = models.ForeignKey(
        College, on_delete=models.PROTECT, related_name="graduates", verbose_name=_("学院")
    )
    major = models.ForeignKey(
        Major, on_delete=models.PROTECT, related_name="graduates", verbose_name=_("专业")
    )
    class_name = models.CharField(_("班级"), max_length=50, blank=True)
    graduation_year = models.PositiveSmallIntegerField(_("毕业年份"))
    origin = models.CharField(_("生源地"), max_length=100, blank=True)
    # 联系方式
    mobile = models.CharField(_("手机号"), max_length=20, blank=True)
    email = models.CharField(_("邮箱"), max_length=254, blank=True)
    home_address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    # 学籍信息
    enrolment_date = models.DateField(_("入学日期"), null=True, blank=True)
    study_length = models.DecimalField(
        _("学制（年）"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    training_mode = models.CharField(
        _("培养方式"), max_length=16, choices=TrainingMode.choices, blank=True
    )
    sponsor_unit = models.CharField(_("定向/委培单位"), max_length=200, blank=True)
    # 档案信息
    archive_moves = models.BooleanField(_("档案是否转出"), null=True, blank=True)
    archive_unit = models.CharField(_("档案接收单位"), max_length=200, blank=True)
    archive_address = models.CharField(_("档案接收地址"), max_length=200, blank=True)
    archive_postcode = models.CharField(_("档案接收邮编"), max_length=6, blank=True)
    archive_phone = models.CharField(_("档案接收电话"), max_length=30, blank=True)

    state = models.CharField(
        _("核验状态"),
        max_length=16,
        choices=VerificationState.choices,
        default=VerificationState.IMPORTED,
        db_index=True,
    )
    # Bumped on every submission: a reviewer decides on the version they saw.
    revision = models.PositiveIntegerField(default=0)
    imported_values = models.JSONField(default=dict, blank=True)
    corrected_fields = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["student_number"]
        verbose_name = _("毕业生")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index", "graduation_year"], name="graduate_id_number_per_year"
            )
        ]
        indexes = [
            models.Index(fields=["college", "state"]),
            # The statistics' one pass over the roster reads this index only (destinations).
            models.Index(
                fields=["college", "major", "state"], include=["id"], name="graduate_stats_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_number} {self.name}"

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


class RosterImport(models.Model):
    """One uploaded roster: checked first (preview), applied on confirmation."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("正在检查")
        INVALID = "invalid", _("有错误")
        READY = "ready", _("检查通过，待确认")
        IMPORTING = "importing", _("正在导入")
        DONE = "done", _("导入完成")
        FAILED = "failed", _("导入失败")
        DISCARDED = "discarded", _("已放弃")
        EXPIRED = "expired", _("已过期")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Encrypted, and emptied once the import no longer needs it (students/roster_files.py).
    file = models.FileField(upload_to=roster_upload_to)
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CHECKING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
