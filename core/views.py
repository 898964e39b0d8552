from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # report, don't crash: this is what the load balancer asks
        return False, exc.__class__.__name__


def check_redis() -> tuple[bool, str]:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        client.ping()
        return True, "ok"
    except Exception as exc:
        return False, exc.__class__.__name__


@never_cache
def healthz(request):
    db_ok, db_detail = check_database()
    redis_ok, redis_detail = check_redis()
    healthy = db_ok and redis_ok
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "postgresql": db_detail,
            "redis": redis_detail,
        },
        status=200 if healthy else 503,
    )


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)
