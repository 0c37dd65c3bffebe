"""Field chunks, however the text is cut, join to exactly what ChatAdapter.parse reads."""

from __future__ import annotations

import random

import pytest

import dspex
from dspex.streaming import ChatFieldStream

SIGNATURE = dspex.Signature("question -> reasoning, answer")
COMPLETIONS = [
    "[[ ## reasoning ## ]]\nStep one.\n\nStep two.  \n\n[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]",
    "[[ ## reasoning ## ]] on the header line\nthen [[ ## mid ## ]] line\n[[ ## answer ## ]]\n  42  \n",
    "chatter before\n  [[ ## answer ## ]]\nA\n[[ ## reasoning ## ]]\nR [[ ## ]]\n[[ ## completed ## ]]",
    "[[ ## reasoning ## ]]\n[[ not a header\n[[ ## answer ## ]]last line without newline",
    "[[ ## answer ## ]]\nfirst\n[[ ## reasoning ## ]]\nr\n[[ ## answer ## ]]\nrepeated sections are ignored",
    "[[ ## unknown ## ]]\nskipped\n[[ ## reasoning ## ]]\n\n\n   spaced   \n\n[[ ## answer ## ]]\n[1, 2]",
]


def _chunks(text: str, sizes: list[int]) -> list[tuple[str, str]]:
    stream = ChatFieldStream(SIGNATURE.output_fields)
    out: list[tuple[str, str]] = []
    position = 0
    for size in sizes:
        out += stream.feed(text[position : position + size])
        position += size
    out += stream.feed(text[position:])
    return out + stream.close()


def _joined(chunks: list[tuple[str, str]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for field, text in chunks:
        fields[field] = fields.get(field, "") + text
    return fields


@pytest.mark.parametrize("text", COMPLETIONS)
def test_chunks_join_to_the_parsed_fields_for_any_split(text):
    parsed = dspex.ChatAdapter().parse(SIGNATURE, text)
    rng = random.Random(7)
    for _ in range(300):
        sizes = [rng.randint(1, 9) for _ in range(len(text))]
        assert _joined(_chunks(text, sizes)) == parsed
    assert _joined(_chunks(text, [len(text)])) == parsed
    assert _joined(_chunks(text, [1] * len(text))) == parsed


def test_chunks_arrive_before_the_text_is_complete():
    stream = ChatFieldStream(["answer"])
    assert stream.feed("[[ ## answer ## ]]\nPar") == [("answer", "Par")]
    assert stream.feed("is is ") == [("answer", "is is")]  # the trailing space waits
    assert stream.feed("big") == [("answer", " big")]


def test_a_possible_header_is_held_back_until_the_line_decides():
    stream = ChatFieldStream(["answer", "reasoning"])
    assert stream.feed("[[ ## reasoning ## ]]\nr\n[[ ## ans") == [("reasoning", "r")]
    assert stream.feed("wer ## ]]\nA") == [("answer", "A")]
    assert stream.feed("\n[[ ## no") == []
    assert stream.feed("t a header") == [("answer", "\n[[ ## not a header")]


def test_only_wanted_fields_are_streamed():
    text = "[[ ## reasoning ## ]]\nr\n[[ ## answer ## ]]\na\n"
    stream = ChatFieldStream(["answer"])
    assert stream.feed(text) + stream.close() == [("answer", "a")]
