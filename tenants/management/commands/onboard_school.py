import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.context import cli_actor
from tenants import selectors
from tenants.services import onboard_school


class Command(BaseCommand):
    help = "开通一所学校：创建其数据库 schema、子域名、默认设置和首个校级管理员（要么全部完成，要么什么都不留下）。"

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="学校名称，如 邵阳学院")
        parser.add_argument("--code", required=True, help="5 位院校代码，如 10547")
        parser.add_argument("--subdomain", required=True, help="子域名，如 syxy")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-password", required=True)

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            school = onboard_school(
                actor=cli_actor("onboard_school"),
                name=options["name"],
                code=options["code"],
                subdomain=options["subdomain"],
                admin_username=options["admin_username"],
                admin_password=options["admin_password"],
            )
        except ValidationError as exc:
            lines = []
            for field, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                lines.extend(
                    f"  {('--' + field.replace('_', '-') + ': ') if field else ''}{m}"
                    for m in messages
                )
            raise CommandError("开通失败，未做任何更改：\n" + "\n".join(lines)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已开通 {school.name}（{school.code}）：{selectors.primary_url(school)} "
                f"schema={school.schema_name}，用时 {time.perf_counter() - started:.2f} 秒"
            )
        )
