"""Cache keys do not depend on whether orjson is installed.

(Floats that need an exponent, like 1e-07, are spelled differently by the two encoders; such
values only cost a cache miss, never a wrong hit.)
"""

from __future__ import annotations

import pydantic

from dspex.lm import _json


class Answer(pydantic.BaseModel):
    text: str
    score: float


SAMPLES = [
    {"b": 1, "a": [1.5, 0.0, -2, True, None], "nested": {"z": "ü → 東京", "y": 'quote " \\ \n'}},
    [{"role": "user", "content": "What is 2+2?"}, {"temperature": 0.7, "n": 3, "stop": ["]]"]}],
    {"response_format": Answer, "value": Answer(text="x", score=1.0)},
    {"emoji": "🙂", "control": "\u0001\t", "big": 12345678901234, "floats": [0.1, 0.7, 1.0, 2.5e3]},
]


def test_canonical_encoding_is_identical_with_and_without_orjson():
    for sample in SAMPLES:
        assert _json.dumps_canonical(sample) == _json.stdlib_dumps_canonical(sample)


def test_canonical_encoding_sorts_keys():
    assert _json.dumps_canonical({"b": 1, "a": {"d": 2, "c": 3}}) == b'{"a":{"c":3,"d":2},"b":1}'


def test_compact_encoding_round_trips():
    for sample in SAMPLES[:2]:
        assert _json.loads(_json.dumps(sample)) == _json.loads(_json.stdlib_dumps(sample))
