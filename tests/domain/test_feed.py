"""The feed's plain rules: cursors, the retry schedule, and which addresses webhooks may reach."""

from datetime import timedelta

import pytest

from annotations.domain.feed import RETRY_LONGEST, BadCursor, cursor_of, retry_delay, sequence_of
from annotations.domain.webhooks import address_refusal, url_refusal


def test_a_cursor_names_a_position_and_back():
    assert sequence_of(cursor_of(12345)) == 12345 and cursor_of(0) == "0"


@pytest.mark.parametrize("cursor", ["", "abc", "-1", "1.5", "١٢", "9" * 19, " 1"])
def test_what_is_not_a_cursor_is_refused(cursor):
    with pytest.raises(BadCursor):
        sequence_of(cursor)


def test_retries_wait_twice_as_long_each_time_up_to_five_minutes():
    longest = [retry_delay(failures, draw=lambda: 1.0) for failures in range(1, 14)]
    assert longest[:4] == [timedelta(seconds=s) for s in (5, 10, 20, 40)]
    assert longest[-1] == RETRY_LONGEST == max(longest) == timedelta(minutes=5)
    assert retry_delay(10_000, draw=lambda: 1.0) == RETRY_LONGEST  # no overflow, however many


def test_retries_are_jittered_within_the_upper_half_of_their_bound():
    assert retry_delay(3, draw=lambda: 0.0) == timedelta(seconds=10)
    assert retry_delay(3, draw=lambda: 0.5) == timedelta(seconds=15)
    drawn = {retry_delay(6) for _ in range(50)}
    assert len(drawn) > 40 and all(timedelta(seconds=80) <= d <= timedelta(seconds=160) for d in drawn)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address refused, not a server bound
        ("2002:7f00:1::", "127.0.0.1, a loopback"),  # 6to4
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "127.0.0.1, a loopback"),  # Teredo
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_addresses_inside_a_network_are_refused(address, refused):
    refusal = address_refusal(address)
    assert (refusal is None) if refused is None else (refused in refusal)


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://hooks.example.com/copydesk", None),
        ("http://hooks.example.com:8080/x?y=1", None),
        ("file:///etc/passwd", "Only http and https"),
        ("gopher://example.com/", "Only http and https"),
        ("http://", "no host"),
        ("http://example.com:0x50/", "Not a valid URL"),
        ("http://exa mple.com/", "spaces or control characters"),
        ("http://example.com/\x00", "spaces or control characters"),
    ],
)
def test_only_http_urls_with_a_host(url, refused):
    refusal = url_refusal(url)
    assert (refusal is None) if refused is None else (refused in refusal)
