"""Send one LM request over HTTP: retries with backoff, typed errors, no leaked credentials."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import httpx

from dspex.lm import _json, pipeline
from dspex.lm.breaker import CircuitBreaker, breaker_for
from dspex.lm.errors import (
    LMConnectionError,
    LMError,
    LMTimeoutError,
    MalformedResponseError,
    error_for_status,
)
from dspex.lm.pipeline import Call, Send, Steps, Wait
from dspex.lm.providers.base import error_details
from dspex.lm.retry import RetryPolicy, parse_retry_after

__all__ = ["Endpoint", "redact"]

logger = logging.getLogger("dspex.lm")

_SECRET_HEADERS = ("Authorization", "x-api-key")
_NOT_RETRYABLE = (httpx.UnsupportedProtocol, httpx.TooManyRedirects, httpx.DecodingError)


def redact(text: str, headers: Mapping[str, str]) -> str:
    """``text`` with every credential found in ``headers`` replaced by ``***``."""
    for name in _SECRET_HEADERS:
        value = headers.get(name)
        if value:
            secret = value.removeprefix("Bearer ").strip()
            if len(secret) >= 4:
                text = text.replace(secret, "***")
    return text


Diagnose = Callable[[httpx.URL], LMError | None]


class Endpoint:
    """Where one LM sends its requests, and how failures are retried and reported.

    ``diagnose(url)`` is asked after every transport failure whether it has a cause of its own
    (the local provider reports a crashed server process); that error is raised as it is, with
    no retry.
    """

    __slots__ = (
        "_breaker", "_breaker_url", "credential_id", "diagnose", "model", "policy", "provider", "timeout"
    )  # fmt: skip

    def __init__(
        self,
        provider: str,
        model: str,
        policy: RetryPolicy,
        timeout: float,
        credential_id: str = "",
        diagnose: Diagnose | None = None,
    ) -> None:
        self.diagnose = diagnose
        self.provider = provider
        self.model = model
        self.credential_id = credential_id
        self.policy = policy
        self.timeout = httpx.Timeout(timeout)
        self._breaker: CircuitBreaker | None = None
        self._breaker_url: httpx.URL | None = None

    def breaker(self, url: httpx.URL) -> CircuitBreaker:
        """The circuit breaker of ``url`` + model + credential (see :mod:`dspex.lm.breaker`)."""
        if url is not self._breaker_url or self._breaker is None:
            self._breaker = breaker_for(str(url), self.model, self.credential_id)
            self._breaker_url = url
        return self._breaker

    def _diagnoses(self, exc: Exception, url: httpx.URL | None) -> bool:
        # A timeout means the server is alive and busy: nothing to diagnose.
        return url is not None and self.diagnose is not None and not isinstance(exc, httpx.TimeoutException)

    def transport_error(self, exc: Exception, url: httpx.URL | None = None) -> LMError:
        """The typed error for an exception raised by httpx while talking to ``url``."""
        if self._diagnoses(exc, url):
            assert self.diagnose is not None and url is not None
            cause = self.diagnose(url)
            if cause is not None:
                cause.__cause__ = exc
                return cause
        if isinstance(exc, httpx.TimeoutException):
            cls: type[LMError] = LMTimeoutError
            what = f"timed out after {self.timeout.read}s"
        elif isinstance(exc, _NOT_RETRYABLE):
            cls, what = LMError, "request failed"
        else:
            cls, what = LMConnectionError, "connection failed"
        error = cls(
            f"{self.model}: {self.provider} {what}: {type(exc).__name__}: {exc}",
            provider=self.provider,
            model=self.model,
        )
        error.__cause__ = exc
        return error

    def status_error(self, response: httpx.Response, headers: Mapping[str, str]) -> LMError:
        """The typed error for a non-2xx response."""
        message, code = error_details(response.content)
        retry_after = None
        if response.status_code in (429, 503):
            retry_after = parse_retry_after(response.headers)
        return error_for_status(
            response.status_code,
            redact(message, headers),
            provider=self.provider,
            model=self.model,
            code=code,
            retry_after=retry_after,
        )

    def decode(self, response: httpx.Response) -> Any:
        try:
            return _json.loads(response.content)
        except ValueError:
            snippet = response.content[:200].decode("utf-8", "replace")
            raise MalformedResponseError(
                f"{self.model}: {self.provider} returned malformed JSON "
                f"(HTTP {response.status_code}): {snippet!r}",
                provider=self.provider,
                model=self.model,
                status_code=response.status_code,
            ) from None

    def _decoded_or_error(self, response: httpx.Response, headers: Mapping[str, str]) -> Any:
        """The decoded body of a 2xx response, else the error to retry or raise (a 2xx body that
        is not JSON is a retryable :class:`MalformedResponseError`)."""
        if response.status_code >= 300:
            return self.status_error(response, headers)
        try:
            return self.decode(response)
        except MalformedResponseError as exc:
            return exc

    def _next_delay(self, attempt: int, error: LMError) -> float | None:
        delay = self.policy.delay(attempt, error)
        if delay is not None:
            logger.warning(
                "%s (attempt %d of %d); retrying in %.2fs",
                error.message,
                attempt + 1,
                self.policy.num_retries + 1,
                delay,
            )
        return delay

    def exchange(
        self, url: httpx.URL, body: bytes, headers: dict[str, str], stream: bool = False
    ) -> Steps[Any]:
        """The retry loop of one request, as pipeline steps (:mod:`dspex.lm.pipeline`).

        Returns the decoded JSON body, or with ``stream`` the open 2xx response; transient
        failures are retried with backoff, the last one is raised as a typed :class:`LMError`.
        """
        breaker = self.breaker(url)
        breaker.acquire()
        attempt = 0
        while True:
            try:
                response: httpx.Response = yield Send(url, body, headers, self.timeout, stream)
            except httpx.HTTPError as exc:
                error = yield from self.failure(exc, url)
            else:
                if stream and response.status_code < 300:
                    breaker.success()
                    return response
                error = self._decoded_or_error(response, headers)
                if not isinstance(error, LMError):
                    breaker.success()
                    return error
            delay = self._next_delay(attempt, error)
            if delay is None:
                breaker.failure(error)
                raise error
            yield Wait(delay)
            attempt += 1

    def failure(self, exc: Exception, url: httpx.URL | None = None) -> Steps[LMError]:
        """:meth:`transport_error` as pipeline steps: a diagnosis (which may wait a moment for a
        dying process) is a blocking call, which async drivers run on a thread."""
        if self._diagnoses(exc, url):
            error: LMError = yield Call(partial(self.transport_error, exc, url))
            return error
        return self.transport_error(exc, url)

    def post(self, url: httpx.URL, body: bytes, headers: dict[str, str]) -> Any:
        """POST ``body`` and return the decoded JSON response, retrying transient failures."""
        return pipeline.run(self.exchange(url, body, headers))

    async def apost(self, url: httpx.URL, body: bytes, headers: dict[str, str]) -> Any:
        """Async :meth:`post`."""
        return await pipeline.arun(self.exchange(url, body, headers))
