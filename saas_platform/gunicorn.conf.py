"""gunicorn for the web tier (the container's entry point): `gunicorn -c saas_platform/gunicorn.conf.py`.

Sync workers, one request at a time each: with every worker holding at most one database
connection, a task's connections are bounded by GUNICORN_WORKERS (PgBouncer bounds the rest).
"""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
wsgi_app = "saas_platform.wsgi:application"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30  # ECS stops a task with SIGTERM, then SIGKILL after stopTimeout
keepalive = 75  # longer than the load balancer's 60 s idle timeout: no reset connections
max_requests = 5000  # recycle workers now and then (bounded memory growth)
max_requests_jitter = 500
worker_tmp_dir = "/dev/shm"  # heartbeat files off the container's overlay disk
# The load balancer is the only client; X-Forwarded-* come from it (private subnets only).
forwarded_allow_ips = "*"
accesslog = "-"
errorlog = "-"
# Both logs scrubbed of ID numbers, phones and query values, as ./gunicorn.conf.py does for a
# gunicorn started from the repository root (issue 9, finding 6).
logger_class = "core.logging.ScrubbingGunicornLogger"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
