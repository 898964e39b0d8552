"""What other apps hook onto a school's life, so tenants imports none of them.

``school_onboarded`` is sent inside the onboarding transaction, in the new school's schema
(receivers create their per-school rows: the school's settings, ...).
"""

from django.dispatch import Signal

school_onboarded = Signal()  # sender=School, school=School
