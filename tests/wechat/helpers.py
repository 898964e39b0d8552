"""Schools with an official account, graduates and bindings, built through the real services."""

from __future__ import annotations

from django_tenants.utils import schema_context

from accounts.models import Role
from accounts.services import create_user
from core.context import cli_actor
from settings_per_school.services import update_school_settings
from wechat.services import bind_openid

GRADUATE_PASSWORD = "Grad#Pass-2026"
APP_A = ("wx1a2b3c4d5e6f7a8b", "a" * 32)
APP_B = ("wx9f8e7d6c5b4a3f2e", "b" * 32)
TEMPLATES = {
    "source_approved": "TPL-approved-0001",
    "source_rejected": "TPL-rejected-0002",
}


def configure_wechat(school, fake, app=APP_A, templates=None, register: bool = True) -> None:
    appid, secret = app
    if register:
        fake.add_app(appid, secret)
    with schema_context(school.schema_name):
        update_school_settings(
            actor=cli_actor("tests"),
            changes={
                "wechat_app_id": appid,
                "wechat_app_secret": secret,
                "wechat_templates": TEMPLATES if templates is None else templates,
            },
        )


def make_graduate(school, username: str, name: str = "张三"):
    with schema_context(school.schema_name):
        return create_user(
            actor=cli_actor("tests"),
            username=username,
            password=GRADUATE_PASSWORD,
            role=Role.GRADUATE,
            display_name=name,
        )


def bind_graduate(school, fake, user, who: str, app=APP_A) -> str:
    """The graduate's WeChat follows the account and is bound (as the OAuth flow would)."""
    openid = fake.follow(app[0], who)
    with schema_context(school.schema_name):
        bind_openid(actor=cli_actor("tests"), user=user, openid=openid, app_id=app[0])
    return openid
