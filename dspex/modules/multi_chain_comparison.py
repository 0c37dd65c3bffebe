"""``MultiChainComparison``: compare M reasoning attempts and write a corrected answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dspex.modules.predict import Predict
from dspex.primitives.module import Module
from dspex.primitives.prediction import Completions, Prediction
from dspex.signatures.field import InputField, OutputField
from dspex.signatures.signature import Signature, ensure_signature

__all__ = ["MultiChainComparison"]


class MultiChainComparison(Module):
    """Given ``M`` earlier attempts (each with ``reasoning`` or ``rationale`` and the last output
    field), ask the LM for a holistic ``rationale`` and the final outputs — DSPy's prompt:
    ``reasoning_attempt_1..M`` inputs ("«I'm trying to ... my prediction is ...»").

    Example::

        cot = dspex.ChainOfThought("question -> answer", n=3)
        attempts = cot(question=q).completions
        dspex.MultiChainComparison("question -> answer", M=3)(attempts, question=q).answer
    """

    def __init__(self, signature: str | type[Signature], M: int = 3, temperature: float = 0.7, **config: Any):
        if M < 1:
            raise ValueError("M must be at least 1")
        self.M = M
        signature = ensure_signature(signature)
        *_, self.last_key = signature.output_fields
        for index in range(M):
            signature = signature.append(
                f"reasoning_attempt_{index + 1}",
                InputField(prefix=f"Student Attempt #{index + 1}:", desc="${reasoning attempt}"),
                type_=str,
            )
        signature = signature.prepend(
            "rationale",
            OutputField(
                prefix="Accurate Reasoning: Thank you everyone. Let's now holistically",
                desc="${corrected reasoning}",
            ),
            type_=str,
        )
        self.predict = Predict(signature, temperature=temperature, **config)

    def _attempts(self, completions: Iterable[Any] | Completions | Prediction) -> dict[str, str]:
        if isinstance(completions, Prediction):
            completions = completions.completions
        items = (
            [completions[i] for i in range(len(completions))]
            if isinstance(completions, Completions)
            else list(completions)
        )
        if len(items) != self.M:
            raise ValueError(
                f"MultiChainComparison was built for M={self.M} attempts but got {len(items)}; "
                f"pass exactly {self.M} completions or build it with M={len(items)}"
            )
        attempts = {}
        for index, item in enumerate(items):
            data = item if isinstance(item, Mapping) else dict(item)
            reasoning = data.get("rationale", data.get("reasoning"))
            if reasoning is None or self.last_key not in data:
                raise ValueError(
                    f"attempt {index + 1} needs a `reasoning` (or `rationale`) and a `{self.last_key}` "
                    f"field, got fields {sorted(data)}"
                )
            rationale = str(reasoning).strip().split("\n")[0].strip()
            answer = str(data[self.last_key]).strip().split("\n")[0].strip()
            attempts[f"reasoning_attempt_{index + 1}"] = (
                f"«I'm trying to {rationale} I'm not sure but my prediction is {answer}»"
            )
        return attempts

    def forward(self, completions: Any, **kwargs: Any) -> Prediction:
        """Compare ``completions`` (a list of predictions/dicts, or a Prediction's completions)."""
        return self.predict(**self._attempts(completions), **kwargs)

    async def aforward(self, completions: Any, **kwargs: Any) -> Prediction:
        """Async :meth:`forward`."""
        return await self.predict.acall(**self._attempts(completions), **kwargs)
