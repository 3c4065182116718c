"""adduser: creates or updates a user's role, idempotently, printing the token last."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.domain.roles import Role
from annotations.selectors.users import user_role


def adduser(*args) -> list[str]:
    out = StringIO()
    call_command("adduser", *args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.mark.django_db
def test_adduser_creates_user_with_role_and_prints_token_last():
    lines = adduser("alice", "--role", "annotator", "--password", "s3cret-pass")
    user = get_user_model().objects.get(username="alice")
    assert lines[-1] == Token.objects.get(user=user).key
    assert user_role(user) is Role.ANNOTATOR
    assert user.is_staff and not user.is_superuser
    assert user.check_password("s3cret-pass")


@pytest.mark.django_db
def test_adduser_again_updates_role_and_keeps_token():
    first = adduser("bob", "--role", "annotator")[-1]
    second = adduser("bob", "--role", "reviewer")[-1]
    assert first == second
    user = get_user_model().objects.get(username="bob")
    assert user_role(user) is Role.REVIEWER
    assert list(user.groups.values_list("name", flat=True)) == ["reviewer"]
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_roles_set_admin_site_flags():
    adduser("erin", "--role", "consumer")
    adduser("root", "--role", "admin")
    users = get_user_model().objects
    assert not users.get(username="erin").is_staff
    assert users.get(username="root").is_superuser


@pytest.mark.django_db
def test_token_authenticates_the_printed_user():
    token = adduser("erin", "--role", "consumer")[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/articles/").status_code == 200


@pytest.mark.django_db
def test_unknown_role_is_refused():
    with pytest.raises(CommandError, match="invalid choice"):
        adduser("x", "--role", "editor")
