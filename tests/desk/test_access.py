"""Who gets into the desk (the admin site): staff roles with exactly their permissions; consumers stay out."""

import pytest
from django.test import Client
from django.urls import reverse

CHANGELIST = reverse("admin:annotations_annotation_changelist")


def test_consumers_cannot_log_in_to_the_admin_site(consumer):
    """A consumer's correct password is still refused at the admin login (told to use the API:
    tests/desk/test_site.py)."""
    client = Client()
    response = client.post(reverse("admin:login"), {"username": "erin", "password": "erin", "next": "/admin/"})
    assert response.status_code == 200
    assert "through the API" in response.content.decode()
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "annotator",
            {
                "view_article",
                "add_article",
                "view_annotation",
                "add_annotation",
                "change_annotation",
                "delete_annotation",
                "view_annotationevent",
            },
        ),
        (
            "reviewer",
            {
                "view_article",
                "add_article",
                "view_annotation",
                "add_annotation",
                "change_annotation",
                "delete_annotation",
                "view_annotationevent",
                "review_annotation",
                "view_deletedannotation",
            },
        ),
    ],
)
def test_annotators_and_reviewers_are_staff_with_exactly_their_roles_permissions(make_user, role, expected):
    """No permission beyond the role's: no user management, no article edits."""
    user = make_user(role)
    assert user.is_staff and not user.is_superuser
    assert user.get_all_permissions() == {f"annotations.{codename}" for codename in expected}


def test_annotators_see_articles_and_annotations_only(annotator, browser_for):
    """The admin index offers an annotator the two Copydesk lists and nothing of user management."""
    html = browser_for(annotator).get("/admin/").content.decode()
    assert reverse("admin:annotations_article_changelist") in html
    assert CHANGELIST in html
    assert "/admin/auth/user/" not in html
