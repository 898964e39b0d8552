"""The seed's initial password: the last six characters of the graduate's ID number.

Imported graduates have an unusable password hash (hashing 20,000 passwords would take
hours); until they set their own, this backend compares against the ID number.
"""

from __future__ import annotations

import hmac

from django.contrib.auth.backends import ModelBackend

from accounts.models import Role, User
from students.identity import initial_password


class InitialPasswordBackend(ModelBackend):
    def check_initial_password(self, user: User, raw_password: str) -> bool:
        if user.role != Role.GRADUATE or user.has_usable_password():
            return False
        from students.models import Graduate

        graduate = Graduate.objects.filter(user=user).only("id_number").first()
        if graduate is None or not raw_password:
            return False
        expected = initial_password(graduate.id_number)
        return hmac.compare_digest(raw_password.strip().upper().encode(), expected.encode())

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = User.objects.filter(username=username, role=Role.GRADUATE).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        return user if self.check_initial_password(user, password) else None
