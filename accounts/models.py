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
