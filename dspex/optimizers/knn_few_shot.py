"""``KNNFewShot``: demos chosen per call, the training examples nearest to the inputs."""

from __future__ import annotations

import asyncio
import contextvars
import types
from collections.abc import Callable, Sequence
from typing import Any

from dspex.lm.embedder import Embedder
from dspex.optimizers.base import Optimizer
from dspex.optimizers.bootstrap_few_shot import BootstrapFewShot
from dspex.optimizers.knn import KNN
from dspex.optimizers.labeled_few_shot import LabeledFewShot

__all__ = ["KNNFewShot"]


class _NearestDemos:
    """Builds, for one call's inputs, a copy of the program whose demos are the neighbours."""

    def __init__(self, knn: KNN, template: Any, teacher: Any, bootstrap_args: dict[str, Any] | None):
        self.knn = knn
        self.template = template
        self.teacher = teacher
        self.bootstrap_args = bootstrap_args

    def __deepcopy__(self, memo: dict[int, Any]) -> _NearestDemos:
        return self  # read-only after compile: copies of the compiled program share it

    def program_for(self, neighbours: list[Any]) -> Any:
        if self.bootstrap_args is None:
            return LabeledFewShot(k=len(neighbours), sample=False).compile(self.template, trainset=neighbours)
        optimizer = BootstrapFewShot(**self.bootstrap_args)
        return optimizer.compile(self.template, trainset=neighbours, teacher=self.teacher)

    def run(self, inputs: dict[str, Any]) -> Any:
        return self.program_for(self.knn(**inputs))(**inputs)

    async def arun(self, inputs: dict[str, Any]) -> Any:
        neighbours = await self.knn.acall(**inputs)
        if self.bootstrap_args is None:
            program = self.program_for(neighbours)
        else:  # bootstrapping runs the teacher synchronously: keep it off the event loop
            context = contextvars.copy_context()
            program = await asyncio.to_thread(context.run, self.program_for, neighbours)
        return await program.acall(**inputs)


class KNNFewShot(Optimizer):
    """At call time, give the program the ``k`` training examples nearest to the inputs as demos.

    Nearness is the cosine similarity of ``vectorizer`` embeddings (a :class:`dspex.Embedder`,
    e.g. ``Embedder("openai/text-embedding-3-small")`` or ``Embedder("local/gemma-3-270m")``, or
    a function from texts to vectors) of the input fields. The neighbours become labeled demos;
    with ``bootstrap=True`` or any :class:`BootstrapFewShot` arguments
    (``max_bootstrapped_demos=...``, ``metric=...``), they are bootstrapped per call as DSPy does
    (which costs teacher calls on every call). ``compile`` returns a copy of the student with the
    same predictors; the student is not changed.
    """

    def __init__(
        self,
        k: int,
        trainset: Sequence[Any],
        vectorizer: Embedder | Callable[[list[str]], Any],
        *,
        bootstrap: bool = False,
        callback: Any = None,
        **few_shot_bootstrap_args: Any,
    ):
        super().__init__(callback=callback)
        self.knn = KNN(k, trainset, vectorizer)
        self.bootstrap = bootstrap or bool(few_shot_bootstrap_args)
        self.few_shot_bootstrap_args = few_shot_bootstrap_args

    @property
    def KNN(self) -> KNN:
        """The nearest-neighbour index (``KNNFewShot(...).KNN.k``, ``.trainset``), DSPy's spelling."""
        return self.knn

    def compile(
        self, student: Any, *, trainset: list[Any] | None = None, teacher: Any = None, **kwargs: Any
    ) -> Any:
        template = student.reset_copy()
        args = dict(self.few_shot_bootstrap_args) if self.bootstrap else None
        chooser = _NearestDemos(self.knn, template, teacher, args)
        compiled = student.reset_copy()

        def forward(self: Any, **inputs: Any) -> Any:
            return self._nearest_demos.run(inputs)

        async def aforward(self: Any, **inputs: Any) -> Any:
            return await self._nearest_demos.arun(inputs)

        compiled._nearest_demos = chooser
        compiled.forward = types.MethodType(forward, compiled)
        compiled.aforward = types.MethodType(aforward, compiled)
        self.emit("compile", "knn", k=self.knn.k, trainset=len(self.knn.trainset))
        return compiled
