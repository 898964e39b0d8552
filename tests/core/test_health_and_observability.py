import logging
import time
import uuid

import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connection
from django_tenants.utils import schema_context

from core.logging import PiiScrubFilter
from core.observability import before_send
from saas_platform.celery import app
from saas_platform.devservices import RedisProcess
from tests.utils import client_for

ID_NUMBER = "430521200001011236"
MOBILE = "13812345678"


def test_healthz_reports_postgresql_and_redis(db):
    response = client_for(None).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "postgresql": "ok", "redis": "ok"}


def test_healthz_answers_503_when_redis_is_down(db, tmp_path, settings, school_a):
    server = RedisProcess(tmp_path / "redis")
    server.start()
    settings.REDIS_URL = server.url
    assert client_for(school_a).get("/healthz").status_code == 200
    server.stop()
    response = client_for(school_a).get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["postgresql"] == "ok"
    assert response.json()["redis"] != "ok"
    # Pages that don't need Redis keep working.
    assert client_for(school_a).get("/").status_code == 200


def test_logs_never_carry_id_numbers_or_phones():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "import failed for %s, phone %s", (ID_NUMBER, MOBILE), None
    )
    PiiScrubFilter().filter(record)
    message = record.getMessage()
    assert ID_NUMBER not in message and MOBILE not in message
    assert "4305**2000********" in message and "138****5678" in message


def test_sentry_events_are_scrubbed_and_tagged_with_the_school(school_a):
    event = {
        "message": f"bad id {ID_NUMBER}",
        "extra": {"row": {"身份证号": ID_NUMBER, "手机号": MOBILE}},
        "exception": {"values": [{"value": f"duplicate {ID_NUMBER}"}]},
    }
    with schema_context(school_a.schema_name):
        scrubbed = before_send(event, {})
    assert ID_NUMBER not in str(scrubbed) and MOBILE not in str(scrubbed)
    assert scrubbed["tags"]["schema"] == "school_alpha"


@app.task(name="tests.record_schema")
def record_schema(key: str) -> None:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    client.set(key, connection.schema_name, ex=60)


def test_celery_tasks_run_in_the_schema_of_the_school_that_queued_them(
    committed, school_a, school_b
):
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    keys = {}
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        for school in (school_a, school_b, None):
            key = f"test:{uuid.uuid4().hex}"
            keys[key] = school.schema_name if school else "public"
            if school:
                with schema_context(school.schema_name):
                    record_schema.delay(key)
            else:
                record_schema.delay(key)
        deadline = time.monotonic() + 60  # a bound, not a performance assertion
        while time.monotonic() < deadline and not all(client.get(key) for key in keys):
            time.sleep(0.05)
    assert {key: (client.get(key) or b"").decode() for key in keys} == keys
