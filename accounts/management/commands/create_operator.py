from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import create_operator
from core.context import cli_actor


class Command(BaseCommand):
    help = "创建平台运营账号（公共 schema）。"

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args, **options):
        try:
            user = create_operator(
                actor=cli_actor("create_operator"),
                username=options["username"],
                password=options["password"],
            )
        except ValidationError as exc:
            raise CommandError("创建失败：" + "；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"已创建平台运营账号 {user.username}"))
