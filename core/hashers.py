"""Password hashing: Argon2id at OWASP's parameters; older PBKDF2 hashes upgrade at next login.

Django's Argon2PasswordHasher defaults to 100 MiB and 8 lanes; OWASP's password storage
cheat sheet's first choice is m=19 MiB, t=2, p=1 (about 40 ms of one core here, against
~0.5 s for PBKDF2 at Django's 1,000,000 iterations). Django re-hashes a password with the
first hasher whenever a login verifies it with another one (or other parameters).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    # Same algorithm name as Django's, so hashes stay readable by it and vice versa.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
