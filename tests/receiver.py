"""A webhook receiver for tests: an HTTP server on 127.0.0.1 that keeps what it was sent and
answers with the statuses it is told (or never, to test the timeout)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    at: float
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    answers: list[int | None] = field(default_factory=list)  # None: hang until stopped
    got: list[Received] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def wait(self, count: int, timeout: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.got) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.got) >= count, f"{len(self.got)} requests in {timeout} s, wanted {count}"
        return self.got


@contextmanager
def receiver(*answers: int | None, path: str = "/hook") -> Iterator[Receiver]:
    """Serve on a free port; each request takes the next of ``answers`` (200 once they run out)."""
    state: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (the standard library's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.got.append(Received(time.monotonic(), self.path, dict(self.headers.items()), body))
            status = state.answers.pop(0) if state.answers else 200
            if status is None:
                state.stop.wait(60)
                return
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = Receiver(f"http://127.0.0.1:{server.server_address[1]}{path}", list(answers))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        server.shutdown()
        server.server_close()
