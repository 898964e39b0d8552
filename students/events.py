"""What the graduate hears about their 生源 review (delivered by the notifications app)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from notifications.services import notify
from students.models import Graduate


def emit_verification_decided(graduate: Graduate, approved: bool, reason: str) -> None:
    """Tell the graduate the college decided; call inside the business transaction."""
    if approved:
        event, title = "source_approved", _("生源信息审核通过")
        body = _("您的生源信息已由学院审核通过，现在可以网上签约了。")
    else:
        event, title = "source_rejected", _("生源信息被退回")
        body = _("您的生源信息被学院退回，原因：%(reason)s。请修改后重新提交。") % {
            "reason": reason
        }
    notify(user=graduate.user, event=event, title=title, body=body, url="/students/me/")
