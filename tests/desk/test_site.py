"""The desk as Copydesk: its name on every page, its icon (and /favicon.ico), and a consumer
who signs in told where consumers work."""

import re
from xml.etree import ElementTree

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from annotations.desk.site import DeskSite
from tests.desk.test_login import sign_in

ICON = "/static/annotations/favicon.svg"


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_the_admin_site_is_the_desk():
    assert isinstance(admin.site, DeskSite)  # the default site, through INSTALLED_APPS (desk/apps.py)
    assert (admin.site.site_header, admin.site.site_title, admin.site.index_title) == (
        "Copydesk",
        "Copydesk",
        "Your desk",
    )


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/admin/", "Your desk | Copydesk"),
        ("/admin/annotations/annotation/", "Select annotation to change | Copydesk"),
        ("/admin/annotations/article/", "Select article to view | Copydesk"),
    ],
)
def test_every_page_says_copydesk_and_links_its_icon(reviewer, browser_for, path, title):
    html = browser_for(reviewer).get(path).content.decode()
    assert title_of(html) == title
    assert '<div id="site-name"><a href="/admin/">Copydesk</a></div>' in html
    assert "Django administration" not in html and "Django site admin" not in html
    assert f'<link rel="icon" href="{ICON}" type="image/svg+xml">' in html
    assert "View site" not in html  # "/" is the desk itself


def test_the_sign_in_page_says_copydesk_too():
    html = Client().get("/admin/login/").content.decode()
    assert title_of(html) == "Log in | Copydesk"
    assert ">Copydesk</a>" in html and "Django administration" not in html
    assert ICON in html


def test_favicon_ico_is_the_desk_icon():
    response = Client().get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, ICON)
    icon = finders.find("annotations/favicon.svg")
    assert icon is not None
    root = ElementTree.parse(icon).getroot()  # noqa: S314 - the repository's own file
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 32 32"


# --- signing in ----------------------------------------------------------------------------------


def test_a_consumer_with_the_right_password_is_sent_to_the_api(consumer):
    client = Client()
    response = sign_in(client, "erin", "erin")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Consumers read the approved annotations through the API" in html
    assert f'see <a href="{reverse("docs")}">/api/docs/</a>' in html
    assert "correct username and password" not in html
    assert client.get("/admin/").status_code == 302  # still not signed in


def test_a_consumer_with_a_wrong_password_is_told_the_password_is_wrong(consumer):
    html = sign_in(Client(), "erin", "wrong").content.decode()
    assert "Please enter the correct username and password for a staff account" in html
    assert "/api/docs/" not in html and "consumer" not in html.lower()


def test_staff_still_sign_in_and_are_still_refused_a_wrong_password(reviewer):
    assert sign_in(Client(), "bob", "wrong").content.decode().count("correct username and password") == 1
    assert sign_in(Client(), "bob", "bob")["Location"] == "/admin/"


def test_a_user_without_a_role_is_not_told_about_the_api(make_user, django_user_model):
    django_user_model.objects.create_user("nobody", password="nobody")
    html = sign_in(Client(), "nobody", "nobody").content.decode()
    assert "correct username and password" in html and "/api/docs/" not in html


def test_a_username_once_given_cannot_be_changed_on_the_desk(browser_for, admin_user, annotator):
    """Records name people by username: a rename would change them without telling the feed."""
    page = browser_for(admin_user).get(f"/admin/auth/user/{annotator.pk}/change/")
    assert page.status_code == 200
    assert 'name="username"' not in page.content.decode()
    added = browser_for(admin_user).get("/admin/auth/user/add/")
    assert 'name="username"' in added.content.decode()
