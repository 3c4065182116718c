"""make serve holds up: slow clients hold no worker, and a long export to a slow reader finishes."""

import http.client
import json
import socket
import time
from urllib.parse import urlsplit

import pytest

from .conftest import manage

pytestmark = pytest.mark.production


def _connect(url: str, *, receive_buffer: int | None = None) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect((parts.hostname, parts.port))
    return sock


def _timed_get(url: str, path: str) -> tuple[int, float]:
    parts = urlsplit(url)
    started = time.monotonic()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", path)
    status = connection.getresponse().status
    connection.close()
    return status, time.monotonic() - started


def test_clients_that_never_finish_their_headers_hold_nothing(production_database, serve):
    """Sixteen clients that send a request line and stop (four took every sync worker
    before): a normal request is still answered at once."""
    url = serve(production_database)
    slow = []
    for _ in range(16):
        sock = _connect(url)
        sock.sendall(b"GET /api/health/ HTTP/1.1\r\nHost: x\r\n")  # no blank line: never finished
        slow.append(sock)
    try:
        time.sleep(1)
        timings = [_timed_get(url, "/api/health/") for _ in range(5)]
        assert [status for status, _ in timings] == [200] * 5
        assert max(seconds for _, seconds in timings) < 1.0, timings
    finally:
        for sock in slow:
            sock.close()


def test_a_long_export_to_a_slow_reader_finishes_with_its_count(production_database, serve):
    """An export that takes twice the workers' heartbeat timeout to read arrives whole, with as
    many records as its Copydesk-Record-Count header says and its end marker."""
    manage(production_database, "make_benchmark_data", "--annotations", "10000")
    url = serve(production_database, WEB_TIMEOUT="4")
    token = manage(production_database, "adduser", "reader", "--role", "consumer").strip().splitlines()[-1]
    parts = urlsplit(url)
    sock = _connect(url, receive_buffer=8192)
    request = (
        f"GET /api/exports/annotations.jsonl?end_marker=true HTTP/1.1\r\nHost: {parts.hostname}\r\n"
        f"Authorization: Token {token}\r\nConnection: close\r\n\r\n"
    )
    sock.sendall(request.encode())
    started, received = time.monotonic(), []
    while chunk := sock.recv(8192):
        received.append(chunk)
        time.sleep(0.02)  # about 400 KB/s at most
    sock.close()
    seconds = time.monotonic() - started
    head, _, body = b"".join(received).partition(b"\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
    assert head.startswith(b"HTTP/1.1 200")
    assert seconds > 8, f"read in {seconds:.1f} s: too fast to outlast the 4 s worker timeout"
    text = _dechunked(body) if headers.get("Transfer-Encoding") == "chunked" else body
    lines = text.decode().splitlines()
    records, marker = [json.loads(line) for line in lines[:-1]], json.loads(lines[-1])
    assert len(records) == int(headers["Copydesk-Record-Count"]) > 5000
    assert marker == {"copydesk_end_of_export": {"records": len(records)}}


def _dechunked(body: bytes) -> bytes:
    out, at = [], 0
    while True:
        line_end = body.index(b"\r\n", at)
        size = int(body[at:line_end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(body[line_end + 2 : line_end + 2 + size])
        at = line_end + 2 + size + 2
