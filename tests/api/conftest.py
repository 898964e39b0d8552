from tests.agreements.conftest import cast, employer, other_employer  # noqa: F401
