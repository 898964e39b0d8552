"""Routes each request to the platform site or a school's schema by its host name."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.urls import set_urlconf

from core.exceptions import api_not_found, is_api_path
from tenants import domain_cache


def platform_hosts() -> set[str]:
    domain = settings.PLATFORM_DOMAIN
    return {domain, f"www.{domain}", "testserver", "127.0.0.1"}


class SchoolTenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hostname = request.get_host().rsplit(":", 1)[0].lower().rstrip(".")
        if hostname in platform_hosts():
            connection.set_schema_to_public()
            request.school = request.tenant = None
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        else:
            # A cache miss queries public tables, which every school's search_path reaches.
            school = domain_cache.get(hostname)
            if school is None:
                set_urlconf(settings.PUBLIC_SCHEMA_URLCONF)
                if is_api_path(request.path):
                    return api_not_found(request)
                return render(
                    request, "errors/unknown_school.html", {"hostname": hostname}, status=404
                )
            connection.set_tenant(school)
            request.school = request.tenant = school
            request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return self.get_response(request)
