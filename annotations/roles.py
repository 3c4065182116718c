"""The four roles of API.md, held as Django groups.

A user's role is the highest group they belong to; a superuser is an admin.
Annotators and reviewers are staff, so that they can work in the admin site
with exactly their role's model permissions; consumers are not.
"""

from enum import IntEnum

from django.contrib.auth.models import Group, Permission


class Role(IntEnum):
    NONE = 0
    CONSUMER = 1
    ANNOTATOR = 2
    REVIEWER = 3
    ADMIN = 4

    @property
    def group_name(self) -> str:
        return self.name.lower()

    @classmethod
    def from_name(cls, name: str) -> "Role":
        return cls[name.upper()]


ROLE_NAMES = [role.group_name for role in Role if role is not Role.NONE]

# Model permissions (app_label.codename) each role's group holds, for the admin site.
_CONSUMER_PERMS = ["view_article", "view_annotation"]
_ANNOTATOR_PERMS = [
    *_CONSUMER_PERMS,
    "add_article",
    "add_annotation",
    "change_annotation",
    "delete_annotation",
    "view_annotationevent",
]
_REVIEWER_PERMS = [*_ANNOTATOR_PERMS, "review_annotation", "view_deletedannotation"]
ROLE_PERMISSIONS = {
    Role.CONSUMER: _CONSUMER_PERMS,
    Role.ANNOTATOR: _ANNOTATOR_PERMS,
    Role.REVIEWER: _REVIEWER_PERMS,
    Role.ADMIN: _REVIEWER_PERMS,
}

_CACHE_ATTR = "_copydesk_role"


def user_role(user) -> Role:
    """The user's role; cached on the user object for the rest of the request."""
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


def has_role(user, role: Role) -> bool:
    return user_role(user) >= role


def sync_role_groups(**_kwargs) -> None:
    """Create the role groups with their permissions; safe to run again (post_migrate)."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.group_name)
        perms = Permission.objects.filter(content_type__app_label="annotations", codename__in=codenames)
        group.permissions.set(perms)


def assign_role(user, role: Role) -> None:
    """Put the user in exactly one role group and set the flags the admin site reads."""
    sync_role_groups()
    user.groups.set([Group.objects.get(name=role.group_name)])
    user.is_staff = role >= Role.ANNOTATOR
    user.is_superuser = role is Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
