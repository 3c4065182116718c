"""Signing in to the desk: a flood from one address is answered 429 before any password is
checked, and a username that keeps failing from one address is locked out (django-axes)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import clear_script_prefix, set_script_prefix
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

LOGIN = "/admin/login/"


def sign_in(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


@pytest.fixture
def login_rate(monkeypatch):
    def set_rate(rate: str) -> None:
        rates = {**api_settings.DEFAULT_THROTTLE_RATES, "login": rate}
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)

    return set_rate


def test_the_right_password_signs_in(reviewer):
    response = sign_in(Client(), "bob", "bob")
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_a_flood_of_sign_ins_from_one_address_is_a_429(reviewer, login_rate, django_assert_num_queries):
    login_rate("5/minute")
    client = Client()
    assert [sign_in(client, "bob", "wrong").status_code for _ in range(5)] == [200] * 5
    with django_assert_num_queries(0):  # no user looked up, no password hashed
        response = sign_in(client, "bob", "bob")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.content.decode() == "Too many sign-in attempts from your address; try again in a minute."
    assert sign_in(Client(REMOTE_ADDR="10.0.0.7"), "bob", "bob").status_code == 302


def test_a_username_that_keeps_failing_is_locked_out_from_that_address(reviewer, settings):
    """After AXES_FAILURE_LIMIT wrong passwords, even the right one is refused from there."""
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    assert [sign_in(client, "bob", "wrong").status_code for _ in range(2)] == [200, 200]
    assert sign_in(client, "bob", "wrong").status_code == 429
    assert sign_in(client, "bob", "bob").status_code == 429
    assert AccessAttempt.objects.get(username="bob").failures_since_start == 4  # the try while locked counts
    # Another address is not locked out.
    assert sign_in(Client(REMOTE_ADDR="10.0.0.8"), "bob", "bob").status_code == 302


def test_a_failure_count_resets_on_success(reviewer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    sign_in(client, "bob", "wrong")
    sign_in(client, "bob", "wrong")
    assert sign_in(client, "bob", "bob").status_code == 302
    assert not AccessAttempt.objects.filter(username="bob").exists()


def test_the_sign_in_throttle_holds_under_a_url_prefix(reviewer, login_rate):
    """Served under a prefix (SCRIPT_NAME), the throttle compared the wrong paths and never acted."""
    login_rate("2/minute")
    client = Client(SCRIPT_NAME="/copydesk")
    form = {"username": "bob", "password": "wrong"}
    set_script_prefix("/copydesk/")  # as the WSGI handler does from SCRIPT_NAME (the test client does not)
    try:
        assert [client.post(LOGIN, form).status_code for _ in range(3)] == [200, 200, 429]
    finally:
        clear_script_prefix()
