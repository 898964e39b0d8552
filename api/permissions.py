from rest_framework.permissions import SAFE_METHODS, BasePermission

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


class IsSchoolAdminOrReadOnly(BasePermission):
    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.role == Role.SCHOOL_ADMIN
        )
