"""Employers built through the real services."""

from __future__ import annotations

import itertools
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from core.context import cli_actor
from employers.services import import_directory, register_employer
from tests.factories.common import HR_PASSWORD, credit_code, png_bytes  # noqa: F401

_counter = itertools.count(1)


def licence_file(name: str = "licence.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def directory_entry(name: str, code: str | None = None, **fields) -> dict:
    return {
        "name": name,
        "credit_code": code or credit_code(seed=next(_counter) * 7919),
        "nature": fields.get("nature", "private"),
        "industry": fields.get("industry", "I"),
        "province": fields.get("province", "广东省"),
        "city": fields.get("city", "深圳市"),
    }


def add_to_directory(*entries: dict) -> dict:
    return import_directory(actor=cli_actor("tests"), rows=list(entries))


def register(
    name: str = "长沙星辰软件有限公司",
    code: str | None = None,
    username: str | None = None,
    **extra,
):
    """A pending employer with its first HR (the organisation's admin)."""
    number = next(_counter)
    return register_employer(
        actor=cli_actor("tests"),
        username=username or f"hr{number}x{random.randint(0, 10**6)}",
        password=HR_PASSWORD,
        display_name="王经理",
        employer={
            "name": name,
            "credit_code": code or credit_code(seed=number * 104729 + random.randint(0, 10**6)),
            "nature": "private",
            "industry": "I",
            "province": "湖南省",
            "city": "长沙市",
            "address": "岳麓区麓谷大道 1 号",
            "contact_name": "王经理",
            "contact_phone": "13812345678",
            "contact_email": "hr@example.com",
            **extra,
        },
        licence=licence_file(),
    )


def delete_platform_users(user_ids: list[int]) -> None:
    """Delete public-schema users without Django's cascade collector.

    The collector follows every relation to User, including school-schema ones (graduates,
    college admins) whose tables don't exist in the public schema. The product never deletes
    users; this is test clean-up only.
    """
    from django.db import connection

    from accounts.models import User

    with connection.cursor() as cursor:
        for table in ("authtoken_token", "accounts_user_groups", "accounts_user_user_permissions"):
            cursor.execute(f"DELETE FROM {table} WHERE user_id = ANY(%s)", [list(user_ids)])  # noqa: S608
    User.objects.filter(pk__in=user_ids)._raw_delete(connection.alias)


def purge_employers(*credit_codes: str) -> None:
    """Clean-up for committed (browser) tests: the product never deletes an employer."""
    from django.db import connection

    from employers.models import AgreementIndexEntry, Employer, Membership
    from employers.services import _count_bigrams

    connection.set_schema_to_public()
    employers = list(Employer.objects.filter(credit_code__in=credit_codes))
    users = list(
        Membership.objects.filter(employer__in=employers).values_list("user_id", flat=True)
    )
    from employer_inbox.models import Notice

    AgreementIndexEntry.objects.filter(employer__in=employers).delete()
    Notice.objects.filter(employer__in=employers).delete()
    Membership.objects.filter(employer__in=employers).delete()
    delete_platform_users(users)
    for employer in employers:
        _count_bigrams([], employer.name_bigrams)
    Employer.objects.filter(pk__in=[e.pk for e in employers]).update(merged_into=None)
    Employer.objects.filter(pk__in=[e.pk for e in employers]).delete()


def off_loop(fn, *args, **kwargs):
    """Run database work in a fresh thread.

    Once the session's Playwright browser has started, the main thread reports a running
    event loop and Django refuses ORM calls there; committed tests that run after the
    browser tests do their database work through this.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def work():
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()
