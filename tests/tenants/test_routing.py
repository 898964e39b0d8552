from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from settings_per_school.models import SchoolSettings
from tests.utils import ADMIN_PASSWORD, client_for, logged_in_client


def test_platform_site_and_each_school_show_their_own_name(school_a, school_b):
    platform = client_for(None).get("/")
    assert platform.status_code == 200
    assert "高校毕业生网签三方协议平台" in platform.content.decode()

    alpha = client_for(school_a).get("/").content.decode()
    beta = client_for(school_b).get("/").content.decode()
    assert "阿尔法大学" in alpha and "贝塔大学" not in alpha
    assert "贝塔大学" in beta and "阿尔法大学" not in beta


def test_www_is_the_platform_site(db):
    response = client_for(None).get("/", HTTP_HOST="www.localhost")
    assert "高校毕业生网签三方协议平台" in response.content.decode()


def test_unknown_subdomain_gets_a_friendly_chinese_404(db):
    response = client_for(None).get("/", HTTP_HOST="nosuchschool.localhost")
    assert response.status_code == 404
    assert "未找到该学校" in response.content.decode()
    api = client_for(None).get("/api/v1/school/public-settings", HTTP_HOST="nosuch.localhost")
    assert api.status_code == 404


def test_data_written_in_one_school_is_invisible_from_the_other(school_a, school_b):
    admin_a = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    response = admin_a.patch(
        "/api/v1/school/settings",
        {"allow_student_initiation": True, "school_name": "阿尔法大学（新校名）"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()

    beta_flags = client_for(school_b).get("/api/v1/school/public-settings").json()
    assert beta_flags["allow_student_initiation"] is False
    assert beta_flags["school_name"] == "贝塔大学"
    assert "阿尔法" not in client_for(school_b).get("/").content.decode()
    with schema_context(school_b.schema_name):
        assert SchoolSettings.objects.get().allow_student_initiation is False
    with schema_context(school_a.schema_name):
        assert SchoolSettings.objects.get().allow_student_initiation is True


def test_a_session_from_one_school_is_worthless_on_another(school_a, school_b):
    client = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    assert client.get("/settings/").status_code == 200
    # The same browser (same cookie jar) on the other school's host: not logged in there.
    response = client.get("/settings/", HTTP_HOST="beta.localhost")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    cookie = client.cookies["sessionid"]
    assert cookie["domain"] == ""  # host-only: browsers never send it to another subdomain


def test_a_token_from_one_school_is_refused_by_another(school_a, school_b):
    token = (
        client_for(school_a)
        .post(
            "/api/v1/auth/token",
            {"username": "admin", "password": ADMIN_PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client_for(school_a).get("/api/v1/me", **auth).json()["school"] == "alpha"
    refused = client_for(school_b).get("/api/v1/me", **auth)
    assert refused.status_code == 401
    assert client_for(None).get("/api/v1/me", **auth).status_code == 401


def test_token_login_errors_are_in_chinese(school_a):
    response = client_for(school_a).post(
        "/api/v1/auth/token",
        {"username": "admin", "password": "wrong"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "账号或密码不正确。"
    missing = client_for(school_a).post("/api/v1/auth/token", {}, content_type="application/json")
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"username", "password"}


def test_cache_keys_are_per_school(school_a, school_b):
    with schema_context(school_a.schema_name):
        cache.set("greeting", "alpha", 30)
    with schema_context(school_b.schema_name):
        assert cache.get("greeting") is None
        cache.set("greeting", "beta", 30)
    with schema_context(school_a.schema_name):
        assert cache.get("greeting") == "alpha"


def test_routing_costs_at_most_one_statement_per_request(school_a, school_b):
    alpha, beta = client_for(school_a), client_for(school_b)
    alpha.get("/api/v1/school/public-settings")  # warm the domain cache
    beta.get("/api/v1/school/public-settings")

    with CaptureQueriesContext(connection) as same_school:
        beta.get("/api/v1/school/public-settings")
    with CaptureQueriesContext(connection) as other_school:
        alpha.get("/api/v1/school/public-settings")

    def tenancy(queries):
        return [
            q["sql"] for q in queries if "search_path" in q["sql"] or "tenants_domain" in q["sql"]
        ]

    assert tenancy(same_school.captured_queries) == []
    assert len(tenancy(other_school.captured_queries)) <= 1


def test_openapi_document_and_docs_on_both_hosts(school_a):
    for client in (client_for(None), client_for(school_a)):
        schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
        assert schema.status_code == 200
        assert "/api/v1/auth/token" in schema.json()["paths"]
        assert client.get("/api/v1/docs/").status_code == 200
    assert (
        "/api/v1/school/settings"
        in client_for(school_a)
        .get("/api/v1/schema/", HTTP_ACCEPT="application/json")
        .json()["paths"]
    )
    assert (
        "/api/v1/schools"
        in client_for(None).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    )
