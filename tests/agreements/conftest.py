from __future__ import annotations

import pytest

from tests.factories import agreements as f


@pytest.fixture
def cast(school_a):
    """School alpha's cast (in the test's transaction): colleges, admins, approved graduates."""
    return f.build_school(school_a, graduates=3)


@pytest.fixture
def employer(db):
    return f.make_employer()


@pytest.fixture
def other_employer(db):
    return f.make_employer()
