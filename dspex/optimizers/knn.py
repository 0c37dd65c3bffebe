"""``KNN``: the training examples whose inputs are most similar to a query's."""

from __future__ import annotations

import asyncio
import contextvars
import math
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from dspex.lm.embedder import Embedder

__all__ = ["KNN"]

_np: ModuleType | None
try:  # numpy makes the similarity search one matrix product; plain Python works too
    import numpy

    _np = numpy
except ImportError:  # pragma: no cover - depends on the environment
    _np = None


def _normalize(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def example_text(example: Any) -> str:
    """``"key: value | key: value"`` over the example's input fields (DSPy's KNN text)."""
    keys = example.input_keys
    if keys is None:
        raise ValueError("KNN needs trainset examples with inputs marked: example.with_inputs('field', ...)")
    return " | ".join(f"{key}: {value}" for key, value in example.items() if key in keys)


def query_text(inputs: dict[str, Any]) -> str:
    return " | ".join(f"{key}: {value}" for key, value in inputs.items())


class KNN:
    """``knn(**inputs)`` returns the ``k`` trainset examples nearest to ``inputs``, nearest first.

    Similarity is the cosine of the ``vectorizer``'s vectors (a :class:`dspex.Embedder`, or any
    function from a list of texts to a list of vectors) of ``"field: value | ..."`` texts of the
    input fields. The trainset is embedded once, on the first query.
    """

    def __init__(self, k: int, trainset: Sequence[Any], vectorizer: Embedder | Callable[[list[str]], Any]):
        if k < 1:
            raise ValueError("k must be at least 1")
        self.k = k
        self.trainset = list(trainset)
        self.embedder = vectorizer if isinstance(vectorizer, Embedder) else Embedder(vectorizer)
        self._texts = [example_text(example) for example in self.trainset]
        self._matrix: Any = None
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> KNN:
        return self  # the index is shared by copies of a program (it holds a lock)

    def __call__(self, **inputs: Any) -> list[Any]:
        if self._matrix is None:
            with self._lock:
                if self._matrix is None:
                    self._matrix = self._prepare(self.embedder(self._texts) if self._texts else [])
        return self._nearest(self.embedder(query_text(inputs)))

    async def acall(self, **inputs: Any) -> list[Any]:
        """Async :meth:`__call__`."""
        if self._matrix is None:
            vectors = await self._aembed(self._texts) if self._texts else []
            self._matrix = self._matrix if self._matrix is not None else self._prepare(vectors)
        return self._nearest((await self._aembed([query_text(inputs)]))[0])

    async def _aembed(self, texts: list[str]) -> list[list[float]]:
        if self.embedder._function is not None:  # a plain function: keep it off the event loop
            context = contextvars.copy_context()
            return await asyncio.to_thread(context.run, lambda: self.embedder(texts))
        return await self.embedder.acall(texts)

    @staticmethod
    def _prepare(vectors: list[list[float]]) -> Any:
        rows = [_normalize(v) for v in vectors]
        return _np.asarray(rows, dtype=_np.float32) if _np is not None and rows else rows

    def _nearest(self, query: Sequence[float]) -> list[Any]:
        unit = _normalize(query)
        if not self.trainset:
            return []
        if _np is not None:
            scores = (self._matrix @ _np.asarray(unit, dtype=_np.float32)).tolist()
        else:
            scores = [sum(a * b for a, b in zip(row, unit, strict=True)) for row in self._matrix]
        # Highest similarity first; equal scores keep trainset order.
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [self.trainset[i] for i in order[: self.k]]
