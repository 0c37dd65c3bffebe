"""``SemanticF1``: an LM judges how much of the gold response a prediction covers, and vice versa."""

from __future__ import annotations

from typing import Any

from dspex.modules.chain_of_thought import ChainOfThought
from dspex.primitives.module import Module
from dspex.signatures.field import InputField, OutputField
from dspex.signatures.signature import Signature

__all__ = ["DecompositionalSemanticRecallPrecision", "SemanticF1", "SemanticRecallPrecision"]


class SemanticRecallPrecision(Signature):
    """Judge a system response against the ground truth: report the recall and precision of its ideas.
    When reasoning, list the main ideas of each response and check whether the other one contains them."""

    question: str = InputField()
    ground_truth: str = InputField()
    system_response: str = InputField()
    recall: float = OutputField(desc="share (0.0 to 1.0) of the ground truth the system response covers")
    precision: float = OutputField(desc="share (0.0 to 1.0) of the system response the ground truth backs")


class DecompositionalSemanticRecallPrecision(Signature):
    """Judge a system response against the ground truth, idea by idea. First list the key ideas of
    the ground truth and of the system response, then discuss how they overlap, then report the
    recall and precision of those key ideas."""

    question: str = InputField()
    ground_truth: str = InputField()
    system_response: str = InputField()
    ground_truth_key_ideas: str = OutputField(desc="the key ideas of the ground truth, enumerated")
    system_response_key_ideas: str = OutputField(desc="the key ideas of the system response, enumerated")
    discussion: str = OutputField(desc="how the key ideas of the two responses overlap")
    recall: float = OutputField(desc="share (0.0 to 1.0) of the ground truth the system response covers")
    precision: float = OutputField(desc="share (0.0 to 1.0) of the system response the ground truth backs")


def _clamp(value: Any) -> float:
    return max(0.0, min(1.0, float(value)))


def _f1(precision: Any, recall: Any) -> float:
    precision, recall = _clamp(precision), _clamp(recall)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


class SemanticF1(Module):
    """A metric: the F1 of the recall and precision an LM judge reports for ``pred.response``
    against ``example.response`` (both clamped to [0, 1]), given ``example.question``.

    Call it like any metric, ``metric(example, pred, trace=None) -> float``; with a ``trace`` (while
    bootstrapping) it returns 1.0 when the F1 reaches ``threshold`` and 0.0 otherwise.
    ``decompositional=True`` makes the judge list and compare key ideas first. The judge uses
    ``lm`` when given, else the configured LM. ``question_field`` and ``response_field`` name the
    fields to read when they are not ``question`` and ``response``.
    """

    def __init__(
        self,
        threshold: float = 0.66,
        decompositional: bool = False,
        *,
        lm: Any = None,
        question_field: str = "question",
        response_field: str = "response",
    ):
        self.threshold = threshold
        self.decompositional = decompositional
        self.question_field = question_field
        self.response_field = response_field
        signature = DecompositionalSemanticRecallPrecision if decompositional else SemanticRecallPrecision
        self.module = ChainOfThought(signature)
        if lm is not None:
            self.module.predict.lm = lm

    def _inputs(self, example: Any, pred: Any) -> dict[str, str]:
        return {
            "question": str(example[self.question_field]),
            "ground_truth": str(example[self.response_field]),
            "system_response": str(pred[self.response_field]),
        }

    def _score(self, judged: Any, trace: Any) -> float:
        score = _f1(judged.precision, judged.recall)
        if trace is None:
            return score
        return float(score >= self.threshold)

    def forward(self, example: Any, pred: Any, trace: Any = None) -> float:
        """The semantic F1 of ``pred`` against ``example`` (1.0/0.0 against ``threshold`` with a trace)."""
        return self._score(self.module(**self._inputs(example, pred)), trace)

    async def aforward(self, example: Any, pred: Any, trace: Any = None) -> float:
        """Async :meth:`forward` (used by :class:`dspex.Evaluate`, so judging does not block the loop)."""
        return self._score(await self.module.acall(**self._inputs(example, pred)), trace)
