"""A webhook receiver on 127.0.0.1 for the tests: it keeps every request and answers as told."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)


class Receiver:
    """`answers`: statuses to answer, in turn (then `default`); `delay`: seconds before answering;
    `drip`: answer a long body a byte at a time, this many seconds apart; `location`: a
    Location header for 3xx answers."""

    def __init__(self):
        self.requests: list[Received] = []
        self.answers: list[int] = []
        self.default = 204
        self.delay = 0.0
        self.drip = 0.0  # seconds between the bytes of a long answer (0: answer at once)
        self.location = ""
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    status = receiver.answers.pop(0) if receiver.answers else receiver.default
                time.sleep(receiver.delay)
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                payload = b"" if status == 204 else f"answer {status}".encode()
                if receiver.drip:
                    payload = b"x" * 1000
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                for start in range(0, len(payload), 1 if receiver.drip else len(payload) or 1):
                    self.wfile.write(payload[start : start + (1 if receiver.drip else len(payload))])
                    self.wfile.flush()
                    time.sleep(receiver.drip)

            def log_message(self, *args):
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/copydesk"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that gave up (a timeout test) breaks the pipe: expected, not news
