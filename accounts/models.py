from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Public schema (the platform site)
    OPERATOR = "operator", _("平台运营")
    EMPLOYER = "employer", _("用人单位 HR")
    # A school's schema
    SCHOOL_ADMIN = "school_admin", _("校级管理员")
    COLLEGE_ADMIN = "college_admin", _("院系管理员")
    GRADUATE = "graduate", _("毕业生")


PLATFORM_ROLES = {Role.OPERATOR, Role.EMPLOYER}
SCHOOL_ROLES = {Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.GRADUATE}


class User(AbstractUser):
    """One table per schema: platform users in public, each school's users in its schema.

    The same username may exist in two schools; a session or token from one
    school's table means nothing in another's.
    """

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    must_change_password = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_school_admin(self) -> bool:
        return self.role == Role.SCHOOL_ADMIN


class ApiToken(models.Model):
    """One API login (a phone app, a script): many per user, each revocable, each expiring.

    Only a SHA-256 digest of the key is stored, so a database dump logs nobody in. The
    expiry slides: a token unused for `API_TOKEN_IDLE_SECONDS` is dead, and none lives
    longer than `API_TOKEN_MAX_AGE_SECONDS` (see accounts.tokens).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    name = models.CharField(_("设备"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"))

    class Meta:
        verbose_name = _("API 令牌")
        indexes = [models.Index(fields=["user", "last_used_at"], name="apitoken_user_used")]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"
