import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")

from saas_platform import devservices  # noqa: E402

devservices.bootstrap()

# Each task runs in the schema of the school that queued it.
app = CeleryApp("saas_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
