from tests.factories.employers import *  # noqa: F403 — moved; the lead removes this shim at merge
