"""``ChainOfThought``: ``Predict`` with a ``reasoning`` output before the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dspex.modules.predict import Predict
from dspex.primitives.assertions import without_assertion_scope
from dspex.primitives.module import Module
from dspex.primitives.prediction import Prediction
from dspex.signatures.field import FieldInfo, OutputField
from dspex.signatures.signature import Signature, ensure_signature

__all__ = ["ChainOfThought"]


class ChainOfThought(Module):
    """Adds a ``reasoning`` output field (first among the outputs) and predicts with it."""

    def __init__(
        self,
        signature: str | type[Signature],
        rationale_field: FieldInfo | None = None,
        rationale_field_type: type = str,
        **config: Any,
    ):
        base = ensure_signature(signature)
        field = rationale_field or OutputField(desc="${reasoning}")
        extended = base.prepend("reasoning", field, field.annotation or rationale_field_type)
        self.predict = Predict(extended, **config)

    if TYPE_CHECKING:
        # Module's calls, typed: the result is its Predict's (a Prediction on either backend).
        def __call__(self, *args: Any, **kwargs: Any) -> Prediction: ...

        async def acall(self, *args: Any, **kwargs: Any) -> Prediction: ...

    @without_assertion_scope  # it only calls its Predict
    def forward(self, **kwargs: Any) -> Prediction:
        """Predict ``reasoning`` and then the outputs."""
        return self.predict(**kwargs)

    @without_assertion_scope
    async def aforward(self, **kwargs: Any) -> Prediction:
        """Async :meth:`forward`."""
        return await self.predict.acall(**kwargs)
