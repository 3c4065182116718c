"""Webhook subscriptions' rules that need no database: which URLs and addresses may be called."""

import ipaddress
from urllib.parse import urlsplit

SCHEMES = ("http", "https")


def url_refusal(url: str) -> str | None:
    """Why a subscriber's URL cannot be called (before its host is resolved), or None."""
    if any(ord(character) < 33 or ord(character) == 127 for character in url):
        return "A URL may not hold spaces or control characters."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "Not a valid URL."
    if parts.scheme not in SCHEMES:
        return "Only http and https URLs can receive webhooks."
    if not parts.hostname:
        return "The URL has no host."
    return None


def address_refusal(address: str) -> str | None:
    """Why an address must not be called from the service (it could reach the service's own
    network: server-side request forgery), or None for a public address."""
    ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 zone ("fe80::1%eth0") names no address
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address carried inside an IPv6 one (mapped, 6to4, Teredo) is judged as itself.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and (refusal := address_refusal(str(embedded))):
            return f"{address} carries {refusal.replace(' is ', ', ', 1)}"
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
    for kind, test in (
        ("a loopback", ip.is_loopback),
        ("an unspecified", ip.is_unspecified),
        ("a link-local", ip.is_link_local),
        ("a private", ip.is_private),
        ("a multicast", ip.is_multicast),
        ("a reserved", ip.is_reserved),
        ("a non-public", not ip.is_global),
    ):
        if test:
            return f"{address} is {kind} address."
    return None
