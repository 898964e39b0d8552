from tests.factories.students import *  # noqa: F403 — moved; the lead removes this shim at merge
