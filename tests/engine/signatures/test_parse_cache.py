"""Parsing the same string twice is served from the parse cache."""

from __future__ import annotations

from dspex import Signature
from dspex.signatures.parser import parse_signature


def test_parsing_the_same_string_twice_hits_the_cache():
    spec = "cache_probe_question: str, cache_probe_n: int -> cache_probe_answer: list[str]"
    parse_signature(spec)
    hits = parse_signature.cache_info().hits

    parse_signature(spec)

    assert parse_signature.cache_info().hits == hits + 1


def test_building_signatures_from_the_same_string_hits_the_cache():
    spec = "cache_probe_text -> cache_probe_label: Literal['a', 'b']"
    Signature(spec)
    hits = parse_signature.cache_info().hits

    first = Signature(spec)
    second = Signature(spec)

    assert parse_signature.cache_info().hits == hits + 2
    assert first == second
    assert first is not second


def test_cached_results_are_not_shared_between_callers():
    spec = "cache_probe_mutable -> cache_probe_out"
    first = parse_signature(spec)
    first.clear()

    assert [f.name for f in parse_signature(spec)] == ["cache_probe_mutable", "cache_probe_out"]


def test_a_failed_parse_is_not_cached_as_a_success():
    misses = parse_signature.cache_info().misses
    for _ in range(2):
        try:
            parse_signature("cache_probe_bad -> ")
        except ValueError:
            pass

    assert parse_signature.cache_info().misses == misses + 2
