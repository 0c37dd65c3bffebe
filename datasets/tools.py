"""The datasets app's tool for programs: ``search_examples`` (registered in ``DatasetsConfig.ready``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from datasets.models import Dataset
from programs.models import Program
from programs.tools import off_the_event_loop

__all__ = ["search_examples_tool"]

_WORDS = re.compile(r"\w+")


def search_examples_tool(program: Program) -> Callable[..., list[dict[str, Any]]]:
    """``search_examples(query, dataset, k)`` over the datasets the program's owner may see."""
    owner = program.owner

    def search_examples(query: str, dataset: str, k: int = 3) -> list[dict[str, Any]]:
        """Find the examples of a dataset that share the most words with the query.

        Args:
            query: Words to look for.
            dataset: The name of the dataset to search.
            k: How many examples to return (1 to 20).
        """
        wanted = set(_WORDS.findall(query.lower()))
        limit = max(1, min(int(k), 20))

        def work() -> list[dict[str, Any]]:
            datasets = (
                Dataset.objects.filter(owner=None) if owner is None else Dataset.objects.visible_to(owner)
            )
            found = datasets.filter(name=dataset).first()
            if found is None or found.latest_version is None:
                raise ValueError(f"no dataset named {dataset!r} with examples")
            scored = []
            for row in found.latest_version.examples.all()[:5000]:
                text = " ".join(str(v) for v in {**row.inputs, **row.labels}.values()).lower()
                overlap = len(wanted & set(_WORDS.findall(text)))
                if overlap:
                    scored.append((-overlap, row.position, {**row.inputs, **row.labels}))
            return [values for _, _, values in sorted(scored, key=lambda item: item[:2])[:limit]]

        return off_the_event_loop(work)

    return search_examples
