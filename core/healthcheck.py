"""`/livez`: the load balancer's target check, answered before host validation and the database.

The load balancer asks each task by its private IP, a Host that is not in ALLOWED_HOSTS, and
must not take every task out of service while PostgreSQL fails over; `/healthz` (database and
Redis) stays the deep check for people and monitors.
"""

from __future__ import annotations

from django.http import HttpResponse


class LivenessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/livez":
            return HttpResponse("ok", content_type="text/plain")
        return self.get_response(request)
