"""What every provider adapter implements, and helpers they share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from dspex.lm import _json
from dspex.lm.response import Usage

if TYPE_CHECKING:
    import httpx

    from dspex.lm.errors import LMError

__all__ = ["Parsed", "Provider", "StreamState", "error_details"]


class Parsed(NamedTuple):
    """The useful part of a provider's response body."""

    outputs: list[str]
    finish_reasons: list[str | None]
    usage: Usage
    model: str | None


class StreamState:
    """Accumulates a streamed response; ``feed`` returns the text delta of each event."""

    def __init__(self) -> None:
        self.texts: dict[int, list[str]] = {}
        self.finish_reasons: dict[int, str | None] = {}
        self.usage = Usage()
        self.model: str | None = None
        self.done = False

    def feed(self, event: str | None, data: str) -> str | None:
        """Consume one server-sent event; return its text delta for the first choice, if any."""
        raise NotImplementedError

    def _append(self, index: int, text: str) -> None:
        self.texts.setdefault(index, []).append(text)

    def result(self) -> Parsed:
        """Everything received so far, as a parsed response."""
        count = max([*self.texts, *self.finish_reasons], default=0) + 1
        outputs = ["".join(self.texts.get(i, ())) for i in range(count)]
        reasons = [self.finish_reasons.get(i) for i in range(count)]
        return Parsed(outputs, reasons, self.usage, self.model)


class Provider:
    """Translate between dspex's OpenAI-style messages/params and one HTTP API.

    Subclasses set the class attributes and implement :meth:`url`, :meth:`headers`,
    :meth:`payload`, :meth:`parse` and :meth:`stream_state`.
    """

    name: str = ""
    key_env: str | None = None
    default_base_url: str = ""
    supports_n: bool = True
    # Requests one server runs at once (None: no client-side limit); more wait in the client.
    max_concurrency: int | None = None
    # Seconds a request may take when the LM is created without ``timeout=``.
    default_timeout: float = 60.0
    # ``diagnose(url)``: a cause of its own behind a failed request (the local provider reports a
    # crashed server); ``None`` for providers with nothing to add, so a failure costs nothing more.
    diagnose: Callable[[httpx.URL], LMError | None] | None = None

    def default_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Generation defaults this provider needs (e.g. Anthropic's required max_tokens)."""
        return params

    def resolve_base_url(self, base_url: str | None, model_name: str) -> str:
        """The base URL to send to (the local provider starts its server here)."""
        return (base_url or self.default_base_url).rstrip("/")

    async def aresolve_base_url(self, base_url: str | None, model_name: str) -> str:
        """Async :meth:`resolve_base_url` (must not block the event loop)."""
        return self.resolve_base_url(base_url, model_name)

    def url(self, base_url: str, model_type: str) -> str:
        """The endpoint for ``chat`` or ``text`` completions."""
        raise NotImplementedError

    def headers(self, api_key: str) -> dict[str, str]:
        """Request headers carrying ``api_key``."""
        raise NotImplementedError

    def payload(
        self,
        model_name: str,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        model_type: str,
        stream: bool = False,
    ) -> dict[str, Any]:
        """The JSON request body for ``messages`` and generation ``params``."""
        raise NotImplementedError

    def parse(self, data: Any, model_type: str) -> Parsed:
        """Outputs, finish reasons, usage and model from a decoded response body."""
        raise NotImplementedError

    def stream_state(self, model_type: str) -> StreamState:
        """A fresh accumulator for one streamed response."""
        raise NotImplementedError


def error_details(body: bytes) -> tuple[str, str | None]:
    """The server's error message and code from an error body (JSON or plain text)."""
    try:
        data = _json.loads(body)
    except ValueError:
        text = body.decode("utf-8", "replace").strip()
        return (text[:500] or "(empty body)"), None
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict):
            message = error.get("message") or error.get("detail") or data.get("detail")
            code = error.get("code") or error.get("type")
            if message is not None:
                return str(message)[:2000], (str(code) if code is not None else None)
        elif isinstance(error, str):
            return error[:2000], None
    return _json.dumps(data).decode()[:500], None
