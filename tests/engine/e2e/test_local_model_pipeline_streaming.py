"""A pipeline on the real bundled model, streamed: llama.cpp's SSE tokens become field chunks."""

from __future__ import annotations

import pytest

import dspex
from dspex.data import load_sst2

pytestmark = pytest.mark.local_model

SPEC = {
    "inputs": ["sentence"],
    "outputs": ["label"],
    "steps": [{"id": "classify", "module": "predict", "signature": "sentence -> label"}],
    "output_map": {"label": "lower(classify.label)"},
}


async def test_a_streamed_pipeline_on_the_local_model_gives_the_parsed_label():
    lm = dspex.LM("local/gemma-3-270m", cache=False)
    train = load_sst2("train")
    demos = [e for e in train if e.label == "positive"][:2] + [e for e in train if e.label == "negative"][:2]
    pipeline = dspex.Pipeline(SPEC)
    pipeline.modules["classify"].demos = [demos[0], demos[2], demos[1], demos[3]]
    sentence = load_sst2("dev", limit=1)[0].sentence

    items = [item async for item in pipeline.astream(sentence=sentence, lm=lm)]

    chunks = [i for i in items if isinstance(i, dspex.StreamChunk)]
    final = items[-1]
    assert final.label in ("positive", "negative")
    assert "".join(c.chunk for c in chunks if c.field == "label").lower() == final.label
    assert next(s.text for s in items if isinstance(s, dspex.StatusMessage)) == "step classify started"
    assert len(final.steps[0].lm_calls) == 1  # parsed from the stream: no JSON fallback
