"""dspex.lm.request_cache: DSPy's request cache, with JSON on disk and no unpickling."""

from __future__ import annotations

import dataclasses
import json
import pickle

import numpy
import pydantic
import pytest

from dspex.lm import cache as lm_cache
from dspex.lm import request_cache
from dspex.lm.request_cache import Cache, CachedObject, configure_cache


@dataclasses.dataclass
class Answer:
    text: str
    usage: dict


class Point(pydantic.BaseModel):
    x: int


def make(tmp_path, **options):
    settings = {"enable_disk_cache": True, "enable_memory_cache": True, "disk_cache_dir": str(tmp_path)}
    return Cache(**{**settings, **options})


def test_a_value_is_served_from_memory_then_from_disk_after_a_memory_reset(tmp_path):
    cache = make(tmp_path)
    request = {"prompt": "hi", "model": "m"}
    cache.put(request, {"text": "hello", "n": (1, 2)})

    assert cache.get(request) == {"text": "hello", "n": (1, 2)}
    cache.reset_memory_cache()
    assert len(cache.memory_cache) == 0
    assert cache.get(request) == {"text": "hello", "n": (1, 2)}
    assert cache.cache_key(request) in cache.memory_cache  # promoted back


def test_a_hit_has_its_usage_emptied_and_is_marked(tmp_path):
    cache = make(tmp_path)
    cache.put({"p": 1}, Answer("x", {"total_tokens": 5}))

    hit = cache.get({"p": 1})

    assert (hit.text, hit.usage, hit.cache_hit) == ("x", {}, True)


def test_unregistered_classes_come_back_as_attribute_bags_or_not_at_all_when_restricted(tmp_path):
    loose = make(tmp_path / "loose")
    strict = make(tmp_path / "strict", restrict_pickle=True)
    for cache in (loose, strict):
        cache.put({"p": 1}, Answer("x", {}))
        cache.reset_memory_cache()

    back = loose.get({"p": 1})
    assert isinstance(back, CachedObject) and back.text == "x"
    assert strict.get({"p": 1}) is None


def test_registered_types_and_numpy_arrays_come_back_as_themselves(tmp_path):
    cache = make(tmp_path, restrict_pickle=True, safe_types=[Answer, Point])
    cache.put({"p": 1}, [Answer("x", {}), Point(x=3), numpy.arange(3, dtype=numpy.float32)])
    cache.reset_memory_cache()

    answer, point, array = cache.get({"p": 1})

    assert answer == Answer("x", {}) and point == Point(x=3)
    assert array.dtype == numpy.float32 and array.tolist() == [0.0, 1.0, 2.0]


class Trap:
    unpickled = False

    def __reduce__(self):
        return (Trap._spring, ())

    @staticmethod
    def _spring():
        Trap.unpickled = True
        return "sprung"


def test_a_pickled_entry_on_disk_is_refused_and_never_unpickled(tmp_path):
    import diskcache

    cache = make(tmp_path, enable_memory_cache=False)
    key = cache.cache_key({"p": 1})
    planted = diskcache.FanoutCache(directory=str(tmp_path), shards=16)
    planted.set(key, Trap())
    planted.close()

    assert cache.get({"p": 1}) is None
    assert Trap.unpickled is False


def test_the_memory_tier_is_saved_and_loaded_as_json_and_a_pickle_is_refused(tmp_path):
    cache = make(tmp_path / "a")
    cache.put({"p": 1}, "one")
    path = tmp_path / "memory.json"
    cache.save_memory_cache(path)
    assert json.loads(path.read_text())["entries"]

    other = Cache(enable_disk_cache=False, enable_memory_cache=True, disk_cache_dir=None)
    other.load_memory_cache(path)
    assert other.get({"p": 1}) == "one"

    pickled = tmp_path / "memory.pkl"
    pickled.write_bytes(pickle.dumps({"k": Trap()}))
    with pytest.raises(ValueError, match="never loads pickled"):
        other.load_memory_cache(pickled, allow_pickle=True)
    assert Trap.unpickled is False


def test_unhashable_requests_are_misses_and_bad_sizes_are_refused(tmp_path):
    cache = make(tmp_path)
    request = {"thing": object()}
    cache.put(request, "value")
    assert cache.get(request) is None
    with pytest.raises(ValueError, match="positive"):
        make(tmp_path, memory_max_entries=0)
    with pytest.raises(TypeError, match="must be types"):
        make(tmp_path, safe_types=["Answer"])


def test_request_cache_caches_a_function_by_its_arguments(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(request_cache, "_current", make(tmp_path))

    @request_cache.request_cache(ignored_args_for_cache_key=["api_key"])
    def answer(prompt, api_key=None):
        calls.append(prompt)
        return f"re: {prompt}"

    assert answer(prompt="a", api_key="one") == "re: a"
    assert answer(prompt="a", api_key="two") == "re: a"
    assert answer(prompt="b") == "re: b"
    assert calls == ["a", "b"]


async def test_request_cache_caches_async_functions(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(request_cache, "_current", make(tmp_path))

    @request_cache.request_cache()
    async def answer(prompt):
        calls.append(prompt)
        return prompt * 2

    assert await answer(prompt="a") == "aa"
    assert await answer(prompt="a") == "aa"
    assert calls == ["a"]


def test_configure_cache_sets_up_both_the_request_cache_and_the_lm_cache(tmp_path):
    try:
        configure_cache(enable_disk_cache=False, enable_memory_cache=True, disk_cache_dir=str(tmp_path))
        assert request_cache.current_cache().enable_disk_cache is False
        assert lm_cache.get_cache().disk.enabled is False
    finally:
        request_cache.restore_cache()
        lm_cache.reset_cache()


def test_set_cache_and_restore_cache_swap_the_process_wide_cache(tmp_path):
    before = request_cache.current_cache()
    mine = make(tmp_path)
    request_cache.set_cache(mine)
    assert request_cache.current_cache() is mine
    request_cache.restore_cache()
    assert request_cache.current_cache() is before
