from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.context import cli_actor
from employers.directory_import import read_directory
from employers.services import import_directory, register_employer
from saas_platform.demo import DEMO_PENDING_HR

DEMO_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "demo_directory.csv"
# A demo HR account whose organisation waits in the operators' verification queue.
DEMO_HR = DEMO_PENDING_HR


class Command(BaseCommand):
    help = "演示数据（可重复执行）：用人单位名录（带“云”标记）和一个待审核单位的 HR 账号。"

    def handle(self, *args, **options):
        report = read_directory(DEMO_FILE)
        if not report.ok:
            raise CommandError("\n".join(report.lines()))
        actor = cli_actor("seed_demo_employers")
        import_directory(actor=actor, rows=report.rows)
        if not User.objects.filter(username=DEMO_HR[0]).exists():
            from django.core.files.uploadedfile import SimpleUploadedFile

            register_employer(
                actor=actor,
                username=DEMO_HR[0],
                password=DEMO_HR[1],
                display_name="演示 HR",
                employer={
                    "name": "长沙演示招聘有限公司",
                    "credit_code": "91430100MA4DEM000H",
                    "nature": "private",
                    "industry": "I",
                    "province": "湖南省",
                    "city": "长沙市",
                    "contact_name": "演示 HR",
                },
                licence=SimpleUploadedFile("licence.png", _demo_licence()),
            )
        self.stdout.write(f"demo employers ready ({len(report.rows)} in the directory)")


def _demo_licence() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 400), (250, 245, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 590, 390), outline=(180, 30, 30), width=6)
    draw.text((40, 40), "DEMO BUSINESS LICENCE", fill=(120, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
