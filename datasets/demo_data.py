"""The SST-2 sentiment data the demos use, from the engine's bundled copy (``dspex.data``)."""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["bundled_sst2", "sst2_demo_records"]


def bundled_sst2(split: Literal["train", "dev"], limit: int | None = None) -> list[tuple[str, str]]:
    """``(sentence, label)`` pairs of the SST-2 data shipped with the engine (``dspex.data``)."""
    from dspex.data import load_sst2

    return [(example.sentence, example.label) for example in load_sst2(split, limit=limit)]


def sst2_demo_records(count: int) -> list[dict[str, Any]]:
    """The engine demo's few-shot demos (``dspex.demo.pick_demos``) as plain records."""
    from dspex.demo import pick_demos

    return [{"sentence": demo.sentence, "label": demo.label} for demo in pick_demos(count)]
