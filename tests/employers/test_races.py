"""Concurrent requests: two registrations of one credit code, two operators on one entry."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import User
from core.context import Actor
from employers.models import Employer, Status
from employers.services import reject_employer, verify_employer
from tests.factories.employers import credit_code, off_loop, purge_employers, register


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # collected for the assertions
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_registrations_of_one_code_at_once_make_one_organisation(committed):
    off_loop(_two_registrations)


def _two_registrations():
    code = credit_code(seed=770001)
    try:
        outcomes = run_together(
            lambda: register("并发甲有限公司", code=code, username="race.a"),
            lambda: register("并发乙有限公司", code=code, username="race.b"),
        )
        errors = [o for o in outcomes if isinstance(o, ValidationError)]
        assert len(errors) == 1, outcomes
        assert "已在平台注册" in errors[0].message_dict["credit_code"][0]
        assert Employer.objects.filter(credit_code=code).count() == 1
        # The refused registration left no account behind.
        assert User.objects.filter(username__in=["race.a", "race.b"]).count() == 1
    finally:
        purge_employers(code)


def test_verify_and_reject_at_once_only_one_wins(committed):
    off_loop(_verify_and_reject)


def _verify_and_reject():
    code = credit_code(seed=770002)
    try:
        employer = register("并发审核有限公司", code=code, username="race.c").employer
        operator = Actor(user=User.objects.get(username="operator"))
        outcomes = run_together(
            lambda: verify_employer(actor=operator, employer_id=employer.pk),
            lambda: reject_employer(actor=operator, employer_id=employer.pk, reason="重复"),
        )
        assert sum(isinstance(o, ValidationError) for o in outcomes) == 1, outcomes
        final = Employer.objects.get(pk=employer.pk).status
        winner = next(o for o in outcomes if isinstance(o, Employer))
        assert final == winner.status and final in (Status.VERIFIED, Status.REJECTED)
    finally:
        purge_employers(code)
