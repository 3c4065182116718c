from rest_framework.permissions import BasePermission

from annotations.domain.roles import Role
from annotations.selectors.users import user_role


class RolePermission(BasePermission):
    """Lets a request through when the user's role is at least the one its view
    names for the action in `required_roles` (default: consumer); an action that
    serves several methods may name a role per method ({"POST": Role.ANNOTATOR})."""

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        required = getattr(view, "required_roles", {}).get(view.action, Role.CONSUMER)
        if isinstance(required, dict):
            required = required.get(request.method, Role.CONSUMER)
        allowed = user_role(request.user) >= required
        if not allowed and request.user.is_authenticated:
            self.message = f"Only {required.with_article} or above may do this."
        return allowed
