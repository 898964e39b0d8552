from django.core.management.base import BaseCommand

from accounts.models import User
from accounts.services import create_operator
from core.context import cli_actor
from saas_platform.demo import DEMO_OPERATOR, DEMO_SCHOOLS
from tenants.models import School
from tenants.services import onboard_school


class Command(BaseCommand):
    help = "Seed the demo (idempotent): an operator and the schools 邵阳学院 (syxy) and 湖南大学 (hnu)."

    def handle(self, *args, **options):
        actor = cli_actor("seed_demo")
        if not User.objects.filter(username=DEMO_OPERATOR[0]).exists():
            create_operator(actor=actor, username=DEMO_OPERATOR[0], password=DEMO_OPERATOR[1])
        for name, code, subdomain, username, password in DEMO_SCHOOLS:
            if not School.objects.filter(subdomain=subdomain).exists():
                onboard_school(
                    actor=actor,
                    name=name,
                    code=code,
                    subdomain=subdomain,
                    admin_username=username,
                    admin_password=password,
                    # The demo's printed logins work at once; real onboarding forces a change.
                    admin_must_change_password=False,
                )
        self.stdout.write("demo data ready")
