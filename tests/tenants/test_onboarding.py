import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import Role, User
from core.context import cli_actor
from settings_per_school.models import SchoolSettings
from tenants import pool
from tenants.migration_state import expected_migrations, outdated_schemas
from tenants.models import Domain, School
from tenants.services import onboard_school
from tests.utils import ADMIN_PASSWORD, OPERATOR_PASSWORD, client_for, logged_in_client


def footprint() -> tuple:
    """Everything onboarding could leave behind: schemas, tenant rows, domains."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'school_%%' ORDER BY 1")
        schemas = [row[0] for row in cursor.fetchall()]
    return (
        schemas,
        sorted(School.objects.filter(is_spare=False).values_list("subdomain", flat=True)),
        sorted(Domain.objects.values_list("domain", flat=True)),
    )


def onboard(**overrides) -> School:
    values = {
        "name": "邵阳学院",
        "code": "10547",
        "subdomain": "syxy",
        "admin_username": "admin",
        "admin_password": ADMIN_PASSWORD,
    }
    values.update(overrides)
    return onboard_school(actor=cli_actor("tests"), **values)


def test_onboarding_creates_a_ready_school_with_every_migration_applied(db):
    assert pool.spare_count() >= 1
    school = onboard()
    assert school.schema_name == "school_syxy" and not school.is_spare
    assert Domain.objects.get(tenant=school).domain == "syxy.localhost"
    assert outdated_schemas([school.schema_name]) == []
    with schema_context(school.schema_name):
        settings = SchoolSettings.objects.get()
        assert settings.school_name == "邵阳学院"
        admin = User.objects.get(username="admin")
        assert admin.role == Role.SCHOOL_ADMIN and admin.check_password(ADMIN_PASSWORD)
    page = client_for(school).get("/")
    assert page.status_code == 200 and "邵阳学院" in page.content.decode()
    logged_in_client(school, "admin", ADMIN_PASSWORD)


def test_onboarding_without_spares_migrates_a_new_schema(db):
    School.objects.filter(is_spare=True).update(is_spare=False, subdomain=None)  # hide the pool
    school = onboard(subdomain="hnu", code="10532", name="湖南大学")
    assert outdated_schemas([school.schema_name]) == []
    with schema_context(school.schema_name):
        assert SchoolSettings.objects.get().school_name == "湖南大学"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"subdomain": "alpha"}, "subdomain", "已被其他学校使用"),
        ({"code": "10001"}, "code", "已经开通"),
        ({"subdomain": "www"}, "subdomain", "保留"),
        ({"subdomain": "api"}, "subdomain", "保留"),
        ({"subdomain": "static"}, "subdomain", "保留"),
        ({"subdomain": "Bad_Name!"}, "subdomain", "无效"),
        ({"subdomain": "x"}, "subdomain", "无效"),
        ({"code": "1054"}, "code", "5 位数字"),
        ({"code": "1054a"}, "code", "5 位数字"),
        ({"name": "  "}, "name", "学校名称"),
        ({"admin_password": "123456"}, "admin_password", "密码"),
    ],
)
def test_refused_onboarding_leaves_nothing_behind(db, overrides, field, message):
    before, spares = footprint(), pool.spare_count()
    with pytest.raises(ValidationError) as excinfo:
        onboard(**overrides)
    assert message in " ".join(excinfo.value.message_dict[field])
    assert footprint() == before
    assert pool.spare_count() == spares


def test_a_failure_half_way_leaves_no_schema_domain_or_row(db, monkeypatch):
    import settings_per_school.services

    def broken(**kwargs):
        raise RuntimeError("disk full")

    before, spares = footprint(), pool.spare_count()
    # The school's settings are created by a receiver of tenants.signals.school_onboarded.
    monkeypatch.setattr(settings_per_school.services, "create_default_settings", broken)
    with pytest.raises(RuntimeError):
        onboard()
    assert footprint() == before
    assert pool.spare_count() == spares  # the spare went back to the pool, schema name and all


def test_command_exits_non_zero_with_a_clear_message(db, capsys):
    before = footprint()
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "onboard_school",
            "--name=湖南大学",
            "--code=10001",
            "--subdomain=www",
            "--admin-username=admin",
            f"--admin-password={ADMIN_PASSWORD}",
        )
    text = str(excinfo.value)
    assert "未做任何更改" in text and "保留" in text and "已经开通" in text
    assert footprint() == before

    call_command(
        "onboard_school",
        "--name=湖南大学",
        "--code=10532",
        "--subdomain=hnu",
        "--admin-username=admin",
        f"--admin-password={ADMIN_PASSWORD}",
    )
    assert "已开通 湖南大学" in capsys.readouterr().out
    assert School.objects.get(subdomain="hnu").name == "湖南大学"


def _unapply_last_migration(schema_name: str, app: str = "settings_per_school") -> None:
    call_command(
        "migrate_schemas", app, "zero", schema_name=schema_name, interactive=False, verbosity=0
    )
    connection.set_schema_to_public()


def _has_table(schema_name: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{schema_name}.{table}"])
        return cursor.fetchone()[0] is not None


def test_migrate_brings_spares_current_and_skips_schools_with_nothing_to_apply(db, capsys):
    spare = School.objects.filter(is_spare=True).first()
    _unapply_last_migration(spare.schema_name)
    assert not _has_table(spare.schema_name, "settings_per_school_schoolsettings")
    assert outdated_schemas([spare.schema_name]) == [spare.schema_name]

    call_command("migrate", interactive=False)
    out = capsys.readouterr().out
    total = School.objects.exclude(schema_name="public").count()
    assert f"{total} school schemas: {total - 1} up to date, 1 to migrate" in out
    assert _has_table(spare.schema_name, "settings_per_school_schoolsettings")

    call_command("migrate", interactive=False)
    assert f"{total} up to date, 0 to migrate" in capsys.readouterr().out


def test_a_stale_spare_is_migrated_before_it_becomes_a_school(db):
    spares = list(School.objects.filter(is_spare=True).order_by("id"))
    _unapply_last_migration(spares[0].schema_name)
    school = onboard()
    assert school.pk == spares[0].pk
    assert outdated_schemas([school.schema_name]) == []
    assert _has_table(school.schema_name, "settings_per_school_schoolsettings")
    with schema_context(school.schema_name):
        assert SchoolSettings.objects.get().school_name == "邵阳学院"


def test_expected_migrations_cover_every_school_app():
    apps = {app for app, _name in expected_migrations()}
    assert {"accounts", "settings_per_school", "core", "auth", "sessions"} <= apps
    assert "tenants" not in apps  # public-only


def test_operator_onboards_from_the_platform_pages(db):
    client = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    form = client.get("/operator/schools/new/")
    assert form.status_code == 200 and "开通新学校" in form.content.decode()
    refused = client.post(
        "/operator/schools/new/",
        {
            "name": "邵阳学院",
            "code": "105",
            "subdomain": "admin",
            "admin_username": "admin",
            "admin_password": ADMIN_PASSWORD,
        },
    )
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "5 位数字" in body and "保留" in body
    created = client.post(
        "/operator/schools/new/",
        {
            "name": "邵阳学院",
            "code": "10547",
            "subdomain": "syxy",
            "admin_username": "admin",
            "admin_password": ADMIN_PASSWORD,
        },
        follow=True,
    )
    assert "学校“邵阳学院”已开通" in created.content.decode()
    assert "http://syxy.localhost/" in created.content.decode()


def test_operator_onboards_through_the_api(db):
    token = (
        client_for(None)
        .post(
            "/api/v1/auth/token",
            {"username": "operator", "password": OPERATOR_PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    bad = client_for(None).post(
        "/api/v1/schools",
        {"name": "x", "code": "1", "subdomain": "www"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400 and "admin_username" in bad.json()["errors"]
    created = client_for(None).post(
        "/api/v1/schools",
        {
            "name": "湖南大学",
            "code": "10532",
            "subdomain": "hnu",
            "admin_username": "admin",
            "admin_password": ADMIN_PASSWORD,
        },
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201 and created.json()["schema_name"] == "school_hnu"
    listed = client_for(None).get("/api/v1/schools", **auth).json()["results"]
    assert {"alpha", "beta", "hnu"} <= {row["subdomain"] for row in listed}


def test_only_operators_onboard(school_a):
    admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    # A school admin's session belongs to the school's host; on the platform they are anonymous.
    response = admin.get("/operator/schools/new/", HTTP_HOST="localhost")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(None).get("/api/v1/schools").status_code in (401, 403)
