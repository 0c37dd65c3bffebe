"""A 200 whose body is not JSON (a truncated reply, a proxy's error page) is a transient failure:
it is retried like a 5xx, within ``num_retries``, and only then raised."""

from __future__ import annotations

import pytest

from dspex.lm import LMError, MalformedResponseError

MESSAGES = [{"role": "user", "content": "ping"}]


def test_garbage_once_then_a_good_body_succeeds(openai_stub, stub_lm):
    openai_stub.script({"malformed": True}, "Paris")

    response = stub_lm.request(MESSAGES)

    assert response.outputs == ["Paris"]
    assert len(openai_stub.completion_requests()) == 2


async def test_the_async_path_retries_too(openai_stub, stub_lm):
    openai_stub.script({"body": "<html>502 from the proxy</html>"}, "Rome")

    response = await stub_lm.arequest(MESSAGES)

    assert response.outputs == ["Rome"]
    assert len(openai_stub.completion_requests()) == 2


def test_retries_are_bounded_by_num_retries(openai_stub, make_stub_lm):
    openai_stub.script(*[{"malformed": True}] * 4, "never reached")

    with pytest.raises(MalformedResponseError, match="malformed JSON") as caught:
        make_stub_lm(num_retries=2).request(MESSAGES)

    assert isinstance(caught.value, LMError) and caught.value.retryable
    assert len(openai_stub.completion_requests()) == 3


def test_no_retries_means_one_request(openai_stub, make_stub_lm):
    openai_stub.script({"malformed": True}, "unused")

    with pytest.raises(MalformedResponseError):
        make_stub_lm(num_retries=0).request(MESSAGES)
    assert len(openai_stub.completion_requests()) == 1
