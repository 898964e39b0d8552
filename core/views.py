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


@never_cache
def signed_file(request, token: str):
    """Serve a stored object to whoever holds an unexpired link minted after a permission check."""
    import mimetypes

    from django.core.files.storage import default_storage
    from django.http import FileResponse, Http404

    from core.uploads import name_from_token

    name = name_from_token(token)
    if name is None or not default_storage.exists(name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    response["Cache-Control"] = "private, max-age=60"
    return response
