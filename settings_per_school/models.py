from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.storage import logo_upload_to, seal_upload_to

# No number in here: the allowance and the cooldown are settings of their own, and the
# application page states them next to this text.
DEFAULT_TERMINATION_GUIDANCE = (
    "解约须与用人单位协商一致。申请时请写明解约原因，并上传用人单位同意解约的证明材料"
    "（如加盖公章的解约函），经学校就业指导中心审核通过后方解约成功。"
    "解约次数有限，解约成功后须等待规定的工作日数才能重新应约，请慎重考虑。"
)

MAX_COPY_LABELS = 10


def validate_copy_labels(value) -> None:
    """分联名称: a list of up to ten short names, each printed on one labelled copy."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("分联名称应为名称列表。"))
    if len(value) > MAX_COPY_LABELS:
        raise ValidationError(_("分联最多 %(n)d 联。"), params={"n": MAX_COPY_LABELS})
    for label in value:
        if not label.strip() or len(label) > 30:
            raise ValidationError(_("每联名称须为 1–30 个字。"))


class Starter(models.TextChoices):
    GRADUATE = "graduate", _("仅毕业生")
    GRADUATE_OR_EMPLOYER = "graduate_or_employer", _("毕业生或用人单位")


class ReviewLevels(models.TextChoices):
    SCHOOL = "school", _("仅学校审核")
    COLLEGE_THEN_SCHOOL = "college_then_school", _("院系审核后学校审核")


class SchoolSettings(models.Model):
    """The one settings record of a school, in that school's schema."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    school_name = models.CharField(_("学校名称"), max_length=100)
    logo = models.ImageField(_("校徽"), upload_to=logo_upload_to, blank=True)
    seal = models.ImageField(_("公章图片"), upload_to=seal_upload_to, blank=True)

    allow_student_initiation = models.BooleanField(_("允许学生发起签约"), default=False)
    allow_termination = models.BooleanField(_("允许学生申请解约"), default=False)
    termination_guidance = models.TextField(
        _("解约流程指引"), default=DEFAULT_TERMINATION_GUIDANCE, blank=True
    )
    student_initiated_needs_school_review = models.BooleanField(
        _("学生发起的协议需校级审核"), default=True
    )
    invitation_validity_days = models.PositiveSmallIntegerField(
        _("邀约有效期（天）"), default=14, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    termination_cooldown_working_days = models.PositiveSmallIntegerField(
        _("解约后重新应约等待（工作日）"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(120)],
    )
    termination_starter = models.CharField(
        _("可发起解约的一方"), max_length=24, choices=Starter.choices, default=Starter.GRADUATE
    )
    termination_employer_consent_required = models.BooleanField(
        _("解约须用人单位在线同意"),
        default=True,
        help_text=_("单位未入驻平台时，以上传的单位解约函作为同意。"),
    )
    termination_review_levels = models.CharField(
        _("解约审核级别"), max_length=24, choices=ReviewLevels.choices, default=ReviewLevels.SCHOOL
    )
    terminations_allowed = models.PositiveSmallIntegerField(
        _("每位毕业生可解约次数"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    termination_window_from = models.DateField(_("解约申请开始日期"), null=True, blank=True)
    termination_window_to = models.DateField(_("解约申请截止日期"), null=True, blank=True)
    termination_publicity_days = models.PositiveSmallIntegerField(
        _("解约公示期（天）"),
        default=0,
        validators=[MaxValueValidator(30)],
        help_text=_("0 表示不公示；公示期满后学校方可审核。"),
    )
    print_copies = models.PositiveSmallIntegerField(
        _("打印份数"), default=4, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # When set, the PDF holds one labelled copy per name and the print dialog presets one copy.
    print_copy_labels = models.JSONField(
        _("分联名称"), default=list, blank=True, validators=[validate_copy_labels]
    )

    wechat_app_id = models.CharField(_("公众号 AppID"), max_length=32, blank=True)
    wechat_app_secret = EncryptedTextField(_("公众号 AppSecret"), blank=True)
    wechat_templates = models.JSONField(_("模板消息 ID"), default=dict, blank=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("学校设置")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="school_settings_singleton"),
            models.CheckConstraint(
                condition=models.Q(termination_window_from__isnull=True)
                | models.Q(termination_window_to__isnull=True)
                | models.Q(termination_window_from__lte=models.F("termination_window_to")),
                name="school_settings_termination_window_order",
                violation_error_message=_("解约申请开始日期不能晚于截止日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.school_name
