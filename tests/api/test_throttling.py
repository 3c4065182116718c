"""Throttles: DRF's per user and per anonymous client, and one on bad tokens; each a 429 with
Retry-After. Rates come from settings (tests set small ones)."""

import pytest
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


@pytest.fixture
def rates(monkeypatch):
    """Set throttle rates by scope for the test (DRF reads them once, into its classes)."""

    def set_rates(**rates: str) -> None:
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, **rates})

    return set_rates


def test_a_user_over_their_rate_gets_a_429_with_retry_after(client_for, consumer, rates):
    rates(user="3/minute")
    client = client_for(consumer)
    assert [client.get("/api/articles/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/articles/")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled. Expected available in ")
    assert 0 < int(response["Retry-After"]) <= 60


def test_users_are_counted_apart(client_for, consumer, annotator, rates):
    rates(user="2/minute")
    erin, alice = client_for(consumer), client_for(annotator)
    assert [erin.get("/api/articles/").status_code for _ in range(3)] == [200, 200, 429]
    assert alice.get("/api/articles/").status_code == 200


def test_anonymous_clients_are_throttled_by_address(db, rates):
    rates(anon="2/minute")
    client = APIClient()
    assert [client.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]


def test_bad_tokens_are_throttled_before_they_are_looked_up(client_for, consumer, rates, django_assert_num_queries):
    """A flood of bad tokens was answered 401 at 198 a second, each a lookup; past the rate
    they are 429 without touching the database, and a good token from elsewhere still works."""
    rates(failed_auth="3/minute")
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert [bad.get("/api/articles/").status_code for _ in range(3)] == [401, 401, 401]
    with django_assert_num_queries(0):
        response = bad.get("/api/articles/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    other = client_for(consumer)
    other.defaults["REMOTE_ADDR"] = "10.0.0.9"
    assert other.get("/api/articles/").status_code == 200


def test_good_tokens_spend_nothing_of_the_bad_token_allowance(client_for, consumer, rates):
    rates(failed_auth="2/minute")
    client = client_for(consumer)
    assert {client.get("/api/articles/").status_code for _ in range(5)} == {200}


def test_the_address_behind_a_trusted_proxy_is_the_forwarded_one(db, rates, settings, monkeypatch):
    """Behind make serve's nginx (PROXY_COUNT=1) each client is counted by the address nginx
    forwards, not nginx's own; without a proxy, a forged X-Forwarded-For changes nothing."""
    rates(anon="1/minute")
    client = APIClient()
    assert client.get("/api/schema/", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 200
    assert client.get("/api/schema/", HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 429
    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)
    assert client.get("/api/schema/", HTTP_X_FORWARDED_FOR="192.0.2.3").status_code == 200
    assert client.get("/api/schema/", HTTP_X_FORWARDED_FOR="192.0.2.4").status_code == 200
    assert client.get("/api/schema/", HTTP_X_FORWARDED_FOR="192.0.2.4").status_code == 429


def test_the_default_rates_are_set():
    assert AnonRateThrottle().rate == "60/minute" and UserRateThrottle().rate == "1200/minute"
