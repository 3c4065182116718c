"""The four roles of API.md, in rising order, and the model permissions each role's group holds."""

from enum import IntEnum


class Role(IntEnum):
    NONE = 0
    CONSUMER = 1
    ANNOTATOR = 2
    REVIEWER = 3
    ADMIN = 4

    @property
    def group_name(self) -> str:
        return self.name.lower()

    @property
    def with_article(self) -> str:
        """ "an annotator", "a reviewer": for messages."""
        return f"{'an' if self.group_name[0] in 'aeiou' else 'a'} {self.group_name}"

    @classmethod
    def from_name(cls, name: str) -> "Role":
        return cls[name.upper()]


ROLE_NAMES = [role.group_name for role in Role if role is not Role.NONE]

# Model permissions (codenames in the annotations app) each role's group holds, for the desk.
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
