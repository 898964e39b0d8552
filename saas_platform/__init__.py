"""The Django project (named so because a package called `platform` shadows the standard library)."""

from saas_platform.celery import app as celery_app

__all__ = ["celery_app"]
