"""selectors/users.py: a user's role, read from their groups and kept for the request."""

import pytest
from django.contrib.auth.models import AnonymousUser

from annotations.domain.roles import Role
from annotations.selectors.users import forget_role, user_role
from annotations.services.users import assign_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["consumer", "annotator", "reviewer", "admin"])
def test_the_role_is_the_users_group(role):
    assert user_role(UserFactory(role=role)) is Role.from_name(role)


def test_no_role_for_the_anonymous_the_inactive_and_the_groupless(consumer):
    assert user_role(AnonymousUser()) is Role.NONE
    assert user_role(None) is Role.NONE
    consumer.is_active = False
    assert user_role(consumer) is Role.NONE
    groupless = UserFactory(role="consumer")
    groupless.groups.clear()
    forget_role(groupless)
    assert user_role(groupless) is Role.NONE


def test_the_role_is_kept_until_forgotten(annotator, django_assert_num_queries):
    """One query for the groups, then none; assign_role forgets it for the new one."""
    forget_role(annotator)
    with django_assert_num_queries(1):
        assert user_role(annotator) is Role.ANNOTATOR
        assert user_role(annotator) is Role.ANNOTATOR
    assign_role(annotator, Role.REVIEWER)
    assert user_role(annotator) is Role.REVIEWER
