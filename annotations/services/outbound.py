"""POSTing to a subscriber's URL, safely: the host's addresses checked (no loopback, private or
link-local address unless settings allow it) at the moment of connecting, to the address
checked (a DNS answer that changes between check and connect cannot slip through), no
redirect followed, each step bounded by a timeout, and only the start of the answer read.

The standard library's http.client does all of it with one hook (the connection's socket);
requests or httpx would resolve names themselves behind our check.
"""

import contextlib
import http.client
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from annotations.domain.webhooks import address_refusal, url_refusal

ANSWER_BYTES_READ = 4096  # of a receiver's answer, kept for the deliveries list


class UnsafeUrl(Exception):
    """A URL the service must not call, with why."""


def checked_addresses(host: str, port: int, *, allow_private: bool) -> list[tuple]:
    """The host's addresses (getaddrinfo's sockaddr tuples, with their family), every one of
    them public unless `allow_private`: one private answer refuses the host, so that a
    name cannot mix a public address with an internal one."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:  # unknown, unreachable DNS, or no host name at all
        raise UnsafeUrl(f"The host {host} does not resolve ({exc}).") from None
    if not allow_private:
        for *_, sockaddr in found:
            if refusal := address_refusal(sockaddr[0]):
                named = "" if host.strip("[]") == sockaddr[0] else f" (the host {host} resolves to it)"
                raise UnsafeUrl(f"{refusal[:-1]}{named}: webhooks may not reach it.")
    return [(family, sockaddr) for family, _, _, _, sockaddr in found]


def check_url(url: str, *, allow_private: bool) -> None:
    """UnsafeUrl if the URL cannot be a subscriber's (its shape, or where its host resolves)."""
    if refusal := url_refusal(url):
        raise UnsafeUrl(refusal)
    parts = urlsplit(url)
    checked_addresses(parts.hostname, parts.port or _DEFAULT_PORTS[parts.scheme], allow_private=allow_private)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _connect_checked(allow_private: bool, opened: list):
    """A replacement for socket.create_connection that connects only to a checked address
    (and keeps the socket in `opened`, for the deadline to shut it down)."""

    def create_connection(address, timeout, source_address=None):
        host, port = address
        error = None
        for family, sockaddr in checked_addresses(host, port, allow_private=allow_private):
            sock = socket.socket(family, socket.SOCK_STREAM)
            opened.append(sock)
            try:
                sock.settimeout(timeout)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        raise error or OSError(f"No address of {host} answered.")

    return create_connection


def _shut_down(sockets: list) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (the error says why)
    error: str
    duration_ms: int


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool) -> Answer:
    """POST `body` to `url` once. Never raises for what the receiver or the network does."""
    started = time.monotonic()

    def answer(status, error=""):
        return Answer(status, error[:500], round((time.monotonic() - started) * 1000))

    if refusal := url_refusal(url):
        return answer(None, refusal)
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    opened = []  # the sockets it opens (http.client lets go of its own once the answer is read)
    connection._create_connection = _connect_checked(allow_private, opened)
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    # The socket's timeout bounds each step; a receiver that drips its answer a byte at a time
    # would still hold the worker, so the whole exchange has a deadline too: past it, the
    # socket is shut down under http.client, which then fails.
    deadline = threading.Timer(timeout, _shut_down, args=(opened,))
    deadline.start()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(ANSWER_BYTES_READ).decode("utf-8", "replace")
    except UnsafeUrl as exc:
        return answer(None, f"Refused: {exc}")
    except (OSError, http.client.HTTPException) as exc:
        if isinstance(exc, TimeoutError) or not deadline.is_alive():
            return answer(None, f"No answer within {timeout:g} s.")
        return answer(None, f"{type(exc).__name__}: {exc}")
    finally:
        deadline.cancel()
        connection.close()
    if 300 <= response.status < 400:
        return answer(response.status, f"A redirect (to {response.getheader('Location', '?')}) is not followed.")
    if not 200 <= response.status < 300:
        return answer(response.status, text.strip()[:200])
    return answer(response.status)
