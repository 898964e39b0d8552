"""Finding 6: no ID number or mobile number reaches the log output, whatever carries it there.

The test reads what the configured handlers actually write (the JSON console and runserver's
access log), after representative requests and errors: access lines with personal data in the
query string, the CSRF failure, 4xx responses, a database error's traceback, `extra` fields,
`%s` args and stack traces.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import urllib.parse
import urllib.request

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connection, transaction
from django.test import Client

from tests.factories.students import import_rows, make_id_number, roster_row
from tests.utils import host_of

ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
FULL_ID = make_id_number(71)
PHONE = "13812345671"
NAME = "欧阳秘密"


@pytest.fixture
def captured_logs():
    """Point every configured handler (root's and runserver's) at one buffer."""
    buffer = io.StringIO()
    handlers = {
        handler
        for logger in (logging.getLogger(), logging.getLogger("django.server"))
        for handler in logger.handlers
        if isinstance(handler, logging.StreamHandler) and handler.filters
    }
    assert len(handlers) == 2, handlers  # the JSON console and the access log
    previous = {handler: handler.setStream(buffer) for handler in handlers}
    logging.getLogger("django.server").setLevel(logging.INFO)
    yield buffer
    for handler, stream in previous.items():
        handler.setStream(stream)


@pytest.fixture
def runserver(committed_school):
    """runserver's own request handler, which writes the access lines to django.server."""
    from django.core.handlers.wsgi import WSGIHandler

    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield committed_school, server.server_address[1]
    server.shutdown()
    server.server_close()


def fetch(url: str, host: str) -> int:
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_access_lines_hide_query_strings(runserver, captured_logs):
    school, port = runserver
    query = urllib.parse.urlencode({"q": FULL_ID, "mobile": PHONE, "name": NAME})
    host = f"{host_of(school)}:{port}"
    for path in ("/students/", "/api/v1/students/graduates", "/no-such-page/"):
        fetch(f"http://127.0.0.1:{port}{path}?{query}", host)
    output = captured_logs.getvalue()
    assert "/api/v1/students/graduates?q=***&mobile=***&name=***" in output  # logged, masked
    assert_clean(output)


def test_requests_and_errors_leave_no_personal_data(school_a, captured_logs):
    import_rows(school_a, [roster_row(71)])
    query = urllib.parse.urlencode({"next": f"/students/?q={FULL_ID}", "tel": PHONE})
    # The CSRF failure: logged with the request, whose repr holds the full path and query.
    strict = Client(enforce_csrf_checks=True, HTTP_HOST=host_of(school_a))
    assert strict.post(f"/accounts/login/?{query}", {"username": FULL_ID}).status_code == 403
    client = Client(HTTP_HOST=host_of(school_a))
    # Failed logins with an ID number and a mobile as the user name (axes logs them).
    client.post("/accounts/login/", {"username": FULL_ID, "password": "x"})
    client.post(
        "/api/v1/auth/token",
        {"username": PHONE, "password": "x"},
        content_type="application/json",
    )
    client.get(f"/api/v1/students/graduates?q={FULL_ID}")  # 403 with the query in the request
    client.get(f"/students/{FULL_ID}/")  # 404 with the number in the path
    client.get("/api/v1/me", HTTP_X_REQUEST_ID=f"{FULL_ID}-{PHONE}")  # our own request-id field

    log = logging.getLogger("students.services")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT %s::integer", [FULL_ID + "x"])  # DataError quoting the value
    except Exception:
        log.exception("import failed for %s (%s)", FULL_ID, PHONE)
    log.warning(
        "graduate changed",
        extra={"graduate": {"id_number": FULL_ID, "phones": [PHONE]}, "note": f"tel {PHONE}"},
    )
    log.warning("%s called %s", NAME, PHONE, stack_info=True)
    logging.getLogger("celery.app.trace").error(
        "Task %s raised: %r", "students.check_roster", ValueError(f"bad row {FULL_ID}")
    )

    output = captured_logs.getvalue()
    for expected in ("Forbidden (CSRF", "import failed for", "Traceback", "graduate changed"):
        assert expected in output  # the records were written, only scrubbed
    assert_clean(output)


def assert_clean(output: str) -> None:
    assert output.strip()
    assert not ID_RE.findall(output), ID_RE.findall(output)
    assert not PHONE_RE.findall(output), PHONE_RE.findall(output)
    assert FULL_ID[6:14] not in output  # not even the birth date run of digits
    assert NAME not in output and urllib.parse.quote(NAME) not in output


def test_gunicorn_access_and_error_logs_are_scrubbed(tmp_path):
    """gunicorn reads ./gunicorn.conf.py, whose logger class scrubs both of its logs."""
    import datetime
    import runpy
    from types import SimpleNamespace

    from gunicorn.config import Config

    from core.logging import ScrubbingGunicornLogger

    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    # Started from the repository root, and the container's own config (Dockerfile, ECS).
    for conf in ("gunicorn.conf.py", "saas_platform/gunicorn.conf.py"):
        assert runpy.run_path(str(root / conf))["logger_class"] == (
            "core.logging.ScrubbingGunicornLogger"
        ), conf
    out = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(out))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    logger = ScrubbingGunicornLogger(cfg)
    query = f"q={FULL_ID}&tel={PHONE}"
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/students/", "QUERY_STRING": query, "RAW_URI": f"/students/?{query}",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}  # fmt: skip
    request = SimpleNamespace(
        headers=[], method="GET", path="/students/", query=query, uri=f"/students/?{query}",
        version=(1, 1),
    )  # fmt: skip
    response = SimpleNamespace(status="200 OK", status_code=200, headers=[], sent=10)
    logger.access(response, request, environ, datetime.timedelta(seconds=0.1))
    try:
        raise ValueError(f"row {FULL_ID}")
    except ValueError:
        logger.exception("worker failed for %s", PHONE)
    for handler in logger.access_log.handlers + logger.error_log.handlers:
        handler.flush()
    written = out.read_text() + (tmp_path / "error.log").read_text()
    assert "/students/?q=***&tel=***" in written and "worker failed for" in written
    assert_clean(written)
