"""`make run`: give demo schools an official account on the fake WeChat and register them there."""

import hashlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from core.context import cli_actor
from notifications.events import EVENTS
from settings_per_school.selectors import get_school_settings
from settings_per_school.services import update_school_settings
from tenants.selectors import school_list
from wechat.fake_control import FakeWeChatControl


def demo_graduate(subdomain: str) -> tuple[str, str]:
    """The WeChat walk uses the story's graduate ready to verify (a real 生源 record)."""
    from saas_platform.demo import STORIES

    story = STORIES.get(subdomain)
    return story.to_verify if story else ("", "")


def demo_credentials(code: str) -> tuple[str, str]:
    digest = hashlib.sha256(f"wangqian-demo-{code}".encode()).hexdigest()
    return "wx" + digest[:16], digest[16:48]


class Command(BaseCommand):
    help = (
        "Development only: configure each school's official account on the fake WeChat server "
        "(keeps AppIDs already set) and register them with the fake."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_wechat_demo is for development (DEBUG) only.")
        fake = FakeWeChatControl(settings.WECHAT_API_BASE)
        actor = cli_actor("seed_wechat_demo")
        for school in school_list():
            with schema_context(school.schema_name):
                current = get_school_settings()
                if not current.wechat_app_id or not current.wechat_app_secret:
                    app_id, secret = demo_credentials(school.code or school.schema_name)
                    templates = {code: f"TPL-{code}" for code in EVENTS}
                    current = update_school_settings(
                        actor=actor,
                        changes={
                            "wechat_app_id": app_id,
                            "wechat_app_secret": secret,
                            "wechat_templates": templates,
                        },
                    )
                fake.add_app(current.wechat_app_id, current.wechat_app_secret)
            username, password = demo_graduate(school.subdomain)
            walk = f"; WeChat walk as {username} / {password}" if username else ""
            self.stdout.write(
                f"  {school.name}: 公众号 {current.wechat_app_id} on the fake WeChat{walk}"
            )
