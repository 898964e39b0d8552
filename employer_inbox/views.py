from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role
from employer_inbox import selectors, services
from employers.selectors import membership_of


@role_required(Role.EMPLOYER)
def inbox(request):
    membership = membership_of(request.user)
    employer = membership.employer if membership is not None else None
    if employer is None:
        raise PermissionDenied
    notices = list(selectors.notices_for(employer.pk)[:100])
    # Opening the list is reading it.
    services.mark_all_read(employer_id=employer.pk)
    return render(request, "employer_inbox/inbox.html", {"notices": notices})
