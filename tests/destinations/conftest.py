from __future__ import annotations

import pytest
from django.db import connection

from tests.destinations import season as season_module
from tests.factories import agreements as f
from tests.utils import drop_school, new_school


@pytest.fixture(scope="module")
def season(django_db_setup, django_db_blocker):
    """The known 40-graduate season in a school of its own, built once per module (committed)."""
    with django_db_blocker.unblock():
        school = new_school()
        employer = f.make_employer("湘江智能科技有限公司")
        try:
            yield season_module.build(school, employer)
        finally:
            connection.set_schema_to_public()
            drop_school(school)
            f.remove_employers([employer])


@pytest.fixture
def cast(school_a):
    return f.build_school(school_a, graduates=3)


@pytest.fixture
def employer(db):
    return f.make_employer()
