"""Production settings (`check --deploy` clean), the load balancer's /livez, Argon2id logins."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import Client

from tests.utils import ADMIN_PASSWORD, logged_in_client, school_admin

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "wangqian.example.edu.cn"


def production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANGQIAN_", "DJANGO_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PLATFORM_DOMAIN=DOMAIN,
        # Never contacted by these checks: production-shaped, not reachable.
        DATABASE_URL="postgres://wangqian:secret@db.internal:5432/wangqian",
        REDIS_URL="rediss://cache.internal:6379/0",
        DATABASE_POOL_MODE="transaction",
        AWS_STORAGE_BUCKET_NAME="wangqian-files",
        WANGQIAN_DATA_DIR=os.environ.get("WANGQIAN_DATA_DIR", str(ROOT / ".data")),
    )
    return env


def run_python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=production_env(), capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_environment():
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_values():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
        "'proxy': s.SECURE_PROXY_SSL_HEADER, 'hsts': s.SECURE_HSTS_SECONDS, "
        "'sub': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'redirect': s.SECURE_SSL_REDIRECT, "
        "'cookie': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, "
        "'hasher': s.PASSWORD_HASHERS[0], "
        "'ssc': s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS')}))"
    )
    result = run_python(
        "-c", f"import os; os.environ['DJANGO_SETTINGS_MODULE']='saas_platform.settings'; {code}"
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["debug"] is False
    assert DOMAIN in values["hosts"] and f".{DOMAIN}" in values["hosts"]  # every school
    assert values["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["hsts"] >= 31_536_000 and values["sub"] is True
    assert values["redirect"] and values["cookie"] and values["csrf"]
    assert values["hasher"] == "core.hashers.Argon2idHasher"
    assert values["ssc"] is True


def test_livez_answers_the_load_balancer_by_ip_without_the_database():
    response = Client(HTTP_HOST="10.0.3.17").get("/livez")  # not an allowed host
    assert response.status_code == 200
    assert response.content == b"ok"


def test_pbkdf2_hash_is_upgraded_to_argon2id_at_next_login(school_a, settings):
    settings.PASSWORD_HASHERS = [
        "core.hashers.Argon2idHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    from django_tenants.utils import schema_context

    admin = school_admin(school_a)
    with schema_context(school_a.schema_name):
        # An existing hash from before the switch (few iterations: the format is the same).
        admin.password = PBKDF2PasswordHasher().encode(ADMIN_PASSWORD, "oldsalt1234", 1000)
        admin.save(update_fields=["password"])

    logged_in_client(school_a, "admin", ADMIN_PASSWORD)

    admin = school_admin(school_a)
    assert admin.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert admin.check_password(ADMIN_PASSWORD)
    logged_in_client(school_a, "admin", ADMIN_PASSWORD)  # and the new hash logs in
