"""A stand-in for ``llama_cpp.server`` that crashes the way a broken runtime does.

Run as ``python -m tests.stubs.crashing_llama_server --port N``; ``$CRASH_MODE`` says how it fails:

- ``request:SIGSEGV`` / ``request:SIGKILL``: answers ``/v1/models``, then kills itself with that
  signal on the first completion request (a runtime faulting in a matrix kernel);
- ``startup``: prints an error and exits with code 3 before it listens;
- ``ok``: answers completions with ``"fine"``.

Every start and every completion request is appended to the file ``$CRASH_COUNTER`` (one line
each), so tests can count restarts and retries.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _count(event: str) -> None:
    with open(os.environ["CRASH_COUNTER"], "a") as counter:
        counter.write(event + "\n")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write("request: " + format % args + "\n")

    def _json(self, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._json({"object": "list", "data": [{"id": "fake", "object": "model"}]})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _count("request")
        mode = os.environ.get("CRASH_MODE", "ok")
        if mode.startswith("request:"):
            print("ggml_backend_amx_mul_mat: faulting in a tile kernel", file=sys.stderr, flush=True)
            os.kill(os.getpid(), getattr(signal, mode.split(":", 1)[1]))
            time.sleep(60)  # the signal may reach another thread first: never answer meanwhile
        self._json(
            {
                "id": "x",
                "object": "chat.completion",
                "model": "fake",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": "fine"}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    _count("start")
    if os.environ.get("CRASH_MODE") == "startup":
        print("llama_model_load: error loading model: invalid magic", file=sys.stderr, flush=True)
        raise SystemExit(3)
    # A segfault must look like one to the parent, not like Python's handler printing a trace.
    signal.signal(signal.SIGSEGV, signal.SIG_DFL)
    ThreadingHTTPServer(("127.0.0.1", args.port), _Handler).serve_forever()


if __name__ == "__main__":
    main()
