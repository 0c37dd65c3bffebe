"""SST-2 (binary sentiment) as ``Example`` objects.

``train`` holds 2,000 phrases (for training and validation), ``dev`` the 872 standard dev
sentences (held out for scoring). See ``SST2_README.md`` for the source.
"""

from __future__ import annotations

import csv
from importlib import resources
from typing import Literal

from dspex.primitives.example import Example

__all__ = ["SST2_LABELS", "load_sst2"]

SST2_LABELS = ("negative", "positive")


def load_sst2(split: Literal["train", "dev"], limit: int | None = None) -> list[Example]:
    """Examples with ``sentence`` (input) and ``label`` (``"positive"``/``"negative"``)."""
    if split not in ("train", "dev"):
        raise ValueError(f"split must be 'train' or 'dev', got {split!r}")
    text = resources.files("dspex.data").joinpath(f"sst2_{split}.tsv").read_text(encoding="utf-8")
    rows = csv.reader(text.splitlines()[1:], delimiter="\t", quoting=csv.QUOTE_NONE)
    examples = [
        Example(sentence=row[0].strip(), label=SST2_LABELS[int(row[1])]).with_inputs("sentence")
        for row in rows
        if len(row) == 2
    ]
    return examples[:limit] if limit is not None else examples
