"""Finding 9 on 应约, 15 (removed proofs), and the rest of 17: the per-IP login limit spans
every school, /dev/wechat/ needs DEBUG and an operator, `make run` never prints an
initial password."""

from __future__ import annotations

import io
import json
import uuid
from contextlib import redirect_stdout

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from agreements import services
from agreements.models import ProofImage, State
from core.models import AuditLog
from settings_per_school.services import update_school_settings
from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import OPERATOR_PASSWORD, host_of, logged_in_client

# --- finding 9: 应约 with a wrong password --------------------------------------------------


def test_guessing_the_password_on_accept_locks_the_account(cast, employer, settings):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
    thief = logged_in_client(cast.tenant, graduate.user.username, f.GRADUATE_PASSWORD)
    for guess in range(settings.AXES_FAILURE_LIMIT - 1):
        page = thief.post(f"/agreements/{a.pk}/accept", {"version": 1, "password": f"g{guess}"})
        assert page.status_code == 302
    api = thief.post(
        f"/api/v1/agreements/{a.pk}/accept",
        json.dumps({"version": 1, "password": "last-guess"}),
        content_type="application/json",
    )
    assert api.status_code == 400
    # Locked: even the right password is refused now, and the login page says so.
    right = thief.post(
        f"/api/v1/agreements/{a.pk}/accept",
        json.dumps({"version": 1, "password": f.GRADUATE_PASSWORD}),
        content_type="application/json",
    )
    assert right.status_code == 400 and "账号已被临时锁定" in json.dumps(
        right.json(), ensure_ascii=False
    )
    with f.in_school(cast.tenant):
        a.refresh_from_db()
        assert a.state == State.INVITED
    fresh = Client(HTTP_HOST=host_of(cast.tenant), REMOTE_ADDR="10.66.0.1")
    login = fresh.post(
        "/accounts/login/", {"username": graduate.user.username, "password": f.GRADUATE_PASSWORD}
    )
    assert login.status_code == 200 and "锁定" in login.content.decode()


# --- finding 15: removed proofs -------------------------------------------------------------


def test_a_removed_proof_is_gone_for_everyone_but_the_audit(
    cast, django_capture_on_commit_callbacks
):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        update_school_settings(actor=cast.admin_actor(), changes={"allow_student_initiation": True})
        a = flows.own_draft(graduate)
        kept = services.add_proof(
            actor=f.web(graduate.user), agreement_id=a.pk, upload=f.png_upload("keep.png")
        )
        removed = ProofImage.objects.filter(agreement=a).exclude(pk=kept.pk).get()
        stored_name = removed.image.name
    grad = logged_in_client(cast.tenant, graduate.user.username, f.GRADUATE_PASSWORD)
    url = f"/agreements/{a.pk}/proofs/{removed.pk}"
    assert grad.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert grad.post(f"{url}/remove").status_code == 302
    with f.in_school(cast.tenant):
        services.submit_own_agreement(actor=f.web(graduate.user), agreement_id=a.pk)
    college = logged_in_client(cast.tenant, cast.college_admins[0].username, f.STAFF_PASSWORD)
    admin = logged_in_client(cast.tenant, "admin", f.ADMIN_PASSWORD)
    for client in (grad, college, admin):
        assert client.get(url).status_code == 404
        assert client.get(f"/agreements/{a.pk}/proofs/{kept.pk}").status_code == 200
    assert not default_storage.exists(stored_name)
    with f.in_school(cast.tenant):
        assert AuditLog.objects.filter(
            action="agreement.proof_removed", target_id=str(a.pk), data__proof=removed.pk
        ).exists()


# --- finding 17: the per-IP login limit is platform-wide -----------------------------------


def test_the_per_ip_limit_counts_failures_on_every_schools_host(school_a, school_b, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 4
    ip = f"10.55.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    on_a = Client(HTTP_HOST=host_of(school_a), REMOTE_ADDR=ip)
    on_b = Client(HTTP_HOST=host_of(school_b), REMOTE_ADDR=ip)
    platform = Client(HTTP_HOST=host_of(None), REMOTE_ADDR=ip)
    for n in range(4):  # spread over three hosts, different accounts
        client = (on_a, on_b, platform, on_a)[n]
        client.post("/accounts/login/", {"username": f"nobody{n}", "password": "x"})
    # The right admin password, from the same address, on a host it never failed on before.
    refused = on_b.post("/accounts/login/", {"username": "admin", "password": f.ADMIN_PASSWORD})
    assert refused.status_code == 200 and "该网络的登录失败次数过多" in refused.content.decode()
    other_ip = Client(HTTP_HOST=host_of(school_b), REMOTE_ADDR="10.54.1.1")
    assert (
        other_ip.post(
            "/accounts/login/", {"username": "admin", "password": f.ADMIN_PASSWORD}
        ).status_code
        == 302
    )


# --- finding 17: /dev/wechat/ ------------------------------------------------------------------


def test_dev_wechat_needs_debug_and_an_operator(db, settings, fake_wechat):
    settings.DEBUG = True
    assert Client(HTTP_HOST=host_of(None)).get("/dev/wechat/").status_code == 404
    hr = f.make_employer()
    assert (
        logged_in_client(None, hr.hr.username, f.HR_PASSWORD).get("/dev/wechat/").status_code == 404
    )
    operator = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    assert operator.get("/dev/wechat/").status_code == 200
    settings.DEBUG = False
    assert operator.get("/dev/wechat/").status_code == 404


# --- finding 17: make run's output -----------------------------------------------------------


def test_the_demo_seed_never_prints_an_initial_password(db):
    """`make run` prints what seed_demo_students writes; no ID number's last six in it."""
    from students.management.commands.seed_demo_students import DEMO_SCHOOL, demo_id_number
    from tests.utils import new_school

    school = new_school(subdomain=DEMO_SCHOOL)
    out = io.StringIO()
    with redirect_stdout(out):
        call_command("seed_demo_students", stdout=out)
    text = out.getvalue()
    from django_tenants.utils import schema_context

    from students.models import Graduate

    with schema_context(school.schema_name):
        assert Graduate.objects.count() == 30  # it did seed
    for i in range(30):
        assert demo_id_number(i)[-6:] not in text
    from saas_platform import devrun

    banner = devrun.banner()
    assert "2022000001" in banner  # the banner prints the demo logins
    for i in range(30):
        assert demo_id_number(i)[-6:] not in banner
