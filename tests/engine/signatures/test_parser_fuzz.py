"""Random strings either parse or fail with SignatureError, never with another exception."""

from __future__ import annotations

import random

import pytest

from dspex import Signature, SignatureError
from dspex.signatures.parser import parse_signature

ALPHABET = [*"ab:,[]->|'\" .", " int", " str", " list", "dict", "Literal", "Optional", "None", "1"]
TOKENS = [
    "a", "b", "q", ":", ",", "[", "]", "->", "|", "'x'", '"y"', "1", "-2", "2.5", " int", " str",
    " list", "Literal", "Optional", "Union", "dict", "tuple", "None", "Any", "...", "True", " ",
    "Tuple", "List", "float", "class", "_",
]  # fmt: skip


def random_strings(pieces: list[str], count: int, seed: int, max_len: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, max_len))) for _ in range(count)]


def outcome(spec: str) -> str:
    try:
        fields = parse_signature(spec)
    except SignatureError as error:
        assert error.position is None or 0 <= error.position <= len(spec)
        return "error"
    assert fields, spec
    Signature(spec)  # a parsed spec also builds a signature
    return "parsed"


def test_random_characters_parse_or_raise_signature_error_only():
    outcomes = [outcome(spec) for spec in random_strings(ALPHABET, 400, seed=0, max_len=30)]

    assert set(outcomes) <= {"parsed", "error"}
    assert outcomes.count("error") > 0


def test_random_token_soup_parses_or_raises_signature_error_only():
    outcomes = [outcome(spec) for spec in random_strings(TOKENS, 3000, seed=1, max_len=12)]

    assert outcomes.count("parsed") > 10  # the generator does reach valid signatures
    assert outcomes.count("error") > 1000


@pytest.mark.parametrize("spec", ["a -> b", "a: list[int] -> b: Literal['x']", "x: tuple[int, ...] -> y"])
def test_every_prefix_of_a_valid_signature_parses_or_raises_signature_error(spec):
    for end in range(len(spec) + 1):
        assert outcome(spec[:end]) in ("parsed", "error")
