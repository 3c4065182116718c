"""A user's role, read from their groups."""

from annotations.domain.roles import Role

_CACHE_ATTR = "_copydesk_role"


def user_role(user) -> Role:
    """The user's role: the highest role group they are in (a superuser is an admin).

    Cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.NONE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        role = Role.ADMIN
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = max((r for r in Role if r.group_name in names), default=Role.NONE)
    setattr(user, _CACHE_ATTR, role)
    return role


def forget_role(user) -> None:
    """Drop the cached role, after the user's groups changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def may_review(user) -> bool:
    """Whether the user's role lets them review (its group holds the permission; admins all do)."""
    return user.has_perm("annotations.review_annotation")
