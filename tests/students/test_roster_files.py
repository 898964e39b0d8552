"""Finding 5: an uploaded roster rests encrypted, and is deleted once its import is over."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from students.models import RosterImport
from tests.core.test_s3_storage import BUCKET, s3_endpoint, s3_storage  # noqa: F401 (fixtures)
from tests.factories.students import csv_bytes, graduate, make_id_number, roster_row
from tests.utils import ADMIN_PASSWORD, logged_in_client

ROWS = [roster_row(81), roster_row(82, 学历层次="本科")]
IDS = [make_id_number(81), make_id_number(82)]


@pytest.fixture
def eager_celery():
    from saas_platform.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def admin(school_a, eager_celery):
    return logged_in_client(school_a, "admin", ADMIN_PASSWORD)


def upload(admin, capture, rows=ROWS, name="roster.csv") -> RosterImport:
    with capture(execute=True):
        response = admin.post(
            "/students/imports/", {"file": SimpleUploadedFile(name, csv_bytes(rows))}
        )
    assert response.status_code == 302, response.content[:300]
    pk = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return RosterImport.objects.get(pk=pk)


def stored(roster_import: RosterImport) -> bytes:
    with default_storage.open(roster_import.file.name, "rb") as handle:
        return handle.read()


def assert_gone(roster_import: RosterImport, name: str) -> None:
    roster_import.refresh_from_db()
    assert roster_import.file.name == ""
    assert not default_storage.exists(name)


def test_waiting_roster_is_encrypted_then_deleted_on_confirmation(
    school_a, admin, django_capture_on_commit_callbacks
):
    with schema_context(school_a.schema_name):
        imp = upload(admin, django_capture_on_commit_callbacks)
        assert imp.status == "ready"
        name = imp.file.name
        raw = stored(imp)
        # The bytes at rest: no ID number, no phone, not even the header row in clear.
        for secret in (*IDS, "13800000081", "身份证号".encode().decode()):
            assert secret.encode() not in raw and secret.encode("gb18030") not in raw
        assert name.endswith(".enc") and "roster.csv" not in name

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/students/imports/{imp.pk}/")
    with schema_context(school_a.schema_name):
        imp.refresh_from_db()
        assert imp.status == "done"
        assert_gone(imp, name)
    assert graduate(school_a, "2022000081").id_number == IDS[0]  # imported from the ciphertext


def test_a_refused_roster_is_deleted_at_once(school_a, admin, django_capture_on_commit_callbacks):
    folder = f"{school_a.schema_name}/rosters"
    before = set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()
    with schema_context(school_a.schema_name):
        imp = upload(admin, django_capture_on_commit_callbacks, [roster_row(83, 学历层次="中专")])
        name = RosterImport.objects.filter(pk=imp.pk).values_list("file", flat=True)[0]
        assert imp.status == "invalid" and name == ""
        assert set(default_storage.listdir(folder)[1]) <= before


def test_the_admin_discards_a_checked_roster(school_a, admin, django_capture_on_commit_callbacks):
    with schema_context(school_a.schema_name):
        imp = upload(admin, django_capture_on_commit_callbacks)
        name = imp.file.name
        assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        page = admin.post(f"/students/imports/{imp.pk}/", {"action": "discard"})
    assert page.status_code == 302
    with schema_context(school_a.schema_name):
        imp.refresh_from_db()
        assert imp.status == "discarded"
        assert_gone(imp, name)
    # Nothing can be confirmed any more, and nothing was imported.
    with django_capture_on_commit_callbacks(execute=True):
        refused = admin.post(f"/api/v1/students/imports/{imp.pk}/confirm")
    assert refused.status_code == 400
    with schema_context(school_a.schema_name):
        from students.models import Graduate

        assert not Graduate.objects.filter(student_number="2022000081").exists()


def test_the_sweep_deletes_abandoned_rosters(
    school_a, admin, settings, django_capture_on_commit_callbacks
):
    from students import tasks

    settings.ROSTER_FILE_MAX_AGE_HOURS = 6
    with schema_context(school_a.schema_name):
        old = upload(admin, django_capture_on_commit_callbacks)
        fresh = upload(admin, django_capture_on_commit_callbacks, [roster_row(84)])
        RosterImport.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(hours=7)
        )
        result = tasks.sweep_roster_files()
        assert result["expired"] == 1
        old.refresh_from_db()
        assert old.status == "expired" and "重新上传" in old.errors[0]["message"]
        assert_gone(old, old.file.name or "x")
        fresh.refresh_from_db()
        assert fresh.status == "ready" and default_storage.exists(fresh.file.name)
        from core.models import AuditLog

        assert AuditLog.objects.filter(action="roster.expired", target_id=str(old.pk)).exists()
    status = admin.get(f"/students/imports/{old.pk}/status").json()
    assert status["finished"] and status["status_display"] == "已过期"


def test_rosters_in_s3_are_encrypted_and_deleted(
    school_a,
    admin,
    s3_storage,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with schema_context(school_a.schema_name):
        imp = upload(admin, django_capture_on_commit_callbacks)
        key = imp.file.name
        body = s3_storage.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert not any(secret.encode() in body for secret in IDS)
    with django_capture_on_commit_callbacks(execute=True):
        admin.delete(f"/api/v1/students/imports/{imp.pk}")
    listed = s3_storage.list_objects_v2(Bucket=BUCKET, Prefix=f"{school_a.schema_name}/rosters/")
    assert listed.get("KeyCount", 0) == 0
