"""The one validator that keeps a graduate's personal data out of their new password.

The initial password is the last six of the ID number, and the ID number, the 学号 and
the birth date are what a classmate or a leaked roster knows: a new password may neither
be nor contain any of them (case and separators ignored).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s\-_./]")


def _normalise(value: str) -> str:
    return _SEPARATORS.sub("", value or "").upper()


def personal_values(user) -> list[tuple[str, str]]:
    """(what, value) pairs a password must not contain, for this user (graduates: the most)."""
    values: list[tuple[str, str]] = []
    graduate = None
    if getattr(user, "pk", None) is not None and getattr(user, "role", "") == "graduate":
        from students.models import Graduate

        graduate = (
            Graduate.objects.filter(user_id=user.pk).only("id_number", "student_number").first()
        )
    if graduate is not None:
        from students.identity import normalize_id_number

        id_number = normalize_id_number(graduate.id_number)
        values.append((_("学号"), graduate.student_number))
        if id_number:
            values.append((_("身份证号"), id_number))
            values.append((_("身份证号后六位"), id_number[-6:]))
        if len(id_number) == 18 and id_number[6:14].isdigit():
            birth = id_number[6:14]  # YYYYMMDD
            values.append((_("出生日期"), birth))
            values.append((_("出生日期"), birth[2:]))  # YYMMDD
    return [(what, _normalise(value)) for what, value in values if value]


class PersonalDataValidator:
    """Refuses the ID number, its last six, the 学号 and the birth date, and passwords containing them."""

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        typed = _normalise(password)
        for what, value in personal_values(user):
            if len(value) >= 4 and value in typed:
                raise ValidationError(
                    _("新密码不能包含您的%(what)s，请换一个别人猜不到的密码。") % {"what": what},
                    code="password_personal_data",
                )

    def get_help_text(self) -> str:
        return _("密码不能包含身份证号（或其后六位）、学号或出生日期。")
