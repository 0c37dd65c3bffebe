"""A small, fast, scriptable HTTP/1.1 server for LM tests and benchmarks.

It speaks just enough HTTP (keep-alive, Content-Length bodies, chunked responses) to serve
httpx and the OpenAI/Anthropic SDKs, and is written on :class:`asyncio.Protocol` so a
zero-latency reply costs tens of microseconds. Replies come, in order, from a responder
callable, a queue of scripted :class:`Reply` objects and finally a default reply. Control it in
process (``server.script(...)``) or over HTTP (``POST /_stub/script``) when it runs in a
subprocess.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from http import HTTPStatus
from typing import Any

try:
    import orjson

    def dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)

    loads = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    import json

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()

    loads = json.loads

__all__ = ["RecordedRequest", "Reply", "Response", "StubServer", "dumps", "loads", "run_cli"]

MAX_RECORDED = 10_000


@dataclass
class Reply:
    """One scripted answer.

    ``content`` is the completion text (a list gives one text per choice). A ``status`` other
    than 200 sends ``body`` (JSON-encoded unless bytes/str; a provider-shaped error by default)
    with ``headers``; a ``body`` with status 200 replaces the whole success body. ``delay`` adds
    latency, ``drop`` closes the connection without answering, ``hang`` never answers,
    ``malformed`` sends a 200 whose body is not JSON. ``chunk_delay`` spaces streamed events.
    ``usage`` replaces the computed usage block; ``finish_reason`` the computed one.
    """

    content: str | list[str] | None = None
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float | None = None
    drop: bool = False
    hang: bool = False
    malformed: bool = False
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    chunk_delay: float = 0.0

    @classmethod
    def coerce(cls, value: Reply | str | list[str] | dict[str, Any]) -> Reply:
        """A Reply from a Reply, a content string/list, or a dict of Reply fields."""
        if isinstance(value, Reply):
            return value
        if isinstance(value, str | list):
            return cls(content=value)
        if isinstance(value, dict):
            known = {f.name for f in fields(cls)}
            unknown = set(value) - known
            if unknown:
                raise ValueError(f"unknown reply fields {sorted(unknown)}; expected {sorted(known)}")
            return cls(**value)
        raise TypeError(f"cannot make a Reply from {type(value).__name__}")


@dataclass
class RecordedRequest:
    """A request the server received (control requests excluded)."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any
    received_at: float

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "headers": self.headers, "json": self.json}


@dataclass
class Response:
    """What the protocol writes back. ``events`` makes it a chunked stream of byte strings."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    events: list[bytes] | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0
    drop: bool = False
    hang: bool = False


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status=status, body=dumps(data), headers=headers or {})


def _head(status: int, headers: dict[str, str], content_type: str, extra: str) -> bytes:
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Status"
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {content_type}", extra]
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _Request:
    __slots__ = ("body", "close", "headers", "method", "path")

    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.close = headers.get("connection", "").lower() == "close"


class _Protocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive; one request at a time per connection (no pipelining)."""

    def __init__(self, server: StubServer) -> None:
        self.server = server
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.busy = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.server._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server._connections.discard(self)
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.busy:
            self._process()

    def _parse(self) -> _Request | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        method, path, _ = head[0].split(" ", 2)
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        if len(self.buffer) < end + 4 + length:
            return None
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        return _Request(method, path, headers, body)

    def _process(self) -> None:
        while not self.busy and self.transport is not None:
            try:
                request = self._parse()
            except ValueError:
                self.transport.write(_head(400, {}, "text/plain", "Content-Length: 0"))
                self.transport.close()
                return
            if request is None:
                return
            response = self.server._dispatch(request)
            if response.delay or response.hang or response.drop or response.chunk_delay:
                self.busy = True
                self.server._spawn(self._respond_later(request, response))
                return
            self._write(request, response)

    def _write(self, request: _Request, response: Response) -> None:
        transport = self.transport
        if transport is None:
            return
        if response.events is None:
            transport.write(
                _head(
                    response.status,
                    response.headers,
                    response.content_type,
                    f"Content-Length: {len(response.body)}",
                )
                + response.body
            )
        else:
            transport.write(
                _head(response.status, response.headers, response.content_type, "Transfer-Encoding: chunked")
                + b"".join(b"%x\r\n%s\r\n" % (len(e), e) for e in response.events)
                + b"0\r\n\r\n"
            )
        if request.close:
            transport.close()

    async def _respond_later(self, request: _Request, response: Response) -> None:
        if response.delay:
            await asyncio.sleep(response.delay)
        if response.hang:
            await asyncio.Event().wait()
        transport = self.transport
        if transport is None:
            return
        if response.drop:
            transport.close()
            return
        if response.events is not None and response.chunk_delay:
            transport.write(
                _head(response.status, response.headers, response.content_type, "Transfer-Encoding: chunked")
            )
            for event in response.events:
                await asyncio.sleep(response.chunk_delay)
                if self.transport is None:
                    return
                transport.write(b"%x\r\n%s\r\n" % (len(event), event))
            transport.write(b"0\r\n\r\n")
            if request.close:
                transport.close()
        else:
            self._write(request, response)
        self.busy = False
        if self.buffer:
            self._process()


class StubServer:
    """Base server: request recording, reply scripting, control endpoints, lifecycle.

    Subclasses register routes in :meth:`routes` and turn a :class:`Reply` into a provider
    response. ``start()`` runs it on a background thread; ``serve_forever()`` runs it on the
    current event loop (subprocess mode).
    """

    api_prefix = ""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        default_content: str = "stub response",
        latency: float = 0.0,
        record: bool = True,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.tls = tls
        self.port = port
        self.record = record
        self.requests: list[RecordedRequest] = []
        self.responder: Callable[[RecordedRequest], Reply | str | list[str] | dict | None] | None = None
        self._initial_default = (default_content, latency)
        self._default = Reply(content=default_content)
        self._latency = latency
        self._queue: deque[Reply] = deque()
        self._connections: set[_Protocol] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._routes = {
            ("POST", "/_stub/script"): self._control_script,
            ("POST", "/_stub/default"): self._control_default,
            ("GET", "/_stub/requests"): self._control_requests,
            ("POST", "/_stub/reset"): self._control_reset,
            **self.routes(),
        }

    # -- configuration API ---------------------------------------------------------------

    def routes(self) -> dict[tuple[str, str], Callable[[RecordedRequest], Response]]:
        """``{(method, path): handler}`` of the provider endpoints."""
        return {}

    @property
    def url(self) -> str:
        """``http://host:port`` (``https`` with ``tls=``; no API prefix)."""
        return f"{'https' if self.tls is not None else 'http'}://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The URL to give an LM as ``base_url``."""
        return self.url + self.api_prefix

    def script(self, *replies: Reply | str | list[str] | dict[str, Any]) -> None:
        """Queue replies, served to the next completion requests in order."""
        self._queue.extend(Reply.coerce(reply) for reply in replies)

    def set_default(self, content: str | list[str] | None = None, *, delay: float | None = None) -> None:
        """The reply used when the queue is empty, and the latency added to every reply."""
        if content is not None:
            self._default = Reply(content=content)
        if delay is not None:
            self._latency = delay

    def reset(self) -> None:
        """Forget requests, scripts, responder and defaults; drop connections left hanging."""
        self._queue.clear()
        self.requests.clear()
        self.responder = None
        self._default = Reply(content=self._initial_default[0])
        self._latency = self._initial_default[1]
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(self._drop_busy_connections)

    @property
    def pending_replies(self) -> int:
        return len(self._queue)

    def completion_requests(self) -> list[RecordedRequest]:
        """Recorded requests to the completion endpoint(s)."""
        return [r for r in self.requests if r.method == "POST"]

    # -- request handling ----------------------------------------------------------------

    def next_reply(self, request: RecordedRequest) -> Reply:
        if self.responder is not None:
            answer = self.responder(request)
            if answer is not None:
                return Reply.coerce(answer)
        if self._queue:
            try:
                return self._queue.popleft()
            except IndexError:
                pass
        return self._default

    def latency_for(self, reply: Reply) -> float:
        return self._latency if reply.delay is None else reply.delay

    def _dispatch(self, request: _Request) -> Response:
        handler = self._routes.get((request.method, request.path.split("?", 1)[0]))
        if handler is None:
            return json_response({"error": {"message": f"no route {request.method} {request.path}"}}, 404)
        try:
            payload = loads(request.body) if request.body else None
        except ValueError:
            return json_response({"error": {"message": "request body is not JSON"}}, 400)
        recorded = RecordedRequest(request.method, request.path, request.headers, payload, time.monotonic())
        if self.record and not request.path.startswith("/_stub/"):
            if len(self.requests) >= MAX_RECORDED:
                del self.requests[: MAX_RECORDED // 2]
            self.requests.append(recorded)
        return handler(recorded)

    def special(self, reply: Reply) -> Response | None:
        """The response for drop/hang/malformed/error replies, or None for a normal one."""
        delay = self.latency_for(reply)
        if reply.drop or reply.hang:
            return Response(delay=delay, drop=reply.drop, hang=reply.hang)
        if reply.malformed:
            return Response(body=b'{"choices": [ this is not json', delay=delay, headers=reply.headers)
        if reply.status != 200 or reply.body is not None:
            body = reply.body if reply.body is not None else self.error_body(reply.status)
            if not isinstance(body, bytes):
                body = body.encode() if isinstance(body, str) else dumps(body)
            return Response(status=reply.status, body=body, headers=reply.headers, delay=delay)
        return None

    def error_body(self, status: int) -> Any:
        return {"error": {"message": f"stub error {status}", "type": "stub_error", "code": None}}

    # -- control endpoints ---------------------------------------------------------------

    def _control_script(self, request: RecordedRequest) -> Response:
        replies = (request.json or {}).get("replies", [])
        self.script(*replies)
        return json_response({"queued": len(self._queue)})

    def _control_default(self, request: RecordedRequest) -> Response:
        data = request.json or {}
        self.set_default(data.get("content"), delay=data.get("delay"))
        return json_response({"ok": True})

    def _control_requests(self, request: RecordedRequest) -> Response:
        return json_response({"requests": [r.to_dict() for r in self.requests]})

    def _control_reset(self, request: RecordedRequest) -> Response:
        self.reset()
        return json_response({"ok": True})

    # -- lifecycle -----------------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _drop_busy_connections(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for connection in list(self._connections):
            if connection.busy and connection.transport is not None:
                connection.transport.abort()

    async def _open(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._server = await self._loop.create_server(
            lambda: _Protocol(self), self.host, self.port, reuse_address=True, backlog=1024, ssl=self.tls
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            if connection.transport is not None:
                connection.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def serve_forever(self, ready: Callable[[StubServer], None] | None = None) -> None:
        """Serve on the running loop until cancelled."""
        await self._open()
        if ready is not None:
            ready(self)
        try:
            await asyncio.Event().wait()
        finally:
            await self._close()

    def start(self) -> StubServer:
        """Serve on a daemon thread; returns once the port is bound."""
        started = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(self._open())
            except BaseException as exc:
                errors.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._close())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"{type(self).__name__}", daemon=True)
        self._thread.start()
        started.wait()
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        """Stop a server started with :meth:`start`."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def word_count(texts: Iterable[Any]) -> int:
    """Rough token count: whitespace-separated words in all string parts."""
    total = 0
    for text in texts:
        if isinstance(text, str):
            total += len(text.split())
        elif isinstance(text, list):
            total += word_count(p.get("text", "") if isinstance(p, dict) else p for p in text)
    return total


def apply_stop(text: str, stop: Any) -> tuple[str, bool]:
    """Cut ``text`` at the first stop sequence; returns (text, whether it was cut)."""
    if not stop:
        return text, False
    cut = len(text)
    for sequence in [stop] if isinstance(stop, str) else stop:
        index = text.find(sequence)
        if 0 <= index < cut:
            cut = index
    return text[:cut], cut < len(text)


def run_cli(server_cls: type[StubServer], argv: list[str] | None = None) -> int:
    """Serve in the foreground; prints ``READY <base_url>`` once listening."""
    parser = argparse.ArgumentParser(prog=f"python -m {server_cls.__module__}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every reply")
    parser.add_argument("--default", default="stub response", help="default completion text")
    parser.add_argument("--no-record", action="store_true", help="do not keep received requests")
    args = parser.parse_args(argv)
    server = server_cls(
        args.host,
        args.port,
        default_content=args.default,
        latency=args.latency,
        record=not args.no_record,
    )

    def ready(s: StubServer) -> None:
        print(f"READY {s.base_url}", flush=True)

    try:
        asyncio.run(_serve_until_signalled(server, ready))
    except KeyboardInterrupt:
        pass
    return 0


async def _serve_until_signalled(server: StubServer, ready: Any) -> None:
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    assert task is not None
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await server.serve_forever(ready)
    except asyncio.CancelledError:
        pass
