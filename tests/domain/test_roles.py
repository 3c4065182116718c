"""domain/roles.py: four roles in rising order, each holding what the one below holds. No database."""

import pytest

from annotations.domain.roles import ROLE_NAMES, ROLE_PERMISSIONS, Role


def test_roles_rise_and_are_named_as_their_groups():
    assert Role.NONE < Role.CONSUMER < Role.ANNOTATOR < Role.REVIEWER < Role.ADMIN
    assert ROLE_NAMES == ["consumer", "annotator", "reviewer", "admin"]
    assert [Role.from_name(name).group_name for name in ROLE_NAMES] == ROLE_NAMES
    with pytest.raises(KeyError):
        Role.from_name("editor")


def test_each_role_holds_the_permissions_of_the_one_below():
    consumer, annotator, reviewer, admin = (set(ROLE_PERMISSIONS[role]) for role in list(Role)[1:])
    assert consumer == {"view_article", "view_annotation"}
    assert consumer < annotator < reviewer == admin
    assert reviewer - annotator == {"review_annotation", "view_deletedannotation"}
