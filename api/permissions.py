"""Every DRF permission class of the API, by role (apps' apis.py import them from here)."""

from rest_framework.permissions import BasePermission

from accounts.models import Role


class HasRole(BasePermission):
    roles: tuple[str, ...] = ()

    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.role in self.roles
        )


class IsOperator(HasRole):
    roles = (Role.OPERATOR,)


class IsSchoolAdmin(HasRole):
    roles = (Role.SCHOOL_ADMIN,)


class IsCollegeAdmin(HasRole):
    roles = (Role.COLLEGE_ADMIN,)


class IsGraduate(HasRole):
    roles = (Role.GRADUATE,)


class IsEmployer(HasRole):
    """HR of an employer (the platform host)."""

    roles = (Role.EMPLOYER,)


class IsStaff(HasRole):
    """School staff: a school admin or a college admin."""

    roles = (Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN)


IsReviewer = IsStaff  # who reviews agreements and 生源: the same two roles


class IsSchoolParty(HasRole):
    """Anyone of a school's own: the graduate and the staff."""

    roles = (Role.GRADUATE, Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)
