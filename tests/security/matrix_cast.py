"""The cast of the route × role matrix, built once per module through the real services."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context

from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import OPERATOR_PASSWORD, host_of

TENANT = "saas_platform.urls_tenant"
PUBLIC = "saas_platform.urls_public"
TENANT_ROLES = ("anon", "grad", "col", "colx", "sch")
PUBLIC_ROLES = ("anon", "hr", "hrx", "hrp", "op")
# Users of the other host, sending their session cookie here: they must be anonymous.
CROSS_ROLES = {TENANT: ("hr", "op"), PUBLIC: ("grad", "sch")}


def patterns(urlconf: str) -> list[str]:
    """Every route of a URLconf, as its pattern string (`agreements/<int:pk>/`)."""

    def walk(items, prefix=""):
        for item in items:
            if isinstance(item, URLResolver):
                yield from walk(item.url_patterns, prefix + str(item.pattern))
            elif isinstance(item, URLPattern):
                yield prefix + str(item.pattern)

    return list(dict.fromkeys(walk(get_resolver(urlconf).url_patterns)))


@dataclass
class Cast:
    school: object
    school_cast: object
    employers: dict
    values: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    logins: dict = field(default_factory=dict)

    def login(self, role: str) -> Client:
        host_school, username, password = self.logins[role]
        client = Client(
            HTTP_HOST=host_of(host_school),
            REMOTE_ADDR=f"10.200.{len(role)}.7",
            raise_request_exception=False,
        )
        if username:
            response = client.post("/accounts/login/", {"username": username, "password": password})
            assert response.status_code == 302, (role, response.content.decode()[:500])
        self.clients[role] = client
        return client

    def cross_client(self, role: str, urlconf: str) -> Client:
        """A client for this urlconf's host carrying `role`'s session cookie of the other host."""
        school = self.school if urlconf == TENANT else None
        client = Client(
            HTTP_HOST=host_of(school), REMOTE_ADDR="10.200.9.9", raise_request_exception=False
        )
        for morsel in self.clients[role].cookies.values():
            client.cookies[morsel.key] = morsel.value
        return client

    def url(self, urlconf: str, route: str) -> str:
        def fill(match: re.Match) -> str:
            converter, name = match.group(1), match.group(2)
            key = f"{route}|{name}"
            if key in self.values:
                return str(self.values[key])
            if converter == "uuid":
                return str(self.values.get("uuid", uuid.UUID(int=0)))
            if name in self.values:
                return str(self.values[name])
            return {"int": "999999", "slug": "nope"}.get(converter, "nope")

        path = "/" + re.sub(r"<(\w+):(\w+)>", fill, route)
        return path + self.values.get(f"{route}|?", "")

    def client(self, role: str, urlconf: str) -> Client:
        """`role`'s client; "anon" is an anonymous visitor of this urlconf's host."""
        return self.clients[f"anon:{urlconf}" if role == "anon" else role]


def build() -> Cast:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from notifications.models import Message
    from settings_per_school.services import update_school_settings
    from students.services import create_staff, start_roster_import
    from tests.utils import new_school

    school = new_school()
    sc = f.build_school(school, graduates=3)
    employers = {
        "hr": f.make_employer(),
        "hrx": f.make_employer(),
        "hrp": f.make_employer(verified=False),
        "victim": f.make_employer(),  # the operator's verify/reject/merge land here
    }
    grad, victim_grad, withdrawable = sc.graduates[0], sc.graduates[1], sc.graduates[2]
    with schema_context(school.schema_name):
        update_school_settings(actor=sc.admin_actor(), changes={"allow_student_initiation": True})
        invitation = flows.invite(sc, employers["hr"], grad)
        to_withdraw = flows.invite(sc, employers["hr"], withdrawable)
        own = flows.own_draft(grad)
        proof = own.proofs.get()
        message = Message.objects.filter(user=grad.user).first()
        spare_staff = create_staff(
            actor=sc.admin_actor(),
            username=f"spare{uuid.uuid4().hex[:6]}",
            password=f.STAFF_PASSWORD,
            role="college_admin",
            college_ids=[sc.colleges[1].pk],
        )
        roster = start_roster_import(
            actor=sc.admin_actor(),
            upload=SimpleUploadedFile("roster.csv", f.ROSTER_HEADER.encode(), "text/csv"),
        )
    cast = Cast(school=school, school_cast=sc, employers=employers)
    agreement_routes = {
        "agreements/<int:pk>/proofs/": own.pk,
        "agreements/<int:pk>/proofs/<int:proof_id>": own.pk,
        "agreements/<int:pk>/proofs/<int:proof_id>/remove": own.pk,
        "agreements/<int:pk>/edit/": own.pk,
        "agreements/<int:pk>/submit": own.pk,
        "api/v1/agreements/<int:pk>/proofs": own.pk,
        "api/v1/agreements/<int:pk>/proofs/<int:proof_id>": own.pk,
        "api/v1/agreements/<int:pk>/submit": own.pk,
        "api/v1/employer/schools/<slug:school>/agreements/<int:pk>/withdraw": to_withdraw.pk,
        "employer/agreements/<slug:school>/<int:pk>/withdraw": to_withdraw.pk,
    }
    cast.values = {
        "pk": invitation.pk,
        "uuid": roster.pk,
        "api/v1/employer/prefill|?": f"?school={school.subdomain}",
        "proof_id": proof.pk,
        "school": school.subdomain,
        "subdomain": school.subdomain,
        "employer_id": employers["victim"].org.pk,
        "user_id": victim_grad.user_id,
        **{f"{route}|pk": value for route, value in agreement_routes.items()},
        # students: the victim graduate (a reset must not log a role out), a college, staff
        "students/<int:pk>/|pk": victim_grad.pk,
        "students/<int:pk>/reset-password/|pk": victim_grad.pk,
        "api/v1/students/graduates/<int:pk>|pk": victim_grad.pk,
        "api/v1/students/graduates/<int:pk>/approve|pk": victim_grad.pk,
        "api/v1/students/graduates/<int:pk>/reject|pk": victim_grad.pk,
        "api/v1/students/graduates/<int:pk>/reset-password|pk": victim_grad.pk,
        "students/colleges/<int:pk>/|pk": sc.colleges[0].pk,
        "api/v1/students/colleges/<int:pk>|pk": sc.colleges[0].pk,
        "students/staff/<int:pk>/|pk": spare_staff.pk,
        "api/v1/students/staff/<int:pk>|pk": spare_staff.pk,
        "notifications/<int:pk>/|pk": message.pk if message else 999999,
        "api/v1/messages/<int:pk>/read|pk": message.pk if message else 999999,
        "notifications/deliveries/<int:pk>/retry/|pk": 999999,
        "api/v1/notifications/deliveries/<int:pk>/retry|pk": 999999,
        "api/v1/auth/tokens/<int:pk>|pk": 999999,
        "files/<str:token>|token": "not-a-token",
    }
    cast.logins = {
        f"anon:{TENANT}": (school, "", ""),
        f"anon:{PUBLIC}": (None, "", ""),
        "grad": (school, grad.user.username, f.GRADUATE_PASSWORD),
        "col": (school, sc.college_admins[0].username, f.STAFF_PASSWORD),
        "colx": (school, sc.college_admins[1].username, f.STAFF_PASSWORD),
        "sch": (school, "admin", f.ADMIN_PASSWORD),
        "hr": (None, employers["hr"].hr.username, f.HR_PASSWORD),
        "hrx": (None, employers["hrx"].hr.username, f.HR_PASSWORD),
        "hrp": (None, employers["hrp"].hr.username, f.HR_PASSWORD),
        "op": (None, "operator", OPERATOR_PASSWORD),
    }
    for role in cast.logins:
        cast.login(role)
    return cast


def teardown(cast: Cast) -> None:
    from tests.utils import drop_school

    drop_school(cast.school)
    f.remove_employers(list(cast.employers.values()))


def classify(response) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        if "/accounts/login/" in location:
            return "login"
        if "/accounts/password/" in location:
            return "pwchange"
        return "redirect"
    if 200 <= code < 300:
        return "ok"
    return str(code)
