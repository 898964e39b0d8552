"""`make bench-hash`: CPU per password check, Argon2id (OWASP parameters) against PBKDF2.

    python bench/password_hash.py [--rounds 20]

CPU time (process_time), not wall time: the machine is shared, and a check's cost to the
server is the CPU it burns. The headline figures are on the last line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from core.hashers import Argon2idHasher

    results = {}
    for hasher in (Argon2idHasher(), PBKDF2PasswordHasher()):
        encoded = hasher.encode("Bench#Grad-2026", hasher.salt())
        cpu = []
        for _ in range(args.rounds):
            t0 = time.process_time()
            assert hasher.verify("Bench#Grad-2026", encoded)
            cpu.append((time.process_time() - t0) * 1000)
        results[hasher.algorithm] = statistics.median(cpu)
        print(f"{hasher.algorithm:14s} {encoded.split('$')[1 if hasher.algorithm == 'pbkdf2_sha256' else 3]:>22s}  "
              f"median {statistics.median(cpu):6.1f} ms CPU per check, max {max(cpu):6.1f} ms")  # fmt: skip
    print(
        f"RESULT argon2id_ms={results['argon2']:.1f} pbkdf2_ms={results['pbkdf2_sha256']:.1f} "
        f"ratio={results['pbkdf2_sha256'] / results['argon2']:.1f}"
    )


if __name__ == "__main__":
    main()
