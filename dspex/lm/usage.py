"""Token usage per LM over a block: ``with track_usage() as usage: ...; usage.get_total_tokens()``.

Built on :func:`dspex.lm.tracking.track_calls`: a :class:`UsageTracker` receives the usage of
every LM call made in the block (in this task, its child tasks and the threads dspex starts for
it), keyed by the LM's model string. Cached answers cost nothing and are not counted. Usage is
stored in the OpenAI layout DSPy uses (``prompt_tokens``, ``completion_tokens``,
``total_tokens``, ``prompt_tokens_details.cached_tokens``), and :meth:`UsageTracker.add_usage`
takes any entry of that shape (nested details, Pydantic models) from code that counts itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dspex.lm.tracking import LMCall, collect_into
from dspex.settings import settings

__all__ = ["UsageTracker", "openai_usage", "track_usage"]


def openai_usage(usage: dict[str, Any]) -> dict[str, Any]:
    """An engine usage dict (``prompt_tokens``, ``completion_tokens``, ``cached_tokens``) in the
    OpenAI layout (the cached tokens under ``prompt_tokens_details``)."""
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    entry: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": int(usage.get("total_tokens") or prompt + completion),
    }
    cached = int(usage.get("cached_tokens") or 0)
    if cached:
        entry["prompt_tokens_details"] = {"cached_tokens": cached}
    return entry


def _plain(value: Any) -> Any:
    """Pydantic models (a provider SDK's usage details) as dicts."""
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        return dump()
    return value


def _countable(value: Any) -> bool:
    # bool is an int, but a provider's flag is not a count.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _merge(total: dict[str, Any] | None, entry: dict[str, Any] | None) -> dict[str, Any]:
    """``entry`` added into ``total``: counts summed, nested details merged, ``None`` skipped,
    anything else (a string, a flag) kept from the first entry that has it."""
    if not total:
        return dict(entry or {})
    if not entry:
        return dict(total)
    merged = dict(total)
    for key, value in entry.items():
        current = merged.get(key)
        value = _plain(value)
        current = _plain(current)
        if isinstance(value, dict) or isinstance(current, dict):
            merged[key] = _merge(
                current if isinstance(current, dict) else None, value if isinstance(value, dict) else None
            )
        elif current is None:
            if value is not None:
                merged[key] = value
        elif _countable(current) and _countable(value):
            merged[key] = current + value
    return merged


class UsageTracker:
    """Usage entries per LM (``usage_data[model]`` is a list of OpenAI-layout dicts)."""

    def __init__(self) -> None:
        self.usage_data: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self._added: list[tuple[str, dict[str, Any]]] = []

    def add_usage(self, lm: str, usage_entry: dict[str, Any]) -> None:
        """Record one call's usage for the LM named ``lm`` (an empty entry is ignored)."""
        if usage_entry:
            entry = {key: _plain(value) for key, value in usage_entry.items()}
            self.usage_data[lm].append(entry)
            self._added.append((lm, entry))

    def append(self, call: LMCall) -> None:
        """Take one tracked LM call (what :func:`track_calls` collectors receive)."""
        if not call.cache_hit and call.usage:
            self.usage_data[call.model].append(openai_usage(call.usage))

    def get_total_tokens(self) -> dict[str, dict[str, Any]]:
        """The entries of each LM summed into one (nested details summed key by key)."""
        totals: dict[str, dict[str, Any]] = {}
        for lm, entries in self.usage_data.items():
            total: dict[str, Any] = {}
            for entry in entries:
                total = _merge(total, entry)
            totals[lm] = total
        return totals

    def __deepcopy__(self, memo: dict[int, Any]) -> UsageTracker:
        copied = UsageTracker()
        for lm, entries in self.usage_data.items():
            copied.usage_data[lm] = [dict(entry) for entry in entries]
        return copied

    def __repr__(self) -> str:
        return f"UsageTracker({dict(self.usage_data)!r})"


@contextmanager
def track_usage() -> Iterator[UsageTracker]:
    """Yield a :class:`UsageTracker` that receives the usage of every LM call in the block; it is
    also ``settings.usage_tracker`` there. Entries added by hand to a nested tracker are added
    to the enclosing one when the nested block ends (LM calls reach both directly)."""
    tracker = UsageTracker()
    parent = settings.get("usage_tracker")
    try:
        with collect_into(tracker), settings.context(usage_tracker=tracker):
            yield tracker
    finally:
        if isinstance(parent, UsageTracker):
            for lm, entry in tracker._added:
                parent.add_usage(lm, entry)
