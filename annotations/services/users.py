"""Roles as Django groups: annotators and reviewers are staff, so that they can
work on the desk with exactly their role's model permissions; consumers are not."""

from django.contrib.auth.models import Group, Permission

from annotations.domain.errors import NotAllowed
from annotations.domain.roles import ROLE_PERMISSIONS, Role
from annotations.selectors.users import forget_role, user_role


def sync_role_groups(**_kwargs) -> None:
    """Create the role groups with their permissions; safe to run again (post_migrate)."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.group_name)
        perms = Permission.objects.filter(content_type__app_label="annotations", codename__in=codenames)
        group.permissions.set(perms)


def assign_role(user, role: Role) -> None:
    """Put the user in exactly one role group and set the flags the desk reads."""
    sync_role_groups()
    user.groups.set([Group.objects.get(name=role.group_name)])
    user.is_staff = role >= Role.ANNOTATOR
    user.is_superuser = role is Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    forget_role(user)


def require_role(actor, role: Role, doing: str) -> None:
    """Refuse (403) an actor whose role is below `role`."""
    if user_role(actor) < role:
        raise NotAllowed(f"Only {role.with_article} or above may {doing}.")
